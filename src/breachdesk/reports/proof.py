"""Proof of notice: what was sent to whom, when, by which channel, with its content hash
and what became of it, exported from the outbox and sealed with the audit chain.

An export is two files in one folder: the data, one JSON object per notice row
(``proof-of-notice.jsonl``), and a manifest (``proof-of-notice.manifest.json``) naming
the incident, the selection, the row count, the data file's SHA-256, the export time
and the audit chain's head when the export began. The export then records a
``report.proof_of_notice_exported`` event holding both files' SHA-256, so the chain
itself vouches for them: a later change to either file no longer matches the event
(``breachdesk report verify-proof`` checks this).

Rows are read with one streamed query in outbox order and written as they come, so an
incident of 110 million people exports in bounded memory. People are named by their
reference code and residence; names and addresses appear only when asked for.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from breachdesk import __version__
from breachdesk.audit import service as audit
from breachdesk.audit.models import AuditHead
from breachdesk.db import utcnow
from breachdesk.delivery.events import SubstituteNoticeGiven
from breachdesk.delivery.models import Channel, MessageState, OutboxMessage
from breachdesk.delivery.printing import PRINT_PREFIX
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import bits_to_elements
from breachdesk.reports.events import ProofOfNoticeExported
from breachdesk.security.crypto import Keyring

FORMAT = "breachdesk proof of notice"
FORMAT_VERSION = 1
DATA_FILE = "proof-of-notice.jsonl"
MANIFEST_FILE = "proof-of-notice.manifest.json"
BATCH = 2000  # rows fetched from the database at a time, and between progress reports

_OUTBOX = OutboxMessage
_COLUMNS = (
    _OUTBOX.id,
    AffectedPerson.reference,
    AffectedPerson.jurisdiction,
    _OUTBOX.campaign_id,
    _OUTBOX.wave_id,
    _OUTBOX.kind,
    _OUTBOX.channel,
    _OUTBOX.channel_reason,
    _OUTBOX.state,
    _OUTBOX.message_id,
    _OUTBOX.template_version,
    _OUTBOX.fact_revision,
    _OUTBOX.content_hash,
    _OUTBOX.elements,
    _OUTBOX.attempts,
    _OUTBOX.resent_after_interruption,
    _OUTBOX.queued_at,
    _OUTBOX.sending_at,
    _OUTBOX.deferred_at,
    _OUTBOX.next_attempt_at,
    _OUTBOX.sent_at,
    _OUTBOX.failed_at,
    _OUTBOX.last_error,
)
_EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
# Per campaign: when substitute notice was recorded as given, and how (in order).
_Given = tuple[list[datetime], list[str]]
_TIMES = ("queued_at", "sending_at", "deferred_at", "next_attempt_at", "sent_at", "failed_at")


@dataclass(frozen=True)
class Selection:
    """Which notices an export holds: the whole incident, one jurisdiction's residents,
    or one person (by reference code, in its printed form)."""

    scope: str  # incident, jurisdiction or person
    jurisdiction: str | None = None
    reference: str | None = None

    def as_json(self) -> dict[str, str]:
        found = {
            "scope": self.scope,
            "jurisdiction": self.jurisdiction,
            "reference": self.reference,
        }
        return {key: value for key, value in found.items() if value is not None}

    def describe(self) -> str:
        if self.scope == "jurisdiction":
            return f"residents of {self.jurisdiction}"
        if self.scope == "person":
            return f"the person with reference {self.reference}"
        return "the whole incident"


@dataclass(frozen=True)
class ProofExport:
    data_file: Path
    manifest_file: Path
    rows: int
    data_sha256: str
    manifest_sha256: str
    head_seq: int  # the audit chain's head when the export began
    head_hash: str
    event_seq: int  # the event that seals the export
    event_hash: str


def select_notices(
    *,
    db_session: Session,
    incident_id: int,
    jurisdiction: str | None = None,
    reference: str | None = None,
) -> Selection:
    """The selection the options name, checked against the incident's people."""
    incidents.get_incident(db_session=db_session, incident_id=incident_id)
    if jurisdiction is not None and reference is not None:
        raise InputError("give --jurisdiction or --reference, not both")
    people = select(AffectedPerson.id).where(AffectedPerson.incident_id == incident_id)
    if jurisdiction is not None:
        code = jurisdiction.strip().upper()
        if not db_session.scalar(select(exists(people.where(AffectedPerson.jurisdiction == code)))):
            lived_in = db_session.scalars(
                select(AffectedPerson.jurisdiction)
                .where(AffectedPerson.incident_id == incident_id)
                .where(AffectedPerson.jurisdiction.is_not(None))
                .distinct()
                .order_by(AffectedPerson.jurisdiction)
            ).all()
            raise InputError(
                f"--jurisdiction: no person of incident {incident_id} lives in {code!r}; "
                f"its people live in: {', '.join(lived_in) or 'no known jurisdiction'}"
            )
        return Selection("jurisdiction", jurisdiction=code)
    if reference is not None:
        code = references.parse(reference)
        if code is None:
            raise InputError(
                f"--reference: {reference!r} is not a reference code (12 letters and digits, "
                "as printed on the notice: ABCD-EFGH-JKMN)"
            )
        if not db_session.scalar(select(exists(people.where(AffectedPerson.reference == code)))):
            raise NotFound(f"--reference: incident {incident_id} has no person {reference!r}")
        return Selection("person", reference=references.display(code))
    return Selection("incident")


def export_proof(
    *,
    db_session: Session,
    reading: Session,
    incident_id: int,
    selection: Selection,
    out_dir: Path,
    actor: str,
    keyring: Keyring | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProofExport:
    """Write the selected notices and their manifest to ``out_dir`` and record the
    export in the audit chain. With ``keyring``, each row carries the person's contact
    details (decrypted), and the event says so.

    The notices are read through ``reading`` (``Database.reading_session``) and only the
    sealing event through ``db_session``: an export of millions of rows takes minutes,
    and on SQLite a writing session would hold every other writer back all that time."""
    data_path, manifest_path = out_dir / DATA_FILE, out_dir / MANIFEST_FILE
    _check_folder(out_dir, (data_path, manifest_path), overwrite)
    head_seq, head_hash = reading.execute(select(AuditHead.seq, AuditHead.hash)).one()
    exported_at = utcnow()
    query = _notices_query(incident_id, selection, with_contact=keyring is not None)
    counted = query.with_only_columns(_OUTBOX.id).order_by(None).subquery()
    total = reading.scalar(select(func.count()).select_from(counted)) or 0
    given = _substitute_notices(reading, incident_id)
    try:
        rows, data_sha256 = _write_rows(
            data_path,
            (
                _row(record, given, keyring)
                for record in reading.execute(query.execution_options(yield_per=BATCH))
            ),
            lambda done: on_progress(done, total) if on_progress else None,
        )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "incident": incident_id,
            "selection": selection.as_json(),
            "with_contact": keyring is not None,
            "data_file": DATA_FILE,
            "rows": rows,
            "data_sha256": data_sha256,
            "exported_at": _instant(exported_at),
            "exported_by": actor,
            "audit_head": {"seq": head_seq, "hash": head_hash},
            "breachdesk_version": __version__,
        }
        manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        _write_private(manifest_path, [manifest_bytes])
        manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        event_seq, event_hash = audit.record(
            db_session=db_session,
            event=ProofOfNoticeExported(
                incident=incident_id,
                selection=selection.as_json(),
                with_contact=keyring is not None,
                rows=rows,
                folder=str(out_dir),
                data_sha256=data_sha256,
                manifest_sha256=manifest_sha256,
                head_seq=head_seq,
                head_hash=head_hash,
            ),
            actor=actor,
        )
    except BaseException:
        # No half-written export is left to be mistaken for a sealed one.
        data_path.unlink(missing_ok=True)
        manifest_path.unlink(missing_ok=True)
        raise
    return ProofExport(
        data_file=data_path,
        manifest_file=manifest_path,
        rows=rows,
        data_sha256=data_sha256,
        manifest_sha256=manifest_sha256,
        head_seq=head_seq,
        head_hash=head_hash,
        event_seq=event_seq,
        event_hash=event_hash,
    )


def _check_folder(out_dir: Path, files: Iterable[Path], overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out: {out_dir} is a file; give a folder")
    present = [path.name for path in files if path.exists()]
    if present and not overwrite:
        raise InputError(
            f"--out: {out_dir} already holds a proof-of-notice export ({', '.join(present)}); "
            "give another folder, or --overwrite to replace it"
        )
    out_dir.mkdir(parents=True, exist_ok=True)


def _notices_query(incident_id: int, selection: Selection, *, with_contact: bool):
    columns = (*_COLUMNS, AffectedPerson.contact) if with_contact else _COLUMNS
    query = (
        select(*columns)
        .join(AffectedPerson, AffectedPerson.id == _OUTBOX.person_id)
        .where(AffectedPerson.incident_id == incident_id)
        .order_by(_OUTBOX.id)
    )
    if selection.jurisdiction is not None:
        query = query.where(AffectedPerson.jurisdiction == selection.jurisdiction)
    if selection.reference is not None:
        query = query.where(AffectedPerson.reference == references.parse(selection.reference))
    return query


def _substitute_notices(db_session: Session, incident_id: int) -> dict[int, _Given]:
    """How substitute notice was given, per campaign: when each was recorded, and how.
    A handful of events per campaign, so they are held in memory."""
    given: dict[int, _Given] = defaultdict(lambda: ([], []))
    for event in audit.events_for_incident(
        db_session=db_session,
        incident_id=incident_id,
        event_type=SubstituteNoticeGiven.event_type,
    ):
        payload = json.loads(event.payload)
        times, methods = given[payload["campaign"]]
        times.append(event.occurred_at)
        methods.append(payload["method"])
    return given


def _row(record: Any, given: dict[int, _Given], keyring: Keyring | None) -> dict[str, Any]:
    # Without contact data, no email address either: a bounce's error text names one.
    clean = _as_is if keyring is not None else _without_addresses
    reason, error = clean(record.channel_reason), clean(record.last_error)
    times = {name: _instant(getattr(record, name)) for name in _TIMES}
    row: dict[str, Any] = {
        "notice": record.id,
        "reference": references.display(record.reference),
        "jurisdiction": record.jurisdiction,
        "campaign": record.campaign_id,
        "wave": record.wave_id,
        "kind": record.kind,
        "channel": record.channel.value,
        "channel_reason": reason,
        "state": record.state.value,
        "message_id": record.message_id,
        "template_version": record.template_version,
        "fact_revision": record.fact_revision,
        "content_hash": record.content_hash,
        "elements": None if record.elements is None else bits_to_elements(record.elements),
        "attempts": record.attempts,
        "resent_after_interruption": record.resent_after_interruption,
        **times,
        "last_error": error,
        "events": delivery_events(record, times, reason, error, given.get(record.campaign_id)),
    }
    if keyring is not None:
        row["contact"] = _contact(Contact.decode(keyring.decrypt(record.contact, context=CONTEXT)))
    return row


def delivery_events(
    record: Any,
    times: dict[str, str | None],
    reason: str | None,
    error: str | None,
    substitute_given: _Given | None,
) -> list[dict[str, Any]]:
    """What happened to one notice, oldest first, from its outbox row (which keeps the
    latest time of each step; ``times`` in ISO form) and, for substitute notice, how it
    was given."""
    events = [_event(times["queued_at"], "queued", reason)]
    if times["deferred_at"] is not None:
        detail = error if record.state is MessageState.DEFERRED else None
        events.append(_event(times["deferred_at"], "deferred", detail))
    if times["sending_at"] is not None:
        events.append(_event(times["sending_at"], "sending", f"attempt {record.attempts}"))
    if times["sent_at"] is not None:
        events.append(_event(times["sent_at"], *_sent(record, substitute_given)))
    if times["failed_at"] is not None:
        what = "bounced" if record.state is MessageState.BOUNCED else "failed"
        if record.channel is Channel.LETTER and (error or "").startswith("returned mail"):
            what = "returned"
        events.append(_event(times["failed_at"], what, error))
    # The times share one format and zone, so they sort as text.
    return sorted(events, key=lambda event: event["at"])


def _sent(record: Any, substitute_given: _Given | None) -> tuple[str, str | None]:
    if record.channel is Channel.LETTER:
        file, _, page = (record.message_id or "").removeprefix(PRINT_PREFIX).partition("#")
        return "exported_for_print", f"{file}, from page {page}"
    if record.channel is Channel.SUBSTITUTE:
        # Recorded just after the rows were marked: the first record at or after it.
        times, methods = substitute_given or ([], [])
        found = bisect.bisect_left(times, record.sent_at)
        return "substitute_notice_given", methods[found] if found < len(times) else None
    return "sent", f"accepted by the mail server as {record.message_id}"


def _event(at: str | None, what: str, detail: str | None) -> dict[str, Any]:
    return {"at": at, "event": what, "detail": detail}


def _as_is(text: str | None) -> str | None:
    return text


def _without_addresses(text: str | None) -> str | None:
    return None if text is None else _EMAIL_ADDRESS.sub("[email address]", text)


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def _contact(contact: Contact) -> dict[str, Any]:
    names = (contact.first_name, contact.middle_name, contact.last_name, contact.suffix)
    return {
        "name": " ".join(part for part in names if part) or None,
        "email": contact.emails[0] if contact.emails else None,
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "city": contact.city,
        "subdivision": contact.subdivision,
        "postcode": contact.postcode,
        "country": contact.country,
    }


def _write_rows(
    path: Path, rows: Iterator[dict[str, Any]], on_batch: Callable[[int], None]
) -> tuple[int, str]:
    """Each row as one line of JSON; returns the count and the file's SHA-256."""
    digest = hashlib.sha256()
    count = 0

    def lines() -> Iterator[bytes]:
        nonlocal count
        for row in rows:
            line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            digest.update(line)
            count += 1
            if count % BATCH == 0:
                on_batch(count)
            yield line

    _write_private(path, lines())
    on_batch(count)
    return count, digest.hexdigest()


def _write_private(path: Path, chunks: Iterable[bytes]) -> None:
    """Reference codes (and with --with-contact, names and addresses): mode 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an overwritten file keeps no wider mode it had
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
