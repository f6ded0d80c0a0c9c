"""When a channel fails for good, the person's notice goes on by the next one: an email
that bounced becomes a letter, and with no postal address, the substitute-notice list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.delivery.models import Channel, MessageState, OutboxMessage
from breachdesk.people.models import AffectedPerson


def queue_next_channel(
    *, db_session: Session, failed: OutboxMessage, reason: str, now: datetime
) -> OutboxMessage | None:
    """A queued row on the next usable channel after ``failed``'s, unless the person
    already has one; returns the new row, or None."""
    person = db_session.get_one(AffectedPerson, failed.person_id)
    if failed.channel is Channel.EMAIL:
        channel = Channel.LETTER if person.has_postal and not person.no_contact else None
    elif failed.channel is Channel.LETTER:
        channel = Channel.EMAIL if person.has_email and not person.no_contact else None
    else:
        return None  # the substitute-notice list is the last resort
    existing = set(
        db_session.scalars(
            select(OutboxMessage.channel).where(
                OutboxMessage.person_id == failed.person_id, OutboxMessage.kind == failed.kind
            )
        )
    )
    if channel is None or channel in existing:
        channel = Channel.SUBSTITUTE
        if channel in existing:
            return None
    row = OutboxMessage(
        campaign_id=failed.campaign_id,
        wave_id=failed.wave_id,
        person_id=failed.person_id,
        kind=failed.kind,
        channel=channel,
        channel_reason=f"{failed.channel.value} failed: {reason}"[:120],
        state=MessageState.QUEUED,
        attempts=0,
        resent_after_interruption=0,
        queued_at=now,
    )
    db_session.add(row)
    db_session.flush()
    return row
