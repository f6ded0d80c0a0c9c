"""The capacity model: Erlang C as published, stable for thousands of agents, and a
desk model that refuses settings it cannot use."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from breachdesk.config import ConfigError, Settings, get_settings
from breachdesk.planning.capacity import (
    CapacityModel,
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    max_traffic,
    service_level,
    traffic_of,
)
from breachdesk.planning.load import LoadReport, Timeline


def desk(**changes) -> CapacityModel:
    values = {
        "agents": 20,
        "contact_rate": 0.15,
        "contact_half_life_days": 2,
        "portal_share": 0.5,
        "phone_share": 0.35,
        "email_share": 0.15,
        "phone_handle_seconds": 420,
        "email_handle_seconds": 600,
        "service_level": 0.8,
        "answer_seconds": 20,
        "opens_at": 8,
        "closes_at": 20,
        "timezone": "UTC",
        "first_response_hours": 24,
    }
    values.update(changes)
    return CapacityModel(**values)


# Call Centre Helper's worked example ("Erlang C Formula - Made Simple With an Easy
# Worked Example": 100 calls in 30 minutes, 180 s handle time, 80% answered in 20 s),
# as reproduced with more digits by the ErlangC package's README:
# https://stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html
# (also https://pypi.org/project/pyworkforce/0.1.0/, the same example: 14 positions,
# service level 0.8883500191794669, waiting probability 0.1741319335950498).
WORKED = {"calls": 200, "handle": 180, "answer": 20}


def test_erlang_c_matches_the_published_worked_example() -> None:
    traffic = traffic_of(WORKED["calls"], WORKED["handle"])
    assert traffic == 10  # "Traffic Intensity (A) = 10 Erlangs"
    # 14 agents: "wait_probability 0.1741319", "service_level 0.88835",
    # "average_speed_of_answer 7.83593701177724s", "immediate_answer_probability 0.8258681".
    assert round(erlang_c(14, traffic), 7) == 0.1741319
    assert round(service_level(14, traffic, WORKED["handle"], WORKED["answer"]), 5) == 0.88835
    assert round(average_speed_of_answer(14, traffic, WORKED["handle"]), 8) == 7.83593701
    assert round(1 - erlang_c(14, traffic), 7) == 0.8258681
    # 11 agents, the first row of its search: "0.6821182  0.3896138".
    assert round(erlang_c(11, traffic), 7) == 0.6821182
    assert round(service_level(11, traffic, WORKED["handle"], WORKED["answer"]), 7) == 0.3896138
    # "agents 14": the fewest reaching 80% in 20 s.
    assert agents_needed(traffic, WORKED["handle"], WORKED["answer"], 0.8) == 14


def test_erlang_b_matches_a_published_trunk_table() -> None:
    # "15 lines ... one call in one hundred will be blocked ... 8.108 Erlangs":
    # https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm
    low, high = 0.0, 15.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if erlang_b(15, middle) <= 0.01 else (low, middle)
    assert round(low, 3) == 8.108


def _log_space_erlang_b(agents: int, traffic: float) -> float:
    """Erlang B as A^N/N! over the sum of A^k/k!, every term in logarithms: an
    independent way to the same number."""
    logs = [k * math.log(traffic) - math.lgamma(k + 1) for k in range(agents + 1)]
    top = max(logs)
    return math.exp(logs[-1] - top - math.log(sum(math.exp(value - top) for value in logs)))


@pytest.mark.parametrize(("agents", "traffic"), [(2_000, 1_900.0), (5_000, 4_870.5), (60, 3.0)])
def test_erlang_is_exact_for_thousands_of_agents(agents, traffic) -> None:
    # Beyond 170 agents, N! alone overflows a float: the textbook formula cannot be used.
    assert erlang_b(agents, traffic) == pytest.approx(_log_space_erlang_b(agents, traffic), 1e-9)
    waiting = erlang_c(agents, traffic)
    assert 0 < waiting < 1


def test_the_fewest_agents_is_the_first_that_meets_the_target() -> None:
    traffic = traffic_of(40_000, 420)  # 4,667 Erlangs: a breach-sized hour
    needed = agents_needed(traffic, 420, 20, 0.8)
    assert (
        service_level(needed, traffic, 420, 20) >= 0.8 > service_level(needed - 1, traffic, 420, 20)
    )
    # The inverse: the most traffic that many agents take at the target.
    most = max_traffic(needed, 420, 20, 0.8)
    assert service_level(needed, most, 420, 20) == pytest.approx(0.8, abs=1e-9)
    assert most >= traffic > max_traffic(needed - 1, 420, 20, 0.8)


def test_a_day_of_contacts_halves_every_half_life_and_adds_up_to_the_contact_rate() -> None:
    shares = desk(contact_half_life_days=3).day_shares()
    assert sum(shares) == pytest.approx(0.15)
    assert shares[3] / shares[0] == pytest.approx(0.5)
    assert shares[-1] / shares[0] <= 0.01 * 1.5  # followed until the tail is spent


def test_calls_come_in_opening_hours_and_emails_around_the_clock() -> None:
    model = desk()
    timeline = Timeline(model, date(2026, 10, 1), 30)
    timeline.add(datetime(2026, 10, 1, 8, tzinfo=UTC), 10_000)
    people_in_touch = 10_000 * 0.15
    assert timeline.calls.sum() == pytest.approx(people_in_touch * 0.35)
    assert timeline.emails.sum() == pytest.approx(people_in_touch * 0.15)
    hours = timeline.calls.reshape(-1, 24)
    assert hours[:, :8].sum() == 0 and hours[:, 20:].sum() == 0
    assert timeline.emails[3] == 0 and timeline.emails[24 + 3] > 0  # from the send on

    # Sent after closing time, the notice brings its first calls the next morning.
    late = Timeline(model, date(2026, 10, 1), 30)
    late.add(datetime(2026, 10, 1, 21, tzinfo=UTC), 10_000)
    assert late.calls[:24].sum() == 0 and late.calls[24 + 8] == pytest.approx(hours[0, 8])


def test_each_hour_reports_calls_service_level_wait_and_emails() -> None:
    model = desk()
    timeline = Timeline(model, date(2026, 10, 1), 30)
    timeline.add(datetime(2026, 10, 1, 8, tzinfo=UTC), 20_000)
    report = LoadReport(timeline, [])
    first = report.hours()[0]  # the first hour with anything in it
    assert first.at == datetime(2026, 10, 1, 8, tzinfo=UTC)
    assert first.calls == pytest.approx(timeline.calls[8])
    traffic = traffic_of(first.calls, 420)
    assert first.phone_agents == agents_needed(traffic, 420, 20, 0.8)
    assert first.service_level >= 0.8 and first.within_capacity
    assert first.average_wait_seconds == pytest.approx(
        average_speed_of_answer(first.phone_agents, traffic, 420)
    )
    assert report.within_capacity


def test_emails_not_answered_within_the_first_response_hours_are_over_capacity() -> None:
    # Two agents, most of them on the phones: emails pile up past the desk's 24 hours.
    model = desk(agents=2, email_share=0.45, portal_share=0.2)
    timeline = Timeline(model, date(2026, 10, 1), 30)
    timeline.add(datetime(2026, 10, 1, 8, tzinfo=UTC), 3_000)
    found = timeline.evaluate()
    assert found.phones_ok.all()
    late = found.oldest_email_hours[~found.emails_ok]
    assert len(late) and (late > 24).all()
    assert not LoadReport(timeline, []).within_capacity


def test_emails_are_answered_oldest_first_by_the_agents_the_phones_leave() -> None:
    """The queue computed in closed form against a plain first-in-first-out simulation."""
    model = desk(agents=3)
    timeline = Timeline(model, date(2026, 10, 1), 3)
    rng = np.random.default_rng(7)
    timeline.emails[:] = rng.uniform(0, 30, timeline.hours)
    timeline.calls[:] = np.where(rng.uniform(size=timeline.hours) < 0.5, 10.0, 0.0)
    found = timeline.evaluate()

    waiting: list[list[float]] = []  # [hour it arrived, how many]
    for hour in range(timeline.hours):
        waiting.append([hour, timeline.emails[hour]])
        phones = model.phone_agents(timeline.calls[hour]) if timeline.calls[hour] else 0
        assert found.phone_agents[hour] == phones
        answer = (3 - phones) * 6.0 if 8 <= hour % 24 < 20 else 0.0  # 600 s an email
        while answer > 0 and waiting:
            taken = min(answer, waiting[0][1])
            waiting[0][1] -= taken
            answer -= taken
            if waiting[0][1] <= 1e-9:
                waiting.pop(0)
        assert found.backlog[hour] == pytest.approx(sum(n for _, n in waiting), abs=1e-6)
        oldest = hour + 1 - waiting[0][0] if waiting else 0
        assert found.oldest_email_hours[hour] == oldest
        assert found.emails_ok[hour] == (oldest <= 24)


def test_the_model_reads_its_settings_and_the_desks_first_response_hours(monkeypatch) -> None:
    monkeypatch.setenv("BREACHDESK_CAPACITY_AGENTS", "35")
    monkeypatch.setenv("BREACHDESK_CAPACITY_OPENING_HOURS", "07-22")
    monkeypatch.setenv("BREACHDESK_CAPACITY_TIMEZONE", "America/Chicago")
    monkeypatch.setenv("BREACHDESK_DESK_FIRST_RESPONSE_HOURS", "12")
    model = CapacityModel.from_settings(get_settings())
    assert (model.agents, model.opens_at, model.closes_at) == (35, 7, 22)
    assert model.first_response_hours == 12 and str(model.zone) == "America/Chicago"
    assert CapacityModel.from_settings(get_settings(), agents=50).agents == 50


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BREACHDESK_CAPACITY_CONTACT_RATE", "1.5", "BREACHDESK_CAPACITY_CONTACT_RATE"),
        ("BREACHDESK_CAPACITY_AGENTS", "0", "BREACHDESK_CAPACITY_AGENTS"),
        ("BREACHDESK_CAPACITY_PORTAL_SHARE", "0.4", "add up to 1 (these add up to 0.9)"),
        ("BREACHDESK_CAPACITY_OPENING_HOURS", "8am-8pm", "is not HH-HH"),
        ("BREACHDESK_CAPACITY_OPENING_HOURS", "20-08", "opening < closing"),
        ("BREACHDESK_CAPACITY_TIMEZONE", "Mars/Olympus", "not an IANA time zone"),
        ("BREACHDESK_CAPACITY_HOURLY_PROFILE", "1,2,3", "12 weights, one per opening hour"),
        ("BREACHDESK_DESK_FIRST_RESPONSE_HOURS", "6", "could never be answered in time"),
    ],
)
def test_unusable_settings_are_refused_naming_the_setting(
    monkeypatch, variable, value, message
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CapacityModel.from_settings(get_settings())


def test_the_defaults_make_a_usable_model() -> None:
    model = CapacityModel.from_settings(Settings())
    assert model.calls_limit_per_hour() > 0
    assert model.hourly_profile == ()
