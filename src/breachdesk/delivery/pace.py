"""How fast a campaign is going, when it will be done at that pace, and whether that is
before the earliest legal deadline of the people it owes notice to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.delivery.models import Campaign, Channel, MessageState, OutboxMessage
from breachdesk.rules.service import assess_incident

# The pace is measured over this window: recent enough to follow a pause or a new wave.
WINDOW = timedelta(minutes=10)
_OPEN_STATES = (MessageState.QUEUED, MessageState.SENDING, MessageState.DEFERRED)


@dataclass(frozen=True)
class Pace:
    remaining: int  # emails and letters not yet sent, bounced or failed
    per_second: float | None  # notices sent a second over the last ten minutes
    eta: datetime | None  # when the remaining would be done at that pace
    earliest_deadline: tuple[str, date] | None  # (law, day) of the soonest individual notice
    on_track: bool | None  # eta no later than that day; None when either is unknown

    def as_dict(self) -> dict[str, object]:
        return {
            "remaining": self.remaining,
            "rate_per_second": round(self.per_second, 2) if self.per_second else None,
            "eta": self.eta.isoformat() if self.eta else None,
            "earliest_deadline": (
                {"jurisdiction": self.earliest_deadline[0], "day": self.earliest_deadline[1]}
                if self.earliest_deadline
                else None
            ),
            "on_track": self.on_track,
        }


def campaign_pace(*, db_session: Session, campaign: Campaign, now: datetime) -> Pace:
    message = OutboxMessage
    remaining = db_session.scalar(
        select(func.count()).where(
            message.campaign_id == campaign.id,
            message.channel != Channel.SUBSTITUTE,
            message.state.in_(_OPEN_STATES),
        )
    )
    recent = db_session.scalar(
        select(func.count()).where(
            message.campaign_id == campaign.id,
            message.state == MessageState.SENT,
            message.sent_at >= now - WINDOW,
        )
    )
    per_second = recent / WINDOW.total_seconds() if recent else None
    eta = now + timedelta(seconds=remaining / per_second) if per_second and remaining else None
    assessment = assess_incident(db_session=db_session, incident_id=campaign.incident_id)
    deadlines = [
        (result.individual_due.day, code)
        for code, result in assessment.jurisdictions.items()
        if result.residents_owed_notice and result.individual_due
    ]
    earliest = min(deadlines) if deadlines else None
    on_track = None
    if earliest and not remaining:
        on_track = True
    elif earliest and eta:
        on_track = eta.date() <= earliest[0]
    return Pace(
        remaining=remaining or 0,
        per_second=per_second,
        eta=eta,
        earliest_deadline=(earliest[1], earliest[0]) if earliest else None,
        on_track=on_track,
    )


BURN_DOWN_POINTS = 24


def burn_down(
    *, db_session: Session, campaign: Campaign, now: datetime, points: int = BURN_DOWN_POINTS
) -> tuple[list[datetime], dict[str, list[int]]]:
    """Emails and letters still to hand over, by channel, at ``points`` moments evenly
    spaced from the campaign's first queued notice to ``now``: the burn-down. (Substitute
    notice is posted, not sent one by one.) One query however big the campaign: a count
    per moment, not a row per notice. Empty before anything is queued."""
    first = db_session.scalar(
        select(func.min(OutboxMessage.queued_at)).where(OutboxMessage.campaign_id == campaign.id)
    )
    if first is None:
        return [], {}
    span = max(now - first, timedelta(minutes=1))
    moments = [first + span * index / (points - 1) for index in range(points)]
    columns = []
    for moment in moments:
        columns += [
            func.count().filter(OutboxMessage.queued_at <= moment),
            func.count().filter(OutboxMessage.sent_at <= moment),
            func.count().filter(OutboxMessage.failed_at <= moment),
        ]
    rows = db_session.execute(
        select(OutboxMessage.channel, *columns)
        .where(
            OutboxMessage.campaign_id == campaign.id,
            OutboxMessage.channel != Channel.SUBSTITUTE,
        )
        .group_by(OutboxMessage.channel)
    )
    remaining = {}
    for channel, *counts in rows:
        remaining[Channel(channel).value] = [
            queued - sent - failed
            for queued, sent, failed in zip(counts[0::3], counts[1::3], counts[2::3], strict=True)
        ]
    return moments, remaining
