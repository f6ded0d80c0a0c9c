"""The load notices put on the desk, hour by hour, and whether the desk keeps up.

Hours are counted on the desk's wall clock from midnight of the first day of a plan.
A notice's contacts start on the day it goes out: calls spread over that day's open
hours from the moment it is sent, emails over the hours left in the day, and both then
fall off day by day (``CapacityModel.day_shares``). The phones are staffed first, with
the fewest agents that answer the service-level target; the other agents answer emails,
oldest first, and every email must be answered within the desk's first-response hours.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
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


class EmailQueue:
    """Emails waiting for an answer, oldest first, as [hour they arrived, how many]."""

    def __init__(self, waiting: deque[list[float]] | None = None, backlog: float = 0.0) -> None:
        self.waiting: deque[list[float]] = waiting if waiting is not None else deque()
        self.backlog = backlog  # how many are waiting

    def copy(self) -> EmailQueue:
        return EmailQueue(deque([hour, count] for hour, count in self.waiting), self.backlog)

    def step(self, hour: int, arrived: float, capacity: float) -> None:
        """An hour: ``arrived`` emails join the queue, ``capacity`` are answered."""
        if arrived > 0:
            self.waiting.append([hour, arrived])
            self.backlog += arrived
        while capacity > 0 and self.waiting:
            oldest = self.waiting[0]
            answered = min(capacity, oldest[1])
            oldest[1] -= answered
            capacity -= answered
            self.backlog -= answered
            if oldest[1] <= 1e-9:
                self.waiting.popleft()
        if not self.waiting:
            self.backlog = 0.0

    def oldest_wait(self, hour: int) -> float:
        """Hours the oldest waiting email has waited at the end of ``hour``."""
        return hour + 1 - self.waiting[0][0] if self.waiting else 0.0


@dataclass(frozen=True)
class HourState:
    hour: int
    calls: float
    phone_agents: int  # the fewest meeting the target; agents + 1 when none would
    emails: float
    backlog: float
    oldest_email_hours: float
    phones_ok: bool
    emails_ok: bool

    @property
    def within(self) -> bool:
        return self.phones_ok and self.emails_ok


class Timeline:
    """Predicted calls and emails for every hour of ``days`` days from ``first_day``."""

    def __init__(self, model: CapacityModel, first_day: date, days: int) -> None:
        self.model = model
        self.first_day = first_day
        self.calls = np.zeros(days * HOURS_PER_DAY)
        self.emails = np.zeros(days * HOURS_PER_DAY)
        self._kernels: dict[int, tuple[np.ndarray, np.ndarray]] = {}

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

    def contribution(self, moment: datetime, people: float):
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

    def _run(
        self,
        start: int,
        queue: EmailQueue,
        extra: tuple[int, np.ndarray, np.ndarray] | None,
        stop: int | None,
    ) -> Iterator[tuple[int, float, int, float]]:
        """(hour, calls, phone agents needed, emails) for each hour from ``start``,
        stepping ``queue``; the planner calls this thousands of times, so it reads
        plain lists and asks the staffing curve directly."""
        model = self.model
        stop = self.hours if stop is None else stop
        open_hour = [hour in model.open_hours for hour in range(HOURS_PER_DAY)]
        per_agent, agents = model.emails_per_agent_hour(), model.agents
        erlangs_per_call = model.phone_handle_seconds / SECONDS_PER_HOUR
        curve = model.staffing_curve()
        calls = self.calls[start:stop].tolist()
        emails = self.emails[start:stop].tolist()
        if extra is not None:
            extra_start, extra_calls, extra_emails = extra
            low, high = max(extra_start, start), min(extra_start + len(extra_calls), stop)
            for hour in range(low, high):
                calls[hour - start] += float(extra_calls[hour - extra_start])
                emails[hour - start] += float(extra_emails[hour - extra_start])
        for index, hour in enumerate(range(start, stop)):
            hour_calls = calls[index]
            needed = curve.agents_for(hour_calls * erlangs_per_call, agents) if hour_calls else 0
            capacity = (agents - needed) * per_agent if open_hour[hour % HOURS_PER_DAY] else 0
            queue.step(hour, emails[index], max(capacity, 0.0))
            yield hour, hour_calls, needed, emails[index]

    def walk(
        self,
        start: int,
        queue: EmailQueue,
        extra: tuple[int, np.ndarray, np.ndarray] | None = None,
        stop: int | None = None,
    ) -> Iterator[HourState]:
        """Each hour from ``start`` (with the emails waiting then), with ``extra`` load
        added where given; ``queue`` is left as it is after the last hour walked."""
        agents, limit = self.model.agents, self.model.first_response_hours
        for hour, calls, needed, emails in self._run(start, queue, extra, stop):
            oldest = queue.oldest_wait(hour)
            yield HourState(
                hour,
                calls,
                needed,
                emails,
                queue.backlog,
                oldest,
                needed <= agents,
                oldest <= limit,
            )

    def fits(
        self,
        start: int,
        queue: EmailQueue,
        extra: tuple[int, np.ndarray, np.ndarray],
        check_from: int,
    ) -> bool:
        """Whether every hour from ``check_from`` stays within capacity with ``extra``
        added, following the emails until none of its load or backlog is left."""
        agents, limit = self.model.agents, self.model.first_response_hours
        extra_end = extra[0] + len(extra[1])
        queue = queue.copy()
        for hour, _calls, needed, _emails in self._run(start, queue, extra, None):
            if hour < check_from:
                continue
            if needed > agents or queue.oldest_wait(hour) > limit:
                return False
            if hour >= extra_end and not queue.waiting:
                return True  # past its load with nothing waiting: as it was before
        return True


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
    """The whole timeline walked once, for reading: per hour and per day."""

    def __init__(self, timeline: Timeline, sends: list[Batch]) -> None:
        self.timeline = timeline
        self.sends = sends

    @cached_property
    def states(self) -> list[HourState]:
        return list(self.timeline.walk(0, EmailQueue()))

    @cached_property
    def last_hour(self) -> int:
        """The last hour with anything to do (none: -1)."""
        busy = [s.hour for s in self.states if s.calls > 0 or s.emails > 0 or s.backlog > 0]
        return busy[-1] if busy else -1

    def hours(self) -> list[HourLoad]:
        model, timeline = self.timeline.model, self.timeline
        found = []
        for state in self.states[: self.last_hour + 1]:
            if not (state.calls > 0 or state.emails > 0 or state.backlog > 0):
                continue
            staffed = min(state.phone_agents, model.agents)
            traffic = traffic_of(state.calls, model.phone_handle_seconds)
            found.append(
                HourLoad(
                    at=timeline.start_of(state.hour),
                    calls=state.calls,
                    phone_agents=staffed,
                    service_level=service_level(
                        staffed, traffic, model.phone_handle_seconds, model.answer_seconds
                    ),
                    average_wait_seconds=average_speed_of_answer(
                        staffed, traffic, model.phone_handle_seconds
                    ),
                    emails=state.emails,
                    email_backlog=state.backlog,
                    oldest_email_hours=state.oldest_email_hours,
                    within_capacity=state.within,
                )
            )
        return found

    def days(self) -> list[DayLoad]:
        timeline = self.timeline
        sent: dict[date, int] = {}
        for batch in self.sends:
            day = batch.at.astimezone(timeline.model.zone).date()
            sent[day] = sent.get(day, 0) + batch.people
        found = []
        last_day = self.last_hour // HOURS_PER_DAY
        for index in range(last_day + 1):
            states = self.states[index * HOURS_PER_DAY : (index + 1) * HOURS_PER_DAY]
            day = timeline.first_day + timedelta(days=index)
            found.append(
                DayLoad(
                    day=day,
                    notices=sent.get(day, 0),
                    calls=sum(state.calls for state in states),
                    peak_calls_per_hour=max(state.calls for state in states),
                    emails=sum(state.emails for state in states),
                    most_emails_waiting=max(state.backlog for state in states),
                    within_capacity=all(state.within for state in states),
                )
            )
        return found

    @property
    def within_capacity(self) -> bool:
        return all(state.within for state in self.states)
