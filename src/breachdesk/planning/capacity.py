"""The contact center's capacity: Erlang C for the phones, and the model of who gets in
touch after a notice, when, and by which channel.

Erlang C (M/M/N: calls arrive at random, wait in one queue, are answered by the first
free agent) is computed through the Erlang B recursion, whose every step stays between
0 and 1: the textbook form with A^N/N! overflows a float beyond about 170 agents, the
recursion is exact for any number of agents and any traffic.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from breachdesk.config import ConfigError, Settings

SECONDS_PER_HOUR = 3600.0
# The contact tail is followed until less than this share of it is left; the rest is
# spread over the days kept, so every person's contacts are still counted.
TAIL_CUT = 0.01


def erlang_b(agents: int, traffic: float) -> float:
    """The share of calls ``agents`` lines would turn away when offered ``traffic``
    Erlangs: B(n) = A·B(n-1) / (n + A·B(n-1)), B(0) = 1."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocking = 1.0
    for lines in range(1, agents + 1):
        blocking = traffic * blocking / (lines + traffic * blocking)
    return blocking


def _waiting(agents: int, traffic: float, blocking: float) -> float:
    """Erlang C from Erlang B for the same agents and traffic."""
    return agents * blocking / (agents - traffic * (1 - blocking))


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a call has to wait: 1 when the agents cannot keep up."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _waiting(agents, traffic, erlang_b(agents, traffic))


def _level(agents: int, traffic: float, waiting: float, handle: float, answer: float) -> float:
    return 1 - waiting * math.exp(-(agents - traffic) * answer / handle)


def service_level(
    agents: int, traffic: float, handle_seconds: float, answer_seconds: float
) -> float:
    """The share of calls answered within ``answer_seconds``."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(agents, traffic)
    return _level(agents, traffic, waiting, handle_seconds, answer_seconds)


def average_speed_of_answer(agents: int, traffic: float, handle_seconds: float) -> float:
    """The mean wait before an agent answers, in seconds; infinite when the agents
    cannot keep up (the queue only grows)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * handle_seconds / (agents - traffic)


def traffic_of(calls_per_hour: float, handle_seconds: float) -> float:
    """Offered traffic in Erlangs: the hours of talk that arrive in an hour."""
    return calls_per_hour * handle_seconds / SECONDS_PER_HOUR


def agents_needed(
    traffic: float, handle_seconds: float, answer_seconds: float, target: float
) -> int:
    """The fewest agents who answer ``target`` of calls within ``answer_seconds``."""
    if not 0 < target < 1:
        raise ValueError("the service-level target must be between 0 and 1")
    if traffic <= 0:
        return 0
    agents = math.floor(traffic) + 1
    blocking = erlang_b(agents, traffic)
    while True:
        waiting = _waiting(agents, traffic, blocking)
        if _level(agents, traffic, waiting, handle_seconds, answer_seconds) >= target:
            return agents
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)


def max_traffic(agents: int, handle_seconds: float, answer_seconds: float, target: float) -> float:
    """The most traffic (Erlangs) ``agents`` can take at the target: the root of
    service level = target, which falls from 1 at no traffic to 0 at ``agents``."""
    if not 0 < target < 1:
        raise ValueError("the service-level target must be between 0 and 1")
    return _limit(agents, handle_seconds, answer_seconds, target, 0.0, float(agents))


def _limit(
    agents: int, handle: float, answer: float, target: float, low: float, high: float
) -> float:
    """The root of service level = target for ``agents``, between ``low`` (at or above
    the target) and ``high`` (below it), by regula falsi in its Illinois variant (which
    never stalls on one side)."""

    def excess(traffic: float) -> float:
        if traffic <= 0:
            return 1 - target
        if traffic >= agents:
            return -target
        return _level(agents, traffic, erlang_c(agents, traffic), handle, answer) - target

    f_low, f_high = excess(low), excess(high)
    if f_high > 0:  # not bracketed: the top of the range is agents themselves
        high, f_high = float(agents), -target
    side = 0
    for _ in range(200):
        middle = (low * f_high - high * f_low) / (f_high - f_low)
        f_middle = excess(middle)
        if abs(f_middle) < 1e-12 or high - low < 1e-9 * agents:
            return middle
        if f_middle > 0:
            low, f_low = middle, f_middle
            if side == 1:
                f_high /= 2
            side = 1
        else:
            high, f_high = middle, f_middle
            if side == -1:
                f_low /= 2
            side = -1
    return low


class _StaffingCurve:
    """The most traffic each number of agents takes at one target, built up on demand:
    asking how many agents some traffic needs is then a binary search, not a new Erlang
    computation for every hour of a plan."""

    def __init__(self, handle: float, answer: float, target: float) -> None:
        if not 0 < target < 1:
            raise ValueError("the service-level target must be between 0 and 1")
        self.handle, self.answer, self.target = handle, answer, target
        self.limits: list[float] = [0.0]  # limits[k]: the most traffic k agents take

    @staticmethod
    @cache
    def of(handle: float, answer: float, target: float) -> _StaffingCurve:
        return _StaffingCurve(handle, answer, target)

    def _solve(self, agents: int) -> float:
        # The limit grows with every agent, by less than one Erlang.
        low = self.limits[agents - 1]
        high = min(float(agents), low + 1.0)
        return _limit(agents, self.handle, self.answer, self.target, low, high)

    def limit(self, agents: int) -> float:
        while len(self.limits) <= agents:
            self.limits.append(self._solve(len(self.limits)))
        return self.limits[agents]

    def agents_for(self, traffic: float, most: int) -> int:
        """The fewest agents taking ``traffic`` at the target; ``most + 1`` when even
        ``most`` cannot."""
        if traffic <= 0:
            return 0
        if self.limit(most) < traffic:
            return most + 1
        return max(1, bisect_left(self.limits, traffic, 0, most + 1))


@dataclass(frozen=True)
class CapacityModel:
    """The desk and the contacts notices bring; every field is a BREACHDESK_ setting."""

    agents: int
    contact_rate: float  # share of people notified who get in touch at all
    contact_half_life_days: float  # how fast contacts fall off after delivery
    portal_share: float  # of contacts: answered by the portal's self-service
    phone_share: float
    email_share: float
    phone_handle_seconds: float
    email_handle_seconds: float
    service_level: float  # share of calls to answer within answer_seconds
    answer_seconds: float
    opens_at: int  # local hour the desk opens, 0-23
    closes_at: int  # local hour it closes, 1-24
    timezone: str
    first_response_hours: float  # every email answered within this (the desk's SLA)
    hourly_profile: tuple[float, ...] = ()  # weights of the calls per open hour; () even

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def _problems(self) -> list[str]:
        problems = []
        if self.agents < 1:
            problems.append("BREACHDESK_CAPACITY_AGENTS: there must be at least 1 agent")
        if not 0 <= self.contact_rate <= 1:
            problems.append("BREACHDESK_CAPACITY_CONTACT_RATE: a share, between 0 and 1")
        if not 0 < self.contact_half_life_days <= 30:
            problems.append("BREACHDESK_CAPACITY_CONTACT_HALF_LIFE_DAYS: between 0 and 30 days")
        shares = (self.portal_share, self.phone_share, self.email_share)
        if any(not 0 <= share <= 1 for share in shares) or not math.isclose(
            sum(shares), 1, abs_tol=1e-6
        ):
            problems.append(
                "BREACHDESK_CAPACITY_PORTAL_SHARE, _PHONE_SHARE and _EMAIL_SHARE: shares "
                f"between 0 and 1 that add up to 1 (these add up to {sum(shares):g})"
            )
        if self.phone_handle_seconds <= 0 or self.email_handle_seconds <= 0:
            problems.append("BREACHDESK_CAPACITY_*_HANDLE_SECONDS: must be more than 0")
        if not 0 < self.service_level < 1:
            problems.append("BREACHDESK_CAPACITY_SERVICE_LEVEL: a share, above 0 and below 1")
        if self.answer_seconds < 0:
            problems.append("BREACHDESK_CAPACITY_ANSWER_SECONDS: must not be negative")
        if not 0 <= self.opens_at < self.closes_at <= 24:
            problems.append(
                "BREACHDESK_CAPACITY_OPENING_HOURS: HH-HH with 00 <= opening < closing <= 24"
            )
            return problems
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                f"BREACHDESK_CAPACITY_TIMEZONE: {self.timezone!r} is not an IANA time zone "
                "(e.g. America/Chicago, Europe/London, UTC)"
            )
        if self.hourly_profile and (
            len(self.hourly_profile) != self.closes_at - self.opens_at
            or min(self.hourly_profile) < 0
            or sum(self.hourly_profile) <= 0
        ):
            problems.append(
                f"BREACHDESK_CAPACITY_HOURLY_PROFILE: {self.closes_at - self.opens_at} "
                "weights, one per opening hour, none negative (or empty for an even spread)"
            )
        closed = 24 - (self.closes_at - self.opens_at)
        if self.email_share > 0 and self.first_response_hours < closed + 1:
            problems.append(
                f"BREACHDESK_DESK_FIRST_RESPONSE_HOURS ({self.first_response_hours:g}) is "
                f"shorter than the {closed} hours the desk is closed plus an hour: an email "
                "sent at closing time could never be answered in time; open longer or "
                "allow more hours"
            )
        return problems

    @classmethod
    def from_settings(cls, settings: Settings, *, agents: int | None = None) -> CapacityModel:
        opens_at, closes_at = _opening_hours(settings.capacity_opening_hours)
        return cls(
            agents=settings.capacity_agents if agents is None else agents,
            contact_rate=settings.capacity_contact_rate,
            contact_half_life_days=settings.capacity_contact_half_life_days,
            portal_share=settings.capacity_portal_share,
            phone_share=settings.capacity_phone_share,
            email_share=settings.capacity_email_share,
            phone_handle_seconds=settings.capacity_phone_handle_seconds,
            email_handle_seconds=settings.capacity_email_handle_seconds,
            service_level=settings.capacity_service_level,
            answer_seconds=settings.capacity_answer_seconds,
            opens_at=opens_at,
            closes_at=closes_at,
            timezone=settings.capacity_timezone,
            first_response_hours=settings.desk_first_response_hours,
            hourly_profile=_profile(settings.capacity_hourly_profile),
        )

    def with_agents(self, agents: int) -> CapacityModel:
        return dataclasses.replace(self, agents=agents)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def open_hours(self) -> range:
        return range(self.opens_at, self.closes_at)

    def day_shares(self) -> tuple[float, ...]:
        """Of the people notified on a day, the share who get in touch on that day, the
        next, and so on: halving every half-life, adding up to the contact rate."""
        return _day_shares(self.contact_rate, self.contact_half_life_days)

    def call_weights(self, from_hour: int = 0) -> dict[int, float]:
        """How a day's calls spread over its open hours from ``from_hour`` on (a notice
        delivered mid-day brings that day's calls into the hours left), adding up to 1;
        empty when the desk has closed by then."""
        hours = [hour for hour in self.open_hours if hour >= from_hour]
        if not hours:
            return {}
        weights = self.hourly_profile or (1.0,) * len(self.open_hours)
        chosen = {hour: weights[hour - self.opens_at] for hour in hours}
        total = sum(chosen.values())
        if total <= 0:  # the hours left all have weight 0: spread evenly instead
            return {hour: 1 / len(hours) for hour in hours}
        return {hour: weight / total for hour, weight in chosen.items()}

    def staffing_curve(self) -> _StaffingCurve:
        return _StaffingCurve.of(self.phone_handle_seconds, self.answer_seconds, self.service_level)

    def calls_limit_per_hour(self) -> float:
        """The most calls an hour the agents answer at the service-level target."""
        limit = self.staffing_curve().limit(self.agents)
        return limit * SECONDS_PER_HOUR / self.phone_handle_seconds

    def phone_agents(self, calls_per_hour: float) -> int:
        """The fewest agents answering these calls at the target; agents + 1 when the
        agents cannot."""
        traffic = traffic_of(calls_per_hour, self.phone_handle_seconds)
        return self.staffing_curve().agents_for(traffic, self.agents)

    @property
    def agents_text(self) -> str:
        return f"{self.agents} agent{'' if self.agents == 1 else 's'}"

    def emails_per_agent_hour(self) -> float:
        return SECONDS_PER_HOUR / self.email_handle_seconds

    def as_dict(self) -> dict[str, object]:
        return {
            "agents": self.agents,
            "contact_rate": self.contact_rate,
            "contact_half_life_days": self.contact_half_life_days,
            "channel_shares": {
                "portal": self.portal_share,
                "phone": self.phone_share,
                "email": self.email_share,
            },
            "phone_handle_seconds": self.phone_handle_seconds,
            "email_handle_seconds": self.email_handle_seconds,
            "service_level": {"share": self.service_level, "within_seconds": self.answer_seconds},
            "opening_hours": f"{self.opens_at:02d}-{self.closes_at:02d}",
            "timezone": self.timezone,
            "first_response_hours": self.first_response_hours,
            "calls_limit_per_hour": round(self.calls_limit_per_hour(), 1),
        }


@cache
def _day_shares(rate: float, half_life: float) -> tuple[float, ...]:
    ratio = 0.5 ** (1 / half_life)
    days = max(1, math.ceil(math.log(TAIL_CUT) / math.log(ratio)))
    weights = [ratio**day for day in range(days)]
    total = sum(weights)
    return tuple(rate * weight / total for weight in weights)


def _opening_hours(text: str) -> tuple[int, int]:
    opens, _, closes = text.strip().partition("-")
    try:
        return int(opens), int(closes)
    except ValueError:
        raise ConfigError(
            f"BREACHDESK_CAPACITY_OPENING_HOURS: {text!r} is not HH-HH (e.g. 08-20, or "
            "00-24 round the clock)"
        ) from None


def _profile(text: str) -> tuple[float, ...]:
    if not text.strip():
        return ()
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ConfigError(
            f"BREACHDESK_CAPACITY_HOURLY_PROFILE: {text!r} is not comma-separated numbers"
        ) from None
