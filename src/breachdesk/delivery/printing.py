"""Letters for a print-and-mail vendor: batches of letters as PDFs, each with a manifest
CSV of who is in it, on which pages, by which mail class; and returned mail read back.

A batch is claimed, rendered and compiled, and its files are written under
``.partial/`` in the output folder; the letters are then recorded as sent (each with
its file and first page); only then are the files moved into the folder. Files found
in ``.partial/`` on the next export are finished (their letters were recorded) or
removed (they were not, and those letters are exported again). A vendor is only ever
handed files whose letters are on record, once.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pypdf
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from breachdesk.db import Database, utcnow
from breachdesk.delivery.fallback import queue_next_channel
from breachdesk.delivery.models import Channel, MessageState, OutboxMessage
from breachdesk.delivery.runner import Claimed, RunContext, batch_people, claim
from breachdesk.delivery.service import get_campaign
from breachdesk.inputs import InputError
from breachdesk.notices.letters import address_block, compile_letters, letter_data
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.flows import spreadsheet_safe
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring

MANIFEST_FIELDS = (
    "reference", "name", "address_line1", "address_line2", "city", "subdivision", "postcode",
    "country", "jurisdiction", "pages", "first_page", "file", "mail_class",
)  # fmt: skip
PARTIAL = ".partial"
PRINT_PREFIX = "print:"  # an exported letter's message_id: print:FILE#FIRST_PAGE


@dataclass
class ExportSummary:
    letters: int = 0
    files: list[str] = field(default_factory=list)
    finished_from_before: int = 0  # files an interrupted export had recorded


def export_letters(
    *,
    database: Database,
    keyring: Keyring,
    campaign_id: int,
    out_dir: Path,
    actor: str,
    mail_class: str = "first-class",
    batch_size: int = 500,
    stale_after: timedelta = timedelta(minutes=2),
    clock: Callable[[], datetime] = utcnow,
) -> ExportSummary:
    """Every due letter of the campaign into PDFs and manifests in ``out_dir``."""
    summary = ExportSummary()
    partial = out_dir / PARTIAL
    partial.mkdir(parents=True, exist_ok=True)
    with database.session() as db_session:
        summary.finished_from_before = _recover(db_session, out_dir)
        context = RunContext.load(
            db_session, get_campaign(db_session=db_session, campaign_id=campaign_id), clock()
        )
    while True:
        with database.session() as db_session:
            claimed = claim(
                db_session, campaign_id, batch_size, stale_after, clock(), Channel.LETTER
            )
        if not claimed:
            break
        name = f"letters-c{campaign_id}-{claimed[0].row_id:010d}"
        with database.session() as db_session:
            _print_batch(db_session, keyring, context, claimed, partial, name, mail_class, clock())
            context.disclose_once(db_session, actor)
        for suffix in (".pdf", ".csv"):  # recorded: now the vendor may have them
            os.replace(partial / f"{name}{suffix}", out_dir / f"{name}{suffix}")
        summary.letters += len(claimed)
        summary.files.append(f"{name}.pdf")
    return summary


def _print_batch(
    db_session: Session,
    keyring: Keyring,
    context: RunContext,
    claimed: list[Claimed],
    partial: Path,
    name: str,
    mail_class: str,
    now: datetime,
) -> None:
    people = batch_people(db_session, claimed)
    letters, rows, rendered = [], [], []
    for item in claimed:
        person = people[item.person_id]
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        notice = context.notice(person, contact)
        reference = references.display(person.reference)
        full_name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        letters.append(
            letter_data(
                notice,
                reference=reference,
                sender=context.return_address,
                recipient=address_block(
                    full_name,
                    contact.address_line1,
                    contact.address_line2,
                    contact.city,
                    contact.subdivision,
                    contact.postcode,
                    contact.country,
                ),
            )
        )
        rows.append(
            {
                "reference": reference,
                "name": full_name,
                "address_line1": contact.address_line1,
                "address_line2": contact.address_line2,
                "city": contact.city,
                "subdivision": contact.subdivision,
                "postcode": contact.postcode,
                "country": contact.country,
                "jurisdiction": person.jurisdiction,
            }
        )
        rendered.append((notice, context.told_elements(person)))
    pdf = compile_letters(letters)
    starts = letter_first_pages(pdf, len(letters))
    write_private(partial / f"{name}.pdf", pdf)
    manifest = io.StringIO()
    writer = csv.DictWriter(manifest, fieldnames=MANIFEST_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row, (first, pages) in zip(rows, starts, strict=True):
        writer.writerow(
            {key: spreadsheet_safe(value) for key, value in row.items()}
            | {"pages": pages, "first_page": first, "file": f"{name}.pdf", "mail_class": mail_class}
        )
    write_private(partial / f"{name}.csv", manifest.getvalue().encode("utf-8"))
    for item, (notice, told), (first, _pages) in zip(claimed, rendered, starts, strict=True):
        db_session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == item.row_id)
            .values(
                state=MessageState.SENT,
                sent_at=now,
                message_id=f"{PRINT_PREFIX}{name}.pdf#{first}",
                template_version=notice.template_version,
                fact_revision=notice.fact_revision,
                content_hash=notice.content_hash,
                elements=told,
                last_error=None,
            )
        )


def letter_first_pages(pdf: bytes, letters: int) -> list[tuple[int, int]]:
    """Each letter's first page (from 1) and page count: every letter opens with its
    title, the one top-level entry of the PDF's outline it gets."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    firsts = [
        reader.get_destination_page_number(entry) + 1
        for entry in reader.outline
        if not isinstance(entry, list)
    ]
    if len(firsts) != letters:
        raise RuntimeError(f"the PDF has {len(firsts)} letter titles for {letters} letters")
    ends = [*firsts[1:], len(reader.pages) + 1]
    return [(first, end - first) for first, end in zip(firsts, ends, strict=True)]


def write_private(path: Path, data: bytes) -> None:
    """Names and addresses: readable by this account only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _recover(db_session: Session, out_dir: Path) -> int:
    """Finish what an interrupted export recorded; remove what it did not."""
    finished = 0
    for pdf in sorted((out_dir / PARTIAL).glob("*.pdf")):
        recorded = db_session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.message_id.like(f"{PRINT_PREFIX}{pdf.name}#%"))
            .limit(1)
        )
        manifest = pdf.with_suffix(".csv")
        if recorded is not None:
            os.replace(pdf, out_dir / pdf.name)
            os.replace(manifest, out_dir / manifest.name)
            finished += 1
        else:
            pdf.unlink()
            manifest.unlink(missing_ok=True)
    return finished


def record_returned_mail(
    *, db_session: Session, campaign_id: int, csv_text: str, now: datetime
) -> Counter[str]:
    """Returned letters, from the vendor's CSV (a ``reference`` column, and a ``reason``
    when it has one): each marked failed, and the person's next channel queued."""
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    reader = csv.DictReader(io.StringIO(csv_text))
    if not reader.fieldnames or "reference" not in reader.fieldnames:
        raise InputError("returned mail: the CSV needs a 'reference' column")
    counts: Counter[str] = Counter()
    for line, record in enumerate(reader, start=2):
        code = references.parse(record.get("reference") or "")
        row = None
        if code is not None:
            row = db_session.scalar(
                select(OutboxMessage)
                .join(AffectedPerson, AffectedPerson.id == OutboxMessage.person_id)
                .where(
                    OutboxMessage.campaign_id == campaign.id,
                    OutboxMessage.channel == Channel.LETTER,
                    AffectedPerson.reference == code,
                )
            )
        if row is None:
            counts["not a letter of this campaign"] += 1
            continue
        if row.state is not MessageState.SENT:
            counts["already recorded" if row.state is MessageState.FAILED else "not sent"] += 1
            continue
        reason = (record.get("reason") or "returned").strip()[:200]
        row.state = MessageState.FAILED
        row.failed_at = now
        row.last_error = f"returned mail (line {line}): {reason}"
        db_session.flush()
        counts["returned"] += 1
        if queue_next_channel(db_session=db_session, failed=row, reason=reason, now=now):
            counts["queued on the next channel"] += 1
    return counts
