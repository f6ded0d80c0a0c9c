"""The wave plan: when to send whom, so that every deadline is met and the desk keeps up.

Pure functions over plain data (groups of people owed notice, each with the deadline
that binds them; the capacity model; a delivery rate), so the same planner serves an
incident's real people and the readiness check's imagined breach of every customer.

One wave a day, from the desk's opening time (the first from ``now``): earliest
deadline first, each day as many people as the desk can take, counting the calls and
emails that earlier waves are still bringing. Laws with no fixed number of days come
after the dated ones, as soon as capacity allows. When no plan fits, the planner finds
the fewest agents that make one fit, and the delivery rate the deadlines need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from breachdesk.incidents.models import DataElement
from breachdesk.inputs import InputError
from breachdesk.planning.capacity import CapacityModel, agents_needed, traffic_of
from breachdesk.planning.load import HOURS_PER_DAY, Batch, LoadReport, Timeline
from breachdesk.rules.deadlines import Due
from breachdesk.rules.engine import Assessment, PeopleGroup, decide

# A plan that has not sent everyone after this many days says so instead of going on.
MAX_PLAN_DAYS = 90


@dataclass(frozen=True)
class OwedGroup:
    """People alike for planning: where they live, how many, and the deadline that binds
    them (the earliest of the laws owing them notice; None when none sets a number)."""

    jurisdiction: str | None  # residence, as a wave selects people
    people: int
    due: Due | None
    deadline_law: str  # the law whose deadline binds (for undated groups, the first owing)
    standard: str  # that law's words for the timing
    laws: tuple[str, ...] = ()  # every law owing them notice
    elements: frozenset[DataElement] | None = None  # as stored; None: the incident's

    def deadline_end(self, zone: ZoneInfo) -> datetime | None:
        """The last moment a notice is on time: the deadline's instant for laws counted
        in hours, else the end of the due day on the desk's clock."""
        if self.due is None:
            return None
        if self.due.instant is not None:
            return self.due.instant
        return datetime.combine(self.due.day + timedelta(days=1), time(0), tzinfo=zone)

    def as_dict(self) -> dict[str, object]:
        return {
            "jurisdiction": self.jurisdiction,
            "people": self.people,
            "due": self.due.day.isoformat() if self.due else None,
            "due_at": self.due.instant.isoformat() if self.due and self.due.instant else None,
            "deadline_law": self.deadline_law,
            "standard": self.standard,
            "laws": list(self.laws),
        }


def owed_groups(assessment: Assessment, groups: Iterable[PeopleGroup]) -> list[OwedGroup]:
    """The groups a law requires notice to, each with its binding deadline from the
    assessment (which must have been made over these people or more)."""
    found = []
    for group in groups:
        owing = [
            result
            for result in assessment.jurisdictions.values()
            if group.count > 0
            and decide(result.rule, assessment.facts, group.residence, group.elements).owed
        ]
        if not owing:
            continue
        dated = [result for result in owing if result.individual_due is not None]
        binding = (
            min(dated, key=lambda r: (r.individual_due.day, r.individual_due.instant or 0, r.code))
            if dated
            else owing[0]
        )
        notice = binding.rule.individual_notice
        found.append(
            OwedGroup(
                jurisdiction=group.residence,
                people=group.count,
                due=binding.individual_due,
                deadline_law=binding.code,
                standard=notice.deadline.standard if notice else "",
                laws=tuple(result.code for result in owing),
                elements=group.elements,
            )
        )
    return found


@dataclass(frozen=True)
class WavePart:
    group: OwedGroup
    people: int
    late: int  # of them, notified after their deadline


@dataclass(frozen=True)
class PlannedWave:
    number: int
    starts_at: datetime
    ends_at: datetime  # when its last notice goes out at the planned rate
    parts: tuple[WavePart, ...]

    @property
    def people(self) -> int:
        return sum(part.people for part in self.parts)

    @property
    def jurisdictions(self) -> list[str | None]:
        return list(dict.fromkeys(part.group.jurisdiction for part in self.parts))

    def by_jurisdiction(self, zone: ZoneInfo) -> list[dict[str, object]]:
        """The wave's people by residence and deadline (its groups also differ by the
        elements exposed, which a reader of the plan need not see)."""
        found: dict[tuple, dict[str, object]] = {}
        for part in self.parts:
            group = part.group
            key = (group.jurisdiction, group.due, group.deadline_law)
            entry = found.setdefault(
                key,
                {
                    "jurisdiction": group.jurisdiction,
                    "people": 0,
                    "late": 0,
                    "due": group.due.day.isoformat() if group.due else None,
                    "deadline": _deadline_text(group, zone),
                    "deadline_law": group.deadline_law,
                },
            )
            entry["people"] += part.people
            entry["late"] += part.late
        return list(found.values())

    def as_dict(self, zone: ZoneInfo) -> dict[str, object]:
        return {
            "number": self.number,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "people": self.people,
            "jurisdictions": self.jurisdictions,
            "parts": self.by_jurisdiction(zone),
        }


@dataclass(frozen=True)
class Shortfall:
    """What the plan lacks: more agents, a faster rate, or neither (notices already
    late cannot be made on time)."""

    agents_needed: int | None  # the fewest agents that make the plan fit; None: not agents
    rate_needed: int | None  # notices a second the deadlines need; None: the rate is enough
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "agents_needed": self.agents_needed,
            "rate_needed": self.rate_needed,
            "reasons": list(self.reasons),
        }


@dataclass
class WavePlan:
    now: datetime
    model: CapacityModel
    rate: int
    groups: list[OwedGroup]
    waves: list[PlannedWave]
    load: LoadReport
    unplanned: int  # people the plan could not fit in MAX_PLAN_DAYS
    shortfall: Shortfall | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(group.people for group in self.groups)

    @property
    def late(self) -> int:
        return sum(part.late for wave in self.waves for part in wave.parts)

    def overdue(self) -> list[OwedGroup]:
        """Groups whose deadline had passed before the plan starts."""
        zone = self.model.zone
        return [g for g in self.groups if (end := g.deadline_end(zone)) and end <= self.now]

    @property
    def on_time_where_possible(self) -> bool:
        """Everyone planned, and only people already overdue notified late."""
        overdue = {id(group) for group in self.overdue()}
        late = sum(
            part.late for wave in self.waves for part in wave.parts if id(part.group) not in overdue
        )
        return not self.unplanned and not late

    @property
    def feasible(self) -> bool:
        return not self.unplanned and not self.late and self.load.within_capacity

    def as_dict(self) -> dict[str, object]:
        zone = self.model.zone
        return {
            "now": self.now.isoformat(),
            "model": self.model.as_dict(),
            "rate_per_second": self.rate,
            "people": self.people,
            "feasible": self.feasible,
            "late": self.late,
            "unplanned": self.unplanned,
            "overdue": [group.as_dict() for group in self.overdue()],
            "shortfall": self.shortfall.as_dict() if self.shortfall else None,
            "notes": self.notes,
            "groups": [group.as_dict() for group in self.groups],
            "waves": [wave.as_dict(zone) for wave in self.waves],
            "days": [day.as_dict() for day in self.load.days()],
            "hours": [hour.as_dict() for hour in self.load.hours()],
        }


def plan(
    groups: Sequence[OwedGroup],
    model: CapacityModel,
    rate: int,
    now: datetime,
    *,
    earlier: Sequence[Batch] = (),
) -> WavePlan:
    """The wave plan for ``groups`` from ``now``; when it does not fit, with what it
    lacks. ``earlier`` are notices already out (or queued), whose contacts still come."""
    result = schedule(groups, model, rate, now, earlier=earlier)
    if not result.feasible:
        result.shortfall = find_shortfall(groups, model, rate, now, earlier=earlier)
    result.notes += _notes(result)
    return result


def schedule(
    groups: Sequence[OwedGroup],
    model: CapacityModel,
    rate: int,
    now: datetime,
    *,
    earlier: Sequence[Batch] = (),
) -> WavePlan:
    """The waves, earliest deadline first, each day as many people as capacity allows."""
    if rate < 1:
        raise InputError("--rate: at least 1 notice a second")
    zone = model.zone
    order = sorted((g for g in groups if g.people > 0), key=lambda g: _order(g, zone))
    timeline = _timeline(model, now)
    for batch in earlier:
        timeline.add(batch.at, batch.people)
    left = [group.people for group in order]
    waves: list[PlannedWave] = []
    sends = list(earlier)
    for day in range(MAX_PLAN_DAYS):
        remaining = sum(left)
        if not remaining:
            break
        start = now if day == 0 else timeline.start_of(day * HOURS_PER_DAY + model.opens_at)
        window_end = timeline.start_of((day + 1) * HOURS_PER_DAY + model.opens_at)
        most = min(remaining, math.floor(rate * (window_end - start).total_seconds()))
        people = _most_people(timeline, start, most)
        if not people:
            continue
        parts, sent = [], 0
        for index, group in enumerate(order):
            take = min(left[index], people - sent)
            if take <= 0:
                continue
            parts.append(WavePart(group, take, _late(group, zone, start, rate, sent, take)))
            left[index] -= take
            sent += take
        timeline.add(start, people)
        sends.append(Batch(start, people))
        ends_at = start + timedelta(seconds=people / rate)
        waves.append(PlannedWave(len(waves) + 1, start, ends_at, tuple(parts)))
    return WavePlan(now, model, rate, order, waves, LoadReport(timeline, sends), sum(left))


def _timeline(model: CapacityModel, now: datetime) -> Timeline:
    """Room for every day a plan may send on, and the contacts of its last wave."""
    days = MAX_PLAN_DAYS + len(model.day_shares()) + 2
    return Timeline(model, now.astimezone(model.zone).date(), days)


def _order(group: OwedGroup, zone: ZoneInfo) -> tuple:
    end = group.deadline_end(zone)
    return (end is None, end or datetime.max.replace(tzinfo=zone), group.jurisdiction or "")


def _late(
    group: OwedGroup, zone: ZoneInfo, start: datetime, rate: int, before: int, take: int
) -> int:
    """How many of ``take`` people, sent after ``before`` others from ``start``, are
    notified after their deadline."""
    end = group.deadline_end(zone)
    if end is None:
        return 0
    in_time = math.floor(rate * max((end - start).total_seconds(), 0.0)) - before
    return min(take, max(0, take - max(in_time, 0)))


def _most_people(timeline: Timeline, start: datetime, most: int) -> int:
    """The most people a wave at ``start`` may take with every hour it adds load to
    still within capacity."""
    if most <= 0:
        return 0
    first, calls, emails = timeline.contribution(start, 1.0)
    # The phones are linear in people: the bound comes straight from the busiest hour.
    base = timeline.calls[first : first + len(calls)]
    busy = calls > 0
    if busy.any():
        room = (timeline.model.calls_limit_per_hour() - base[busy]) / calls[busy]
        most = min(most, max(0, math.floor(float(room.min()))))
    sent_from = timeline.hour_of(start)

    def fits(people: int) -> bool:
        found = timeline.evaluate((first, calls * people, emails * people))
        return found.fits(sent_from, first + len(calls))

    if most == 0 or fits(most):
        return most
    # Not to the last person: within a 256th of the most is close enough for a plan.
    low, high = 0, most  # fits(low), not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def rate_needed(groups: Sequence[OwedGroup], zone: ZoneInfo, now: datetime) -> int:
    """The fewest notices a second that send everyone with a deadline still ahead by it,
    sending continuously from ``now``, earliest deadline first."""
    ends = sorted(
        (end, group.people)
        for group in groups
        if (end := group.deadline_end(zone)) is not None and end > now
    )
    needed, cumulative = 0.0, 0
    for end, people in ends:
        cumulative += people
        needed = max(needed, cumulative / (end - now).total_seconds())
    return max(1, math.ceil(needed))


def find_shortfall(
    groups: Sequence[OwedGroup],
    model: CapacityModel,
    rate: int,
    now: datetime,
    *,
    earlier: Sequence[Batch] = (),
) -> Shortfall:
    """What makes the plan fit: the rate the deadlines need (when the given one is too
    slow) and then the fewest agents that fit every deadline still ahead."""
    zone = model.zone
    reasons = []
    needed_rate = rate_needed(groups, zone, now)
    rate_short = needed_rate if needed_rate > rate else None
    if rate_short:
        reasons.append(
            f"at {rate} notices a second the deadlines cannot be met whatever the desk; "
            f"they need {needed_rate} a second"
        )
    use_rate = max(rate, needed_rate)

    def fits(agents: int) -> bool:
        found = schedule(groups, model.with_agents(agents), use_rate, now, earlier=earlier)
        return found.on_time_where_possible and found.load.within_capacity

    agents = None
    if not fits(model.agents):
        ceiling: int | None = _agents_ceiling(groups, model, use_rate, now)
        for _ in range(3):  # the estimate is generous; doubling it twice more is plenty
            if fits(ceiling):
                break
            ceiling *= 2
        else:
            ceiling = None
        if ceiling is None:
            reasons.append("no number of agents makes the plan fit: see the notes")
        else:
            low, high = model.agents, ceiling  # not fits(low), fits(high)
            while high - low > 1:
                middle = (low + high) // 2
                if fits(middle):
                    high = middle
                else:
                    low = middle
            agents = high
            reasons.append(
                f"{model.agents_text} cannot take the calls and emails the deadlines "
                f"bring; {agents} can"
            )
    overdue = [g for g in groups if (end := g.deadline_end(zone)) and end <= now]
    if overdue:
        people = sum(group.people for group in overdue)
        reasons.append(
            f"{people:,} people were due notice before now; they go first, late whatever "
            "the capacity"
        )
    return Shortfall(agents, rate_short, tuple(reasons))


def _agents_ceiling(groups: Sequence[OwedGroup], model: CapacityModel, rate: int, now) -> int:
    """Agents enough for everyone sent as fast as the rate allows: the busiest hour's
    calls at the target, plus enough to answer the busiest day's emails in its hours."""
    timeline = _timeline(model, now)
    remaining = sum(group.people for group in groups)
    for day in range(MAX_PLAN_DAYS):
        if remaining <= 0:
            break
        start = now if day == 0 else timeline.start_of(day * HOURS_PER_DAY + model.opens_at)
        end = timeline.start_of((day + 1) * HOURS_PER_DAY + model.opens_at)
        people = min(remaining, math.floor(rate * (end - start).total_seconds()))
        timeline.add(start, people)
        remaining -= people
    phones = agents_needed(
        traffic_of(float(timeline.calls.max()), model.phone_handle_seconds),
        model.phone_handle_seconds,
        model.answer_seconds,
        model.service_level,
    )
    daily_emails = timeline.emails.reshape(-1, HOURS_PER_DAY).sum(axis=1).max()
    open_hours = len(model.open_hours)
    emails = math.ceil(daily_emails / model.emails_per_agent_hour() / open_hours)
    return max(phones + emails + 1, model.agents + 1)


def _deadline_text(group: OwedGroup, zone: ZoneInfo) -> str:
    if group.due is None:
        return f"no fixed date ({group.deadline_law}: {group.standard})"
    end = group.deadline_end(zone)
    return f"{group.due.day.isoformat()} ({group.deadline_law})" + (
        f", by {end.isoformat()}" if group.due.instant else ""
    )


def _notes(result: WavePlan) -> list[str]:
    notes = []
    undated = [group for group in result.groups if group.due is None]
    if undated:
        people = sum(group.people for group in undated)
        codes = sorted({group.deadline_law for group in undated})
        laws = codes[:8] + ([f"{len(codes) - 8} more"] if len(codes) > 8 else [])
        last = max(
            (
                wave.starts_at
                for wave in result.waves
                for part in wave.parts
                if part.group.due is None
            ),
            default=None,
        )
        notes.append(
            f"{people:,} people are owed notice under laws with no fixed number of days "
            f"({', '.join(laws)}: 'without unreasonable delay' or the like); they are "
            "planned as soon as capacity allows after the dated ones"
            + (f", the last on {last.date().isoformat()}" if last and not result.unplanned else "")
        )
    if result.unplanned:
        notes.append(
            f"{result.unplanned:,} people could not be planned within {MAX_PLAN_DAYS} days"
        )
    busy = [day for day in result.load.days() if not day.within_capacity]
    if busy:
        # Planned waves never exceed capacity: the excess is from notices already out.
        notes.append(
            "notices already sent bring more calls or emails than the desk can take on "
            + ", ".join(day.day.isoformat() for day in busy[:5])
            + (" …" if len(busy) > 5 else "")
        )
    return notes
