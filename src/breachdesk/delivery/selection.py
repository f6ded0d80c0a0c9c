"""Who a wave takes: the people a law requires notice to, not yet given this kind of
notice, each on the first channel they can be reached by."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, case, cast, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from breachdesk.db import UTCDateTime
from breachdesk.delivery.models import Channel, ChannelPolicy, MessageState, OutboxMessage
from breachdesk.incidents.models import Incident
from breachdesk.notices.context import owing_laws
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import element_set


@dataclass(frozen=True)
class Group:
    """People who share a residence and an element set (as stored: bits, or None for
    "the incident's facts"), and so share whether any law requires notice to them."""

    jurisdiction: str | None
    elements: int | None


def owed_groups(*, db_session: Session, incident: Incident) -> list[Group]:
    """The groups of the incident's people that at least one law requires notice to."""
    person = AffectedPerson
    stored = db_session.execute(
        select(person.jurisdiction, person.elements)
        .where(person.incident_id == incident.id)
        .distinct()
    )
    return [
        Group(jurisdiction, bits)
        for jurisdiction, bits in stored
        if owing_laws(incident, jurisdiction, element_set(bits))
    ]


def channel_choice(policy: ChannelPolicy):
    """The channel and the reason for it (why not the first), as SQL over a person's row."""
    person = AffectedPerson
    order = [
        (person.has_email, Channel.EMAIL, "no email address"),
        (person.has_postal, Channel.LETTER, "no postal address"),
    ]
    if policy is ChannelPolicy.LETTER:
        order.reverse()
    (first_usable, first, first_missing), (second_usable, second, _) = order
    channel = case(
        (person.no_contact, _value(OutboxMessage.channel, Channel.SUBSTITUTE)),
        (first_usable, _value(OutboxMessage.channel, first)),
        (second_usable, _value(OutboxMessage.channel, second)),
        else_=_value(OutboxMessage.channel, Channel.SUBSTITUTE),
    )
    reason = case(
        (person.no_contact, literal("flagged no-contact: decide how to notify")),
        (first_usable, literal(None, String())),
        (second_usable, literal(first_missing)),
        else_=literal("no email or postal address"),
    )
    return channel, reason


def schedule(
    *,
    db_session: Session,
    incident: Incident,
    campaign_id: int,
    wave_id: int,
    kind: str,
    policy: ChannelPolicy,
    jurisdictions: Iterable[str] = (),
    size: int | None = None,
    now: datetime,
) -> dict[str, int]:
    """Outbox rows for the wave's people, in the caller's transaction; counts by channel."""
    person = AffectedPerson
    wanted = set(jurisdictions)
    groups = [
        group
        for group in owed_groups(db_session=db_session, incident=incident)
        if not wanted or group.jurisdiction in wanted
    ]
    channel, reason = channel_choice(policy)
    already = exists().where(OutboxMessage.person_id == person.id, OutboxMessage.kind == kind)
    remaining = size
    for group in groups:
        if remaining is not None and remaining <= 0:
            break
        chosen = (
            select(
                literal(campaign_id),
                literal(wave_id),
                person.id,
                literal(kind),
                channel,
                reason,
                _value(OutboxMessage.state, MessageState.QUEUED),
                literal(0),
                literal(0),
                literal(now, UTCDateTime()),
            )
            .where(
                person.incident_id == incident.id,
                _same(person.jurisdiction, group.jurisdiction),
                _same(person.elements, group.elements),
                ~already,
            )
            .order_by(person.id)
        )
        if remaining is not None:
            chosen = chosen.limit(remaining)
        added = db_session.execute(
            insert(OutboxMessage).from_select(
                [
                    "campaign_id",
                    "wave_id",
                    "person_id",
                    "kind",
                    "channel",
                    "channel_reason",
                    "state",
                    "attempts",
                    "resent_after_interruption",
                    "queued_at",
                ],
                chosen,
            )
        ).rowcount
        if remaining is not None:
            remaining -= added
    counts = db_session.execute(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.wave_id == wave_id)
        .group_by(OutboxMessage.channel)
    )
    return {channel.value: count for channel, count in counts}


def _value(column, value):
    # Typed, so PostgreSQL reads it as the column's enum rather than as text.
    return cast(literal(value.value), column.type)


def _same(column, value):
    return column.is_(None) if value is None else column == value
