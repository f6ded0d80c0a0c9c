"""Campaigns: created from approved templates, filled wave by wave, paused, resumed,
cancelled, and reported on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.delivery import jobs, selection
from breachdesk.delivery.events import (
    CampaignCreated,
    CampaignStateChanged,
    SupplementalPlanned,
    WaveScheduled,
)
from breachdesk.delivery.models import (
    FINAL_STATES,
    Campaign,
    CampaignState,
    Channel,
    ChannelPolicy,
    MessageState,
    OutboxMessage,
    Wave,
)
from breachdesk.delivery.pace import Pace, campaign_pace
from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError, NotFound
from breachdesk.notices.domains import host_of
from breachdesk.notices.models import NoticeTemplate
from breachdesk.notices.render import LANGUAGES
from breachdesk.notices.service import notice_sender
from breachdesk.notices.templates import versions
from breachdesk.people.models import AffectedPerson
from breachdesk.rules.service import assess_incident

# The first notice; every other kind goes to people whose latest notice is incomplete.
INITIAL = "initial"

# Which state a campaign may move to from which.
_MOVES = {
    CampaignState.PAUSED: {CampaignState.READY},
    CampaignState.READY: {CampaignState.PAUSED},
    CampaignState.CANCELLED: {CampaignState.READY, CampaignState.PAUSED},
    CampaignState.COMPLETED: {CampaignState.READY},
}


def notice_language(language: str | None) -> str:
    """The notice language for a person's preferred language: theirs when a template
    exists in it, else English."""
    short = (language or "en")[:2].lower()
    return short if short in LANGUAGES else "en"


@dataclass(frozen=True)
class MonitoringOffer:
    """The credit monitoring the notices offer: how long, and where to enrol."""

    months: int
    url: str

    def as_context(self) -> dict[str, object]:
        return {"months": self.months, "url": self.url}


def create_campaign(
    *,
    db_session: Session,
    incident_id: int,
    kind: str,
    channel_policy: ChannelPolicy,
    actor: str,
    offer: MonitoringOffer | None = None,
) -> Campaign:
    """A campaign for one notice kind; refused unless every language its people read has
    an approved template version (the shipped defaults are never sent unapproved), and
    unless it offers the credit monitoring any law requires for its people."""
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    _check_offer(db_session=db_session, incident=incident, offer=offer)
    spoken = db_session.scalars(
        select(AffectedPerson.language).where(AffectedPerson.incident_id == incident.id).distinct()
    )
    languages = sorted({notice_language(language) for language in spoken} or {"en"})
    templates: dict[str, int] = {}
    for language in languages:
        saved = versions(
            db_session=db_session, organisation=incident.organisation, kind=kind, language=language
        )
        approved = [version for version in saved if version.approved]
        if not approved:
            raise InputError(
                f"no approved {kind} template in {language!r}: start from `breachdesk notice "
                f"template show --default --kind {kind} --lang {language}`, save it with "
                f"`breachdesk notice template edit --org {incident.organisation.slug} --from "
                "FILE`, and have a legal_approver and a comms_approver approve it"
            )
        templates[language] = approved[-1].id
    campaign = Campaign(
        incident_id=incident.id,
        kind=kind,
        channel_policy=channel_policy,
        state=CampaignState.READY,
        templates=templates,
        remedy=offer.as_context() if offer else None,
        created_by=actor,
    )
    db_session.add(campaign)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=CampaignCreated(
            campaign=campaign.id,
            incident=incident.id,
            kind=kind,
            channel_policy=channel_policy.value,
            templates=templates,
            monitoring=campaign.remedy,
        ),
        actor=actor,
    )
    return campaign


def _check_offer(*, db_session: Session, incident: Incident, offer: MonitoringOffer | None) -> None:
    if offer is not None:
        if offer.months < 1:
            raise InputError("--monitoring-months: must be at least 1")
        host = host_of(offer.url)
        owned = incident.organisation.owned_domains
        if not offer.url.startswith("https://") or not any(
            host == domain or host.endswith(f".{domain}") for domain in owned
        ):
            # A notice links only to the organisation's own domains (a vendor's
            # enrolment page is linked from there): the Equifax lookalike-domain lesson.
            raise InputError(
                f"--enrol-url: {offer.url!r} must be https:// on one of the organisation's "
                f"own domains ({', '.join(owned)}); redirect from there to the vendor"
            )
    assessment = assess_incident(db_session=db_session, incident_id=incident.id)
    required = {
        code: result.credit_monitoring_months
        for code, result in assessment.jurisdictions.items()
        if result.credit_monitoring_months
    }
    if required and (offer is None or offer.months < max(required.values())):
        laws = ", ".join(f"{code} {months} months" for code, months in sorted(required.items()))
        raise InputError(
            f"the law requires credit monitoring for some of these people ({laws}): give "
            f"--monitoring-months {max(required.values())} (or more) and --enrol-url"
        )


@dataclass(frozen=True)
class SupplementalPlan:
    """Who needs a supplemental notice, why, and the campaign made for them (None when
    only planned, or when nobody needs one)."""

    revision: int  # the current fact revision, which the notices will tell
    groups: list[selection.IncompleteGroup]
    campaign: Campaign | None
    channels: dict[str, int]

    @property
    def people(self) -> int:
        return sum(group.people for group in self.groups)

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for group in self.groups:
            for reason in group.reasons:
                counts[reason] = counts.get(reason, 0) + group.people
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, object]:
        return {
            "incident_revision": self.revision,
            "people": self.people,
            "reasons": self.reasons(),
            "campaign": self.campaign.id if self.campaign else None,
            "channels": self.channels,
        }


def plan_supplemental(
    *,
    db_session: Session,
    incident_id: int,
    actor: str,
    kind: str = "supplemental",
    channel_policy: ChannelPolicy = ChannelPolicy.EMAIL,
    offer: MonitoringOffer | None = None,
    starts_at: datetime | None = None,
    dry_run: bool = False,
) -> SupplementalPlan:
    """After a wider fact revision: the people whose latest notice it made incomplete
    (and who have no notice of ``kind`` yet), and unless ``dry_run`` a campaign of
    ``kind`` with one wave of exactly them."""
    if kind == INITIAL:
        raise InputError(
            "--kind: the initial notice goes to people not yet told (`campaign wave`); a "
            "later notice is supplemental, or update after a supplemental one"
        )
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    groups = selection.incomplete_groups(db_session=db_session, incident=incident, kind=kind)
    plan = SupplementalPlan(incident.current_revision.number, groups, None, {})
    if dry_run or not groups:
        return plan
    campaign = create_campaign(
        db_session=db_session,
        incident_id=incident.id,
        kind=kind,
        channel_policy=channel_policy,
        actor=actor,
        offer=offer,
    )
    _wave, channels = schedule_wave(
        db_session=db_session,
        campaign_id=campaign.id,
        starts_at=starts_at or utcnow(),
        actor=actor,
        groups=[group.group for group in groups],  # found above: not looked up twice
    )
    plan = SupplementalPlan(plan.revision, groups, campaign, channels)
    audit.record(
        db_session=db_session,
        event=SupplementalPlanned(
            campaign=campaign.id,
            incident=incident.id,
            revision=plan.revision,
            people=plan.people,
            reasons=plan.reasons(),
        ),
        actor=actor,
    )
    return plan


def get_campaign(*, db_session: Session, campaign_id: int) -> Campaign:
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}; `breachdesk campaign list --incident ID`")
    return campaign


def list_campaigns(*, db_session: Session, incident_id: int) -> list[Campaign]:
    incidents.get_incident(db_session=db_session, incident_id=incident_id)
    return list(
        db_session.scalars(
            select(Campaign).where(Campaign.incident_id == incident_id).order_by(Campaign.id)
        )
    )


def schedule_wave(
    *,
    db_session: Session,
    campaign_id: int,
    starts_at: datetime,
    actor: str,
    jurisdictions: Iterable[str] = (),
    size: int | None = None,
    max_per_second: int | None = None,
    groups: list[selection.Group] | None = None,
) -> tuple[Wave, dict[str, int]]:
    """The next wave: people not yet in this kind of notice's outbox who are owed it
    (for an initial notice, those a law requires notice to; for a later one, those whose
    latest notice is incomplete, or ``groups`` when the caller has found them),
    optionally only some jurisdictions and at most ``size`` of them."""
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    if campaign.state in (CampaignState.CANCELLED, CampaignState.COMPLETED):
        raise InputError(f"campaign {campaign.id} is {campaign.state.value}: create a new one")
    if size is not None and size < 1:
        raise InputError("--size: must be at least 1")
    if max_per_second is not None and max_per_second < 1:
        raise InputError("--rate: must be at least 1 message a second")
    incident = incidents.get_incident(db_session=db_session, incident_id=campaign.incident_id)
    described = "everyone owed notice"
    if campaign.kind != INITIAL:
        # A later notice goes to those whose latest notice is now incomplete, never to
        # people not yet told at all (they are owed the initial notice).
        if groups is None:
            incomplete = selection.incomplete_groups(
                db_session=db_session, incident=incident, kind=campaign.kind
            )
            groups = [group.group for group in incomplete]
        described = f"notices made incomplete by revision {incident.current_revision.number}"
    wanted = sorted(set(jurisdictions))
    number = 1 + (
        db_session.scalar(select(func.max(Wave.number)).where(Wave.campaign_id == campaign.id)) or 0
    )
    described = ", ".join(wanted) if wanted else described
    wave = Wave(
        campaign_id=campaign.id,
        number=number,
        selection=described + (f", at most {size}" if size else ""),
        starts_at=starts_at,
        max_per_second=max_per_second,
        created_by=actor,
    )
    db_session.add(wave)
    db_session.flush()
    channels = selection.schedule(
        db_session=db_session,
        incident=incident,
        campaign_id=campaign.id,
        wave_id=wave.id,
        kind=campaign.kind,
        policy=campaign.channel_policy,
        jurisdictions=wanted,
        size=size,
        groups=groups,
        now=utcnow(),
    )
    if campaign.state is CampaignState.COMPLETED:
        campaign.state = CampaignState.READY
    # On PostgreSQL the jobs that send the wave commit with its rows.
    jobs.enqueue_sends(
        db_session=db_session,
        campaign_id=campaign.id,
        jobs=jobs.fan_out(channels.get(Channel.EMAIL.value, 0)),
        at=starts_at,
    )
    audit.record(
        db_session=db_session,
        event=WaveScheduled(
            campaign=campaign.id,
            incident=campaign.incident_id,
            wave=wave.number,
            selection=wave.selection,
            starts_at=starts_at.isoformat(),
            max_per_second=max_per_second,
            channels=channels,
        ),
        actor=actor,
    )
    return wave, channels


def change_state(
    *, db_session: Session, campaign_id: int, state: CampaignState, actor: str
) -> Campaign:
    """Pause, resume (back to ready), cancel, or mark complete."""
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    previous = campaign.state
    if previous is state:
        return campaign
    if previous not in _MOVES[state]:
        raise InputError(f"campaign {campaign.id} is {previous.value}: it cannot become {state}")
    campaign.state = state
    if state is CampaignState.READY:
        # Resumed: send what waited (on PostgreSQL; `campaign run` on SQLite).
        waiting = db_session.scalar(
            select(func.count()).where(
                OutboxMessage.campaign_id == campaign.id,
                OutboxMessage.channel == Channel.EMAIL,
                OutboxMessage.state.not_in(FINAL_STATES),
            )
        )
        jobs.enqueue_sends(
            db_session=db_session, campaign_id=campaign.id, jobs=jobs.fan_out(waiting or 0)
        )
    audit.record(
        db_session=db_session,
        event=CampaignStateChanged(
            campaign=campaign.id,
            incident=campaign.incident_id,
            state=state.value,
            previous=previous.value,
        ),
        actor=actor,
    )
    return campaign


@dataclass(frozen=True)
class CampaignStatus:
    campaign: Campaign
    owed: int  # people with a row in this campaign's outbox
    counts: dict[str, dict[str, int]]  # channel -> state -> count
    duplicates_suspected: int
    waves: list[Wave]
    pace: Pace

    def as_dict(self) -> dict[str, object]:
        by_state = {state.value: 0 for state in MessageState}
        for states in self.counts.values():
            for state, count in states.items():
                by_state[state] += count
        return {
            "id": self.campaign.id,
            "incident": self.campaign.incident_id,
            "kind": self.campaign.kind,
            "state": self.campaign.state.value,
            "channel_policy": self.campaign.channel_policy.value,
            "monitoring": self.campaign.remedy,
            "owed": self.owed,
            "counts": by_state,
            "by_channel": self.counts,
            "substitute_notice": sum(self.counts.get(Channel.SUBSTITUTE.value, {}).values()),
            "duplicates_suspected": self.duplicates_suspected,
            **self.pace.as_dict(),
            "waves": [
                {
                    "number": wave.number,
                    "selection": wave.selection,
                    "starts_at": wave.starts_at.isoformat(),
                    "max_per_second": wave.max_per_second,
                }
                for wave in self.waves
            ],
        }


def campaign_status(*, db_session: Session, campaign_id: int) -> CampaignStatus:
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    rows = db_session.execute(
        select(OutboxMessage.channel, OutboxMessage.state, func.count())
        .where(OutboxMessage.campaign_id == campaign.id)
        .group_by(OutboxMessage.channel, OutboxMessage.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for channel, state, count in rows:
        counts.setdefault(channel.value, {})[state.value] = count
    owed = db_session.scalar(
        select(func.count(func.distinct(OutboxMessage.person_id))).where(
            OutboxMessage.campaign_id == campaign.id
        )
    )
    duplicates = db_session.scalar(
        select(func.coalesce(func.sum(OutboxMessage.resent_after_interruption), 0)).where(
            OutboxMessage.campaign_id == campaign.id
        )
    )
    waves = list(
        db_session.scalars(
            select(Wave).where(Wave.campaign_id == campaign.id).order_by(Wave.number)
        )
    )
    pace = campaign_pace(db_session=db_session, campaign=campaign, now=utcnow())
    return CampaignStatus(campaign, owed or 0, counts, int(duplicates or 0), waves, pace)


def sender_domain(*, db_session: Session, campaign_id: int) -> str:
    """The domain of the campaign's sender: its Message-IDs and DKIM signature use it."""
    campaign = get_campaign(db_session=db_session, campaign_id=campaign_id)
    incident = incidents.get_incident(db_session=db_session, incident_id=campaign.incident_id)
    return notice_sender(incident.organisation).email.rsplit("@", 1)[1]


def campaign_templates(*, db_session: Session, campaign: Campaign) -> dict[str, NoticeTemplate]:
    """The template versions the campaign sends, by language."""
    return {
        language: db_session.get_one(NoticeTemplate, template_id)
        for language, template_id in campaign.templates.items()
    }
