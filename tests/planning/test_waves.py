"""Wave plans: every deadline met with the desk within capacity, waves paced when the
load would swamp it, and a plan that cannot fit says exactly what it lacks."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from breachdesk.incidents.models import DataElement
from breachdesk.planning.load import Batch, Timeline
from breachdesk.planning.waves import OwedGroup, owed_groups, plan, rate_needed, schedule
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.deadlines import Due
from breachdesk.rules.engine import Exposure, Facts, PeopleGroup, assess
from tests.delivery.conftest import approve_default_template, import_people
from tests.factories import INCIDENT, write_yaml
from tests.people.conftest import person
from tests.planning.test_capacity import desk

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
ZONE = desk().zone


def owed(jurisdiction: str, people: int, due: date | Due | None, **changes) -> OwedGroup:
    values = {
        "jurisdiction": jurisdiction,
        "people": people,
        "due": Due(due) if isinstance(due, date) else due,
        "deadline_law": jurisdiction,
        "standard": "within N days" if due else "without unreasonable delay",
    }
    values.update(changes)
    return OwedGroup(**values)


def planned(result) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for wave in result.waves:
        for part in wave.parts:
            counts[part.group.jurisdiction] = counts.get(part.group.jurisdiction, 0) + part.people
    return counts


def assert_on_time_and_within_capacity(result) -> None:
    limit = result.model.calls_limit_per_hour()
    for wave in result.waves:
        for part in wave.parts:
            end = part.group.deadline_end(ZONE)
            assert end is None or wave.ends_at <= end, f"wave {wave.number} late for {part}"
            assert part.late == 0
    assert all(day.peak_calls_per_hour <= limit + 1e-6 for day in result.load.days())
    assert all(hour.within_capacity for hour in result.load.hours())
    assert all(hour.service_level >= 0.8 for hour in result.load.hours() if hour.calls > 0), (
        "an hour misses the service level"
    )


def test_a_plan_meets_every_deadline_earliest_first_within_capacity() -> None:
    groups = [
        owed("US-TX", 30_000, date(2026, 10, 20)),
        owed("US-CA", 20_000, date(2026, 10, 10)),
        owed("US-NY", 10_000, None),
    ]
    result = plan(groups, desk(), 10, NOW)
    assert result.feasible and result.shortfall is None
    assert planned(result) == {"US-TX": 30_000, "US-CA": 20_000, "US-NY": 10_000}
    assert result.waves[0].starts_at == NOW  # the first wave goes at once
    assert result.waves[0].parts[0].group.jurisdiction == "US-CA"  # the earliest deadline
    assert_on_time_and_within_capacity(result)
    # The law with no fixed number of days comes after the dated ones, and says so.
    order = [part.group.jurisdiction for wave in result.waves for part in wave.parts]
    assert order.index("US-NY") > max(order.index("US-CA"), order.index("US-TX"))
    assert any("no fixed number of days" in note for note in result.notes)


def test_a_load_beyond_capacity_is_paced_and_still_meets_the_deadline() -> None:
    model = desk()
    groups = [owed("US-TX", 150_000, date(2026, 10, 30))]
    # All at once, the first day's calls would swamp the desk.
    at_once = Timeline(model, NOW.date(), 30)
    at_once.add(NOW, 150_000)
    assert at_once.calls.max() > model.calls_limit_per_hour()

    result = plan(groups, model, 10, NOW)
    assert result.feasible and planned(result) == {"US-TX": 150_000}
    assert len(result.waves) > 2
    assert_on_time_and_within_capacity(result)
    # Later waves wait for the calls earlier ones still bring: some days send nothing.
    days = [wave.starts_at.date() for wave in result.waves]
    assert len(set(days)) == len(days)
    assert (days[-1] - days[0]).days + 1 > len(days)


def test_an_infeasible_plan_reports_the_agents_it_lacks_and_that_many_suffice() -> None:
    groups = [owed("US-CA", 120_000, date(2026, 10, 3)), owed("US-TX", 5_000, None)]
    result = plan(groups, desk(), 10, NOW)
    assert not result.feasible and result.late > 0
    shortfall = result.shortfall
    assert shortfall.rate_needed is None  # 10 a second would send them in time
    needed = shortfall.agents_needed
    assert needed > 20 and f"{needed} can" in " ".join(shortfall.reasons)

    enough = plan(groups, desk(agents=needed), 10, NOW)
    assert enough.feasible and planned(enough) == {"US-CA": 120_000, "US-TX": 5_000}
    assert_on_time_and_within_capacity(enough)
    assert not schedule(groups, desk(agents=needed - 1), 10, NOW).feasible  # the fewest


def test_a_rate_too_slow_for_a_deadline_reports_the_rate_it_needs() -> None:
    # Due by the end of today, 15 hours away: 100,000 people need 2 notices a second.
    groups = [owed("US-CA", 100_000, date(2026, 10, 1))]
    result = plan(groups, desk(agents=400), 1, NOW)
    assert not result.feasible
    assert result.shortfall.rate_needed == math.ceil(100_000 / (15 * 3600)) == 2
    agents = result.shortfall.agents_needed or 400
    assert plan(groups, desk(agents=agents), 2, NOW).feasible


def test_a_deadline_counted_in_hours_is_met_to_the_hour() -> None:
    due = Due(date(2026, 10, 1), instant=NOW + timedelta(hours=2))
    groups = [owed("EU-GDPR", 10_000, due)]
    result = schedule(groups, desk(agents=300), 1, NOW)
    assert result.late == 10_000 - 2 * 3600  # one a second for two hours
    assert rate_needed(groups, ZONE, NOW) == 2
    assert schedule(groups, desk(agents=300), 2, NOW).late == 0


def test_people_already_overdue_go_first_and_no_capacity_makes_them_on_time() -> None:
    groups = [owed("US-TX", 100, date(2026, 9, 29)), owed("US-CA", 100, date(2026, 10, 20))]
    result = plan(groups, desk(), 10, NOW)
    assert not result.feasible
    assert [group.jurisdiction for group in result.overdue()] == ["US-TX"]
    first = result.waves[0].parts[0]
    assert (first.group.jurisdiction, first.late) == ("US-TX", 100)
    assert result.shortfall.agents_needed is None and result.shortfall.rate_needed is None
    assert "due notice before now" in " ".join(result.shortfall.reasons)


def test_notices_already_out_are_load_the_next_wave_waits_for() -> None:
    groups = [owed("US-TX", 60_000, date(2026, 10, 30))]
    alone = plan(groups, desk(), 10, NOW)
    assert alone.waves[0].people == 60_000  # the desk takes them all today
    after = plan(groups, desk(), 10, NOW, earlier=[Batch(NOW - timedelta(hours=1), 40_000)])
    assert after.feasible and after.waves[0].people < 60_000
    assert after.load.days()[0].notices == 40_000 + after.waves[0].people
    assert_on_time_and_within_capacity(after)


def test_each_group_is_bound_by_the_earliest_deadline_of_the_laws_owing_it() -> None:
    facts = Facts(
        discovered_at=datetime(2026, 9, 12, 9, tzinfo=UTC),
        determined_at=datetime(2026, 9, 15, tzinfo=UTC),
        exposures=(Exposure(DataElement.NAME), Exposure(DataElement.SSN)),
    )
    people = [
        PeopleGroup("US-TX", None, 40),
        PeopleGroup("US-CA", None, 25),
        PeopleGroup("US-WA", frozenset({DataElement.EMAIL}), 5),  # nothing that counts
    ]
    assessment = assess(shipped_rules(), facts, people)
    groups = {group.jurisdiction: group for group in owed_groups(assessment, people)}
    assert set(groups) == {"US-TX", "US-CA"}
    for group in groups.values():
        dues = [
            assessment.jurisdictions[code].individual_due
            for code in group.laws
            if assessment.jurisdictions[code].individual_due
        ]
        assert dues and group.due == min(dues, key=lambda due: due.day)
        assert (
            group.standard
            == shipped_rules()[group.deadline_law].individual_notice.deadline.standard
        )
    assert groups["US-TX"].people == 40


# The command line, on a stored incident: the factory incident was discovered on
# 2026-09-12, and its Texans are owed notice within 60 days of its determination.
FROZEN = datetime(2026, 9, 20, 9, 0, tzinfo=UTC)


def _plan(run_cli, incident, *extra: str) -> dict:
    result = run_cli("plan", "waves", "--incident", incident, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@time_machine.travel(FROZEN, tick=False)
def test_the_command_plans_the_people_a_campaign_would_send_and_schedules_them(
    run_cli, incident, tmp_path
) -> None:
    approve_default_template(run_cli, tmp_path)
    rows = [person(number) for number in range(1, 13)]
    rows += [person(number, email="") for number in range(13, 16)]  # letters
    import_people(run_cli, tmp_path, incident, rows)
    campaign = run_cli("campaign", "create", "--incident", incident).output.strip()
    # Two people already have their notice: the plan leaves them out.
    assert run_cli("campaign", "wave", campaign, "--size", "2").exit_code == 0

    found = _plan(run_cli, incident, "--agents", "3", "--rate", "5")
    assert found["feasible"] and found["people"] == 13 and found["shortfall"] is None
    assert found["model"]["agents"] == 3 and found["rate_per_second"] == 5
    assert [group["jurisdiction"] for group in found["groups"]] == ["US-TX"]
    assessed = json.loads(run_cli("assess", "--incident", incident, "--json").output)
    texas = next(item for item in assessed["jurisdictions"] if item["code"] == "US-TX")
    assert found["groups"][0]["due"] == texas["individual_deadline"]
    assert found["groups"][0]["deadline_law"] == "US-TX"
    assert sum(wave["people"] for wave in found["waves"]) == 13
    assert found["waves"][0]["starts_at"] == FROZEN.isoformat()
    assert found["days"][0]["notices"] == 2 + 13  # the two sent count as load too
    assert found["hours"] and {"calls", "service_level", "emails"} <= set(found["hours"][0])

    text = run_cli("plan", "waves", "--incident", incident, "--chart", tmp_path / "load.svg")
    assert text.exit_code == 0, text.output
    assert "Fits: every deadline met" in text.output
    first_day = next(line for line in text.output.splitlines() if line.startswith("2026-09-20"))
    assert "|" in first_day and "sends 15" in first_day
    svg = (tmp_path / "load.svg").read_text()
    assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg

    scheduled = _plan(run_cli, incident, "--agents", "3", "--rate", "5", "--campaign", campaign)
    made = scheduled["scheduled"]["waves"]
    assert len(made) == len(scheduled["waves"])
    assert [item["people"] for item in made] == [wave["people"] for wave in scheduled["waves"]]
    assert made[0]["wave"] == 2 and made[0]["channels"] == {"email": 10, "letter": 3}
    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["owed"] == 15 and status["waves"][1]["max_per_second"] == 5
    assert '"campaign.wave_scheduled"' in run_cli("audit", "export").output
    # Everyone is now in a wave: nothing is left to plan.
    assert _plan(run_cli, incident)["people"] == 0


@time_machine.travel(datetime(2026, 11, 13, 9, 0, tzinfo=UTC), tick=False)  # Texas's last day
def test_the_command_says_what_it_lacks_and_refuses_to_schedule_what_does_not_fit(
    run_cli, incident, tmp_path, monkeypatch
) -> None:
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(number) for number in range(1, 9)])
    campaign = run_cli("campaign", "create", "--incident", incident).output.strip()
    # A desk of one, where everyone notified calls and each call takes an hour: eight
    # people due today are more than it can answer at the target.
    for name, value in {
        "CONTACT_RATE": "1",
        "PHONE_SHARE": "1",
        "PORTAL_SHARE": "0",
        "EMAIL_SHARE": "0",
        "PHONE_HANDLE_SECONDS": "3600",
        "AGENTS": "1",
    }.items():
        monkeypatch.setenv(f"BREACHDESK_CAPACITY_{name}", value)
    found = _plan(run_cli, incident)
    assert not found["feasible"] and found["late"] > 0
    needed = found["shortfall"]["agents_needed"]
    assert needed > 1 and _plan(run_cli, incident, "--agents", str(needed))["feasible"]
    text = run_cli("plan", "waves", "--incident", incident).output
    assert "Does not fit:" in text and f"{needed} can" in text and "LATE" in text

    refused = run_cli("plan", "waves", "--incident", incident, "--campaign", campaign)
    assert refused.exit_code == 2 and f"run again with --agents {needed}" in refused.output

    second = write_yaml(tmp_path / "second.yaml", INCIDENT)
    assert run_cli("incident", "create", "--from", second).exit_code == 0
    elsewhere = run_cli("plan", "waves", "--incident", "2", "--campaign", campaign)
    assert elsewhere.exit_code == 2 and f"campaign {campaign} is of incident 1, not 2" in (
        elsewhere.output
    )

    assert run_cli("campaign", "cancel", campaign).exit_code == 0
    cancelled = run_cli(
        "plan", "waves", "--incident", incident, "--agents", str(needed), "--campaign", campaign
    )
    assert cancelled.exit_code == 2 and "is cancelled and takes no more waves" in cancelled.output
    assert '"campaign.wave_scheduled"' not in run_cli("audit", "export").output


def test_the_command_refuses_a_chart_that_is_not_svg(run_cli, incident) -> None:
    result = run_cli("plan", "waves", "--incident", incident, "--chart", "load.png")
    assert result.exit_code == 2 and "should end in .svg" in result.output


@pytest.mark.parametrize("option", ["--agents", "--rate"])
def test_the_command_refuses_zero(run_cli, incident, option) -> None:
    assert run_cli("plan", "waves", "--incident", incident, option, "0").exit_code == 2
