"""The wave plan for a stored incident, and scheduling it on a campaign.

The people planned are exactly those a campaign's next wave would take: owed notice by
at least one law (`delivery.selection.owed_groups`) and without an outbox row of this
notice kind yet, counted by residence and stored elements. Notices already queued or
sent for the incident still bring calls, so they are load the plan starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from breachdesk.delivery import selection
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import (
    FINAL_STATES,
    Campaign,
    CampaignState,
    Channel,
    MessageState,
    OutboxMessage,
    Wave,
)
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.people.models import AffectedPerson
from breachdesk.people.records import element_set, elements_to_bits
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.load import Batch
from breachdesk.planning.waves import OwedGroup, WavePlan, owed_groups, plan
from breachdesk.rules.engine import Assessment, PeopleGroup
from breachdesk.rules.service import assess_incident

# Waves are planned for the first notice; a later kind goes to the people whose notice a
# wider fact revision made incomplete (`campaign plan-supplemental`).
KIND = delivery.INITIAL


def unnotified_groups(
    *, db_session: Session, incident_id: int, assessment: Assessment | None = None
) -> list[OwedGroup]:
    """The incident's people owed notice and not yet in this kind's outbox, by residence
    and elements, each with the deadline that binds them. ``assessment``: the incident's,
    when the caller has it already (assessing takes a while on a big incident)."""
    person = AffectedPerson
    rows = db_session.execute(
        select(person.jurisdiction, person.elements, func.count())
        .where(
            person.incident_id == incident_id,
            ~exists().where(OutboxMessage.person_id == person.id, OutboxMessage.kind == KIND),
        )
        .group_by(person.jurisdiction, person.elements)
        .order_by(person.jurisdiction, person.elements)
    )
    groups = [PeopleGroup(residence, element_set(bits), count) for residence, bits, count in rows]
    assessment = assessment or assess_incident(db_session=db_session, incident_id=incident_id)
    return owed_groups(assessment, groups)


def notices_out(*, db_session: Session, incident_id: int, now: datetime) -> list[Batch]:
    """The incident's notices of this kind already sent, or queued to go: when each
    wave started (sent rows) or will start (the rest), and how many."""
    message = OutboxMessage
    waiting = message.state.not_in(FINAL_STATES) & (Campaign.state != CampaignState.CANCELLED)
    rows = db_session.execute(
        select(Wave.starts_at, message.state, func.count())
        .join(Wave, Wave.id == message.wave_id)
        .join(Campaign, Campaign.id == message.campaign_id)
        .where(
            Campaign.incident_id == incident_id,
            message.kind == KIND,
            message.channel != Channel.SUBSTITUTE,
            (message.state == MessageState.SENT) | waiting,
        )
        .group_by(Wave.starts_at, message.state)
    )
    return [
        Batch(starts_at if state is MessageState.SENT else max(starts_at, now), count)
        for starts_at, state, count in rows
    ]


def plan_incident(
    *, db_session: Session, incident_id: int, model: CapacityModel, rate: int, now: datetime
) -> WavePlan:
    incidents.get_incident(db_session=db_session, incident_id=incident_id)
    groups = unnotified_groups(db_session=db_session, incident_id=incident_id)
    earlier = notices_out(db_session=db_session, incident_id=incident_id, now=now)
    return plan(groups, model, rate, now, earlier=earlier)


@dataclass(frozen=True)
class ScheduledWave:
    planned: int  # the plan's wave number
    wave: int  # the campaign's wave number
    people: int  # outbox rows it made
    channels: dict[str, int]


def schedule_plan(
    *, db_session: Session, incident_id: int, campaign_id: int, wave_plan: WavePlan, actor: str
) -> list[ScheduledWave]:
    """The plan's waves, scheduled on the campaign through `delivery.service.schedule_wave`
    (which records each in the audit trail), each taking exactly its planned groups."""
    campaign = delivery.get_campaign(db_session=db_session, campaign_id=campaign_id)
    if campaign.incident_id != incident_id:
        raise InputError(
            f"--campaign: campaign {campaign.id} is of incident {campaign.incident_id}, not "
            f"{incident_id}; see `breachdesk campaign list --incident {incident_id}`"
        )
    if campaign.kind != KIND:
        raise InputError(
            f"--campaign: campaign {campaign.id} sends {campaign.kind!r} notices; waves are "
            f"planned for the {KIND!r} notice (a supplemental notice goes out with "
            "`breachdesk campaign plan-supplemental`)"
        )
    if campaign.state not in (CampaignState.READY, CampaignState.PAUSED):
        raise InputError(
            f"--campaign: campaign {campaign.id} is {campaign.state.value} and takes no more "
            "waves; create a new one with `breachdesk campaign create`"
        )
    if not wave_plan.feasible:
        agents = wave_plan.shortfall.agents_needed if wave_plan.shortfall else None
        raise InputError(
            "--campaign: the plan does not fit (see its shortfall), so nothing was scheduled; "
            + (f"with {agents} agents, run again with --agents {agents}; " if agents else "")
            + "or schedule waves by hand with `breachdesk campaign wave`"
        )
    scheduled = []
    for planned in wave_plan.waves:
        wave, channels = delivery.schedule_wave(
            db_session=db_session,
            campaign_id=campaign.id,
            starts_at=planned.starts_at,
            actor=actor,
            # Named only when everyone in the wave has a residence: a wave naming
            # jurisdictions leaves out people with none.
            jurisdictions=(
                sorted(planned.jurisdictions) if None not in planned.jurisdictions else ()
            ),
            size=planned.people,
            max_per_second=wave_plan.rate,
            # In plan order, so the size cuts the last (latest-deadline) group, as planned.
            groups=[
                selection.Group(
                    part.group.jurisdiction,
                    None
                    if part.group.elements is None
                    else elements_to_bits([element.value for element in part.group.elements]),
                )
                for part in planned.parts
            ],
        )
        scheduled.append(
            ScheduledWave(planned.number, wave.number, sum(channels.values()), channels)
        )
    return scheduled
