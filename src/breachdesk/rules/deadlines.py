"""Turning a rule's deadline into a date: calendar days, business days with real
holiday calendars, or hours.

A clock's instant becomes a calendar date as read in UTC-12, the earliest date anywhere
on Earth at that instant, so a computed deadline is never later than the one counted
from the local date where the organisation or the resident is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

import holidays

from breachdesk.rules.schema import Deadline

EARLIEST_ZONE = timezone(timedelta(hours=-12))
SATURDAY = 5


@dataclass(frozen=True)
class StartingPoint:
    """When a deadline's clock started: a date, and the instant where one is known."""

    day: date
    instant: datetime | None = None

    @classmethod
    def at(cls, instant: datetime) -> StartingPoint:
        return cls(day=instant.astimezone(EARLIEST_ZONE).date(), instant=instant)


@dataclass(frozen=True)
class Due:
    day: date
    instant: datetime | None = None  # set for deadlines counted in hours


def clock_date(instant: datetime) -> date:
    return StartingPoint.at(instant).day


def due(deadline: Deadline, start: StartingPoint, holiday_calendar: str | None) -> Due | None:
    """The date a deadline falls on, or None where the law sets no number."""
    if deadline.hours is not None:
        instant = start.instant or datetime.combine(start.day, datetime.min.time(), tzinfo=UTC)
        end = instant + timedelta(hours=deadline.hours)
        return Due(day=end.astimezone(UTC).date(), instant=end)
    if deadline.days is None:
        return None
    if deadline.business_days:
        if holiday_calendar is None:
            raise ValueError("business-day deadline without a holiday calendar")
        return Due(day=add_business_days(start.day, deadline.days, holiday_calendar))
    return Due(day=start.day + timedelta(days=deadline.days))


def add_business_days(start: date, days: int, holiday_calendar: str) -> date:
    """The date ``days`` working days after ``start`` (weekends and holidays skipped)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, holiday_calendar):
            counted += 1
    return day


def is_business_day(day: date, holiday_calendar: str) -> bool:
    return day.weekday() < SATURDAY and day not in _holidays(holiday_calendar, day.year)


@cache
def _holidays(holiday_calendar: str, year: int) -> frozenset[date]:
    """Public holidays for a calendar code: ``US``, ``US-CA`` (a state) or ``GB``."""
    country, _, subdivision = holiday_calendar.partition("-")
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(calendar.keys())
