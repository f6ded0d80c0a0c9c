"""The substitute-notice list: people owed notice whom no channel reaches (no email or
postal address, or flagged no-contact), exported for the response team, and the
substitute notice recorded once it is given.

Most US breach laws accept substitute notice for people without contact details: a
conspicuous posting on the organisation's website, notice to statewide media, and an
email where one is known. Which applies is counsel's call; breachdesk keeps the list,
so nobody owed notice is silently nowhere, and records when and how it was given.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from breachdesk.delivery.models import Channel, MessageState, OutboxMessage
from breachdesk.delivery.printing import write_private
from breachdesk.delivery.service import get_campaign
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.flows import spreadsheet_safe
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring

LIST_FIELDS = ("reference", "name", "jurisdiction", "reason", "listed_at")


def _waiting(campaign_id: int):
    return (
        (OutboxMessage.campaign_id == campaign_id)
        & (OutboxMessage.channel == Channel.SUBSTITUTE)
        & (OutboxMessage.state == MessageState.QUEUED)
    )


def export_substitute_list(
    *, db_session: Session, keyring: Keyring, campaign_id: int, out: Path
) -> int:
    """Write the campaign's people awaiting substitute notice to ``out`` (a CSV, mode
    0600: it holds names); returns how many."""
    get_campaign(db_session=db_session, campaign_id=campaign_id)
    if out.is_dir():
        raise InputError(f"--out: {out} is a folder; give a file name ending in .csv")
    rows = db_session.execute(
        select(AffectedPerson, OutboxMessage.channel_reason, OutboxMessage.queued_at)
        .join(AffectedPerson, AffectedPerson.id == OutboxMessage.person_id)
        .where(_waiting(campaign_id))
        .order_by(OutboxMessage.id)
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=LIST_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    listed = 0
    for person, reason, queued_at in rows:
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        writer.writerow(
            {
                "reference": references.display(person.reference),
                "name": spreadsheet_safe(name),
                "jurisdiction": person.jurisdiction or "",
                "reason": spreadsheet_safe(reason),
                "listed_at": queued_at.isoformat(),
            }
        )
        listed += 1
    write_private(out, text.getvalue().encode("utf-8"))
    return listed


def record_substitute_notice(
    *, db_session: Session, campaign_id: int, method: str, now: datetime
) -> int:
    """Mark everyone awaiting substitute notice in the campaign as given it, by
    ``method`` (what was done, where, when), from the current fact revision."""
    method = method.strip()
    if len(method) < 10:
        raise InputError(
            "--method: say how substitute notice was given, e.g. 'website posting at "
            "https://example.com/notice from 2026-11-25 and statewide media in TX'"
        )
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    incident = incidents.get_incident(db_session=db_session, incident_id=campaign.incident_id)
    return db_session.execute(
        update(OutboxMessage)
        .where(_waiting(campaign_id))
        .values(
            state=MessageState.SENT,
            sent_at=now,
            fact_revision=incident.current_revision.number,
            last_error=None,
        )
    ).rowcount
