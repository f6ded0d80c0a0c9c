"""What the desk is receiving against what it can answer: inquiries a day over the last
days, the open queue by service-level state, and the inquiries a day the desk's agents
can answer as the capacity model sees them. Read only; counted in the database, so a
dashboard stays fast however many people an incident has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from breachdesk.desk.models import Inquiry, InquiryStatus
from breachdesk.desk.service import ServiceLevels
from breachdesk.planning.capacity import CapacityModel


@dataclass(frozen=True)
class DayCount:
    day: date  # on the desk's wall clock
    inquiries: int


@dataclass(frozen=True)
class QueueCounts:
    """Inquiries by where they stand: open ones split by their service-level clocks."""

    total: int
    open: int
    answered: int
    resolved: int
    overdue: int  # open and past a service level
    at_risk: int  # open, within the warning time of its next service level
    on_time: int  # open with time to spare


def daily_capacity(model: CapacityModel) -> float:
    """The written inquiries a day the desk can answer: every agent answering them
    through the opening hours at the modelled handling time."""
    return model.agents * len(model.open_hours) * model.emails_per_agent_hour()


def inquiries_per_day(
    *, db_session: Session, incident_id: int, model: CapacityModel, today: date, days: int = 14
) -> list[DayCount]:
    """Inquiries received each of the ``days`` days up to ``today`` (desk time), oldest
    first, counted in one query."""
    zone = model.zone
    first = today - timedelta(days=days - 1)
    bounds = [
        datetime.combine(first + timedelta(days=index), time.min, tzinfo=zone)
        for index in range(days + 1)
    ]
    received = Inquiry.received_at
    columns = [
        func.count().filter(and_(received >= start, received < end))
        for start, end in pairwise(bounds)
    ]
    row = db_session.execute(
        select(*columns).where(
            Inquiry.incident_id == incident_id, received >= bounds[0], received < bounds[-1]
        )
    ).one()
    return [DayCount(first + timedelta(days=i), int(count or 0)) for i, count in enumerate(row)]


def queue_counts(
    *, db_session: Session, incident_id: int, levels: ServiceLevels, now: datetime
) -> QueueCounts:
    """The incident's inquiries by status, and the open ones by their clocks. Only the
    open ones' timestamps are read (never their contents)."""
    by_status = dict(
        db_session.execute(
            select(Inquiry.status, func.count())
            .where(Inquiry.incident_id == incident_id)
            .group_by(Inquiry.status)
        ).all()
    )
    states = {"breached": 0, "warning": 0, "ok": 0, "met": 0}
    rows = db_session.execute(
        select(
            Inquiry.received_at,
            Inquiry.acknowledged_at,
            Inquiry.first_response_at,
            Inquiry.resolved_at,
        ).where(Inquiry.incident_id == incident_id, Inquiry.status == InquiryStatus.OPEN)
    )
    for row in rows:
        states[levels.clocks(row, now).state] += 1  # a row reads like an inquiry
    return QueueCounts(
        total=sum(by_status.values()),
        open=by_status.get(InquiryStatus.OPEN, 0),
        answered=by_status.get(InquiryStatus.ANSWERED, 0),
        resolved=by_status.get(InquiryStatus.RESOLVED, 0),
        overdue=states["breached"],
        at_risk=states["warning"],
        on_time=states["ok"] + states["met"],
    )
