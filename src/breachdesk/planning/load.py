"""The load notices put on the desk, hour by hour, and whether the desk keeps up.

Hours are counted on the desk's wall clock from midnight of the first day of a plan.
A notice's contacts start on the day it goes out: calls spread over that day's open
hours from the moment it is sent, emails over the hours left in the day, and both then
fall off day by day (``CapacityModel.day_shares``). The phones are staffed first, with
the fewest agents that answer the service-level target; the other agents answer emails,
oldest first, and every email must be answered within the desk's first-response hours.

The whole horizon is evaluated at once with arrays: the planner asks "does this wave
still fit?" thousands of times. The email queue is the Lindley recursion
(backlog = max(0, backlog before + arrived - answered)) in closed form, and the oldest
email waiting is found from the cumulative counts, which first-in-first-out makes exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

import numpy as np

from breachdesk.planning.capacity import (
    SECONDS_PER_HOUR,
    CapacityModel,
    average_speed_of_answer,
    service_level,
    traffic_of,
)

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Batch:
    """Notices that went out (or will) at one moment: their contacts are load."""

    at: datetime
    people: int


@dataclass(frozen=True)
class Evaluation:
    """Every hour of a timeline: calls, the agents the phones need for the target
    (agents + 1 when even all of them fall short), emails arriving, emails waiting at the
    end of the hour and how long the oldest of them has waited."""

    calls: np.ndarray
    phone_agents: np.ndarray
    emails: np.ndarray
    backlog: np.ndarray
    oldest_email_hours: np.ndarray
    phones_ok: np.ndarray
    emails_ok: np.ndarray

    @property
    def within(self) -> np.ndarray:
        return self.phones_ok & self.emails_ok

    def fits(self, check_from: int, load_ends: int) -> bool:
        """Every hour within capacity from ``check_from`` until an added load has ended
        and left no email waiting (after that, hours are as they were before it)."""
        later = np.flatnonzero(self.backlog[load_ends:] <= 0)
        stop = load_ends + int(later[0]) if len(later) else len(self.calls)
        return bool(self.within[check_from:stop].all())


class Timeline:
    """Predicted calls and emails for every hour of ``days`` days from ``first_day``."""

    def __init__(self, model: CapacityModel, first_day: date, days: int) -> None:
        self.model = model
        self.first_day = first_day
        self.calls = np.zeros(days * HOURS_PER_DAY)
        self.emails = np.zeros(days * HOURS_PER_DAY)
        self._kernels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        curve = model.staffing_curve()
        self._limits = np.array([curve.limit(agents) for agents in range(model.agents + 1)])
        day = np.array([hour in model.open_hours for hour in range(HOURS_PER_DAY)])
        self._open = np.tile(day, days)

    @property
    def hours(self) -> int:
        return len(self.calls)

    def hour_of(self, moment: datetime) -> int:
        """The hour ``moment`` falls in (negative before the first day)."""
        local = moment.astimezone(self.model.zone)
        return (local.date() - self.first_day).days * HOURS_PER_DAY + local.hour

    def start_of(self, hour: int) -> datetime:
        day = self.first_day + timedelta(days=hour // HOURS_PER_DAY)
        return datetime.combine(day, time(hour % HOURS_PER_DAY), tzinfo=self.model.zone)

    def kernel(self, hour_of_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Calls and emails, hour by hour from that day's midnight, that one notice sent
        at ``hour_of_day`` brings."""
        found = self._kernels.get(hour_of_day)
        if found is not None:
            return found
        model = self.model
        shares = list(model.day_shares())
        length = (len(shares) + 1) * HOURS_PER_DAY
        calls, emails = np.zeros(length), np.zeros(length)
        first_calls = model.call_weights(hour_of_day)
        every_hour = model.call_weights()
        # Sent after closing time, a notice is read and called about from the next day.
        call_shares = shares if first_calls else [0.0, *shares]
        for day, share in enumerate(call_shares):
            for hour, weight in (first_calls if day == 0 else every_hour).items():
                calls[day * HOURS_PER_DAY + hour] += share * model.phone_share * weight
        for day, share in enumerate(shares):
            first = hour_of_day if day == 0 else 0
            spread = share * model.email_share / (HOURS_PER_DAY - first)
            emails[day * HOURS_PER_DAY + first : (day + 1) * HOURS_PER_DAY] += spread
        self._kernels[hour_of_day] = (calls, emails)
        return calls, emails

    def contribution(self, moment: datetime, people: float) -> tuple[int, np.ndarray, np.ndarray]:
        """(first hour, calls, emails) ``people`` notified at ``moment`` add, clipped to
        the timeline."""
        hour = self.hour_of(moment)
        kernel_calls, kernel_emails = self.kernel(hour % HOURS_PER_DAY)
        offset = hour - hour % HOURS_PER_DAY
        start, stop = max(offset, 0), min(offset + len(kernel_calls), self.hours)
        if start >= stop:
            return start, np.zeros(0), np.zeros(0)
        window = slice(start - offset, stop - offset)
        return start, people * kernel_calls[window], people * kernel_emails[window]

    def add(self, moment: datetime, people: float) -> None:
        start, calls, emails = self.contribution(moment, people)
        self.calls[start : start + len(calls)] += calls
        self.emails[start : start + len(emails)] += emails

    def evaluate(self, extra: tuple[int, np.ndarray, np.ndarray] | None = None) -> Evaluation:
        """The timeline's hours, with ``extra`` (first hour, calls, emails) added."""
        model, agents = self.model, self.model.agents
        calls, emails = self.calls, self.emails
        if extra is not None:
            first, more_calls, more_emails = extra
            calls, emails = calls.copy(), emails.copy()
            calls[first : first + len(more_calls)] += more_calls
            emails[first : first + len(more_emails)] += more_emails
        traffic = calls * (model.phone_handle_seconds / SECONDS_PER_HOUR)
        # limits[k] is the most traffic k agents take at the target: the first k whose
        # limit reaches the traffic is the fewest agents (agents + 1 past the last).
        needed = np.where(traffic > 0, np.searchsorted(self._limits, traffic, "left"), 0)
        staffed = np.minimum(needed, agents)
        answerable = np.where(self._open, (agents - staffed) * model.emails_per_agent_hour(), 0.0)
        arrived = np.cumsum(emails)
        net = np.cumsum(emails - answerable)
        backlog = net - np.minimum(np.minimum.accumulate(net), 0.0)
        tolerance = 1e-9 * max(1.0, float(arrived[-1]) if len(arrived) else 0.0)
        backlog[backlog <= tolerance] = 0.0
        # The oldest email waiting arrived in the first hour whose cumulative arrivals
        # exceed what has been answered so far.
        oldest_hour = np.searchsorted(arrived, arrived - backlog + tolerance, "right")
        hours = np.arange(len(calls))
        oldest = np.where(backlog > 0, hours + 1 - oldest_hour, 0)
        return Evaluation(
            calls,
            needed,
            emails,
            backlog,
            oldest,
            needed <= agents,
            oldest <= model.first_response_hours,
        )


@dataclass(frozen=True)
class HourLoad:
    """One hour as a planner reads it."""

    at: datetime
    calls: float
    phone_agents: int
    service_level: float
    average_wait_seconds: float
    emails: float
    email_backlog: float
    oldest_email_hours: float
    within_capacity: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "calls": round(self.calls, 1),
            "phone_agents": self.phone_agents,
            "service_level": round(self.service_level, 4),
            "average_wait_seconds": (
                round(self.average_wait_seconds, 1)
                if self.average_wait_seconds != float("inf")
                else None
            ),
            "emails": round(self.emails, 1),
            "email_backlog": round(self.email_backlog, 1),
            "oldest_email_hours": self.oldest_email_hours,
            "within_capacity": self.within_capacity,
        }


@dataclass(frozen=True)
class DayLoad:
    day: date
    notices: int  # notices going out that day
    calls: float
    peak_calls_per_hour: float
    emails: float
    most_emails_waiting: float
    within_capacity: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "notices": self.notices,
            "calls": round(self.calls, 1),
            "peak_calls_per_hour": round(self.peak_calls_per_hour, 1),
            "emails": round(self.emails, 1),
            "most_emails_waiting": round(self.most_emails_waiting, 1),
            "within_capacity": self.within_capacity,
        }


class LoadReport:
    """The whole timeline evaluated once, for reading: per hour and per day."""

    def __init__(self, timeline: Timeline, sends: list[Batch]) -> None:
        self.timeline = timeline
        self.sends = sends

    @cached_property
    def evaluation(self) -> Evaluation:
        return self.timeline.evaluate()

    @cached_property
    def last_hour(self) -> int:
        """The last hour with anything to do (none: -1)."""
        found = self.evaluation
        busy = np.flatnonzero((found.calls > 0) | (found.emails > 0) | (found.backlog > 0))
        return int(busy[-1]) if len(busy) else -1

    def hours(self) -> list[HourLoad]:
        """Every hour with calls, emails or emails waiting."""
        model, timeline, found = self.timeline.model, self.timeline, self.evaluation
        hours = []
        for hour in range(self.last_hour + 1):
            calls, backlog = float(found.calls[hour]), float(found.backlog[hour])
            if not (calls > 0 or found.emails[hour] > 0 or backlog > 0):
                continue
            staffed = min(int(found.phone_agents[hour]), model.agents)
            traffic = traffic_of(calls, model.phone_handle_seconds)
            hours.append(
                HourLoad(
                    at=timeline.start_of(hour),
                    calls=calls,
                    phone_agents=staffed,
                    service_level=service_level(
                        staffed, traffic, model.phone_handle_seconds, model.answer_seconds
                    ),
                    average_wait_seconds=average_speed_of_answer(
                        staffed, traffic, model.phone_handle_seconds
                    ),
                    emails=float(found.emails[hour]),
                    email_backlog=backlog,
                    oldest_email_hours=int(found.oldest_email_hours[hour]),
                    within_capacity=bool(found.within[hour]),
                )
            )
        return hours

    def days(self) -> list[DayLoad]:
        timeline, found = self.timeline, self.evaluation
        sent: dict[date, int] = {}
        for batch in self.sends:
            day = batch.at.astimezone(timeline.model.zone).date()
            sent[day] = sent.get(day, 0) + batch.people
        days = []
        for index in range(self.last_hour // HOURS_PER_DAY + 1):
            hours = slice(index * HOURS_PER_DAY, (index + 1) * HOURS_PER_DAY)
            day = timeline.first_day + timedelta(days=index)
            days.append(
                DayLoad(
                    day=day,
                    notices=sent.get(day, 0),
                    calls=float(found.calls[hours].sum()),
                    peak_calls_per_hour=float(found.calls[hours].max()),
                    emails=float(found.emails[hours].sum()),
                    most_emails_waiting=float(found.backlog[hours].max()),
                    within_capacity=bool(found.within[hours].all()),
                )
            )
        return days

    @property
    def within_capacity(self) -> bool:
        return bool(self.evaluation.within.all())
