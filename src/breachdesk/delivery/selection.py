"""Who a wave takes: the people a law requires notice to, not yet given this kind of
notice, each on the first channel they can be reached by; or, for a supplemental
notice, the people whose earlier notice a wider fact revision has made incomplete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, case, cast, exists, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from breachdesk.db import UTCDateTime
from breachdesk.delivery.models import Channel, ChannelPolicy, MessageState, OutboxMessage
from breachdesk.incidents.models import Incident
from breachdesk.incidents.scope import diff_revisions
from breachdesk.notices.context import owing_laws
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import element_set, elements_to_bits


@dataclass(frozen=True)
class Group:
    """People who share a residence and an element set (as stored: bits, or None for
    "the incident's facts"), and so share whether any law requires notice to them."""

    jurisdiction: str | None
    elements: int | None
    # For a supplemental notice: the fact revision of the person's latest notice and
    # the elements it listed (None when it was sent before notices recorded them).
    told: tuple[int, int | None] | None = None


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


@dataclass(frozen=True)
class IncompleteGroup:
    group: Group
    people: int
    reasons: tuple[str, ...]  # new elements, weakened protection, wider window


def incomplete_groups(
    *, db_session: Session, incident: Incident, kind: str
) -> list[IncompleteGroup]:
    """The groups of people whose latest notice the current fact revision has made
    incomplete, and who have no notice of ``kind`` yet: one of their own elements is new
    to it, or one it listed is less protected than it said, or the breach window is
    wider. A higher count of people affected alone does not make a person's own notice
    incomplete."""
    person, told = AffectedPerson, OutboxMessage
    revisions = {revision.number: revision for revision in incident.revisions}
    current = incident.current_revision
    current_facts = elements_to_bits(current.element_names)
    latest = _latest_sent_notice(told)
    planned = aliased(OutboxMessage)
    stored = db_session.execute(
        select(
            told.fact_revision,
            told.elements,
            person.jurisdiction,
            person.elements,
            func.count(func.distinct(person.id)),
        )
        .join(person, person.id == told.person_id)
        .where(
            person.incident_id == incident.id,
            latest,
            ~exists().where(planned.person_id == person.id, planned.kind == kind),
        )
        .group_by(told.fact_revision, told.elements, person.jurisdiction, person.elements)
    )
    found = []
    for revision_number, stored_bits, jurisdiction, own_bits, people in stored:
        if revision_number == current.number:
            continue
        earlier = revisions[revision_number]
        diff = diff_revisions(earlier, current)
        told_bits = stored_bits
        if told_bits is None:  # sent before notices recorded their elements
            told_bits = elements_to_bits(earlier.element_names) if own_bits is None else own_bits
        now_bits = current_facts if own_bits is None else own_bits
        reasons = []
        if now_bits & ~told_bits:
            reasons.append("new elements")
        weakened = elements_to_bits([change.element for change in diff.weakened_elements])
        if weakened & told_bits & now_bits:
            reasons.append("weaker protection")
        if diff.window_widened:
            reasons.append("wider window")
        if reasons:
            group = Group(jurisdiction, own_bits, told=(revision_number, stored_bits))
            found.append(IncompleteGroup(group, people, tuple(reasons)))
    return found


def _latest_sent_notice(told):
    """SQL over an outbox row ``told``: a sent notice, and the person's latest one."""
    later = aliased(OutboxMessage)
    return (told.state == MessageState.SENT) & ~exists().where(
        later.person_id == told.person_id,
        later.state == MessageState.SENT,
        later.fact_revision > told.fact_revision,
    )


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
    groups: list[Group] | None = None,
    now: datetime,
) -> dict[str, int]:
    """Outbox rows for the wave's people (those owed notice, or ``groups``), in the
    caller's transaction; counts by channel."""
    person = AffectedPerson
    wanted = set(jurisdictions)
    if groups is None:
        groups = owed_groups(db_session=db_session, incident=incident)
    groups = [group for group in groups if not wanted or group.jurisdiction in wanted]
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
        if group.told is not None:
            chosen = chosen.where(_told(group.told))
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


def _told(told: tuple[int, int | None]):
    """SQL over a person: their latest notice was from this revision, listing these
    elements."""
    revision, bits = told
    notice = aliased(OutboxMessage)
    return exists().where(
        notice.person_id == AffectedPerson.id,
        _latest_sent_notice(notice),
        notice.fact_revision == revision,
        _same(notice.elements, bits),
    )


def _value(column, value):
    # Typed, so PostgreSQL reads it as the column's enum rather than as text.
    return cast(literal(value.value), column.type)


def _same(column, value):
    return column.is_(None) if value is None else column == value
