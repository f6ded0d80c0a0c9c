"""The engine's reading of a rule file, on a made-up jurisdiction whose every field is known.

The real laws are tested as data in tests/rules/cases; these tests pin down the
mechanics those cases rely on (safe harbor, name and companion elements, thresholds,
business days, hours, delays and sector regimes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from breachdesk.incidents.models import DataElement as E
from breachdesk.incidents.models import Protection
from breachdesk.rules.catalog import load_rule_file
from breachdesk.rules.engine import Exposure, Facts, PeopleGroup, assess, decide
from breachdesk.rules.schema import Jurisdiction

FIXTURE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "US-XX.yaml"
MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rule() -> Jurisdiction:
    return load_rule_file(FIXTURE)


def _variant(**changes: Any) -> Jurisdiction:
    data = yaml.safe_load(FIXTURE.read_text("utf-8"))
    for dotted, value in changes.items():
        target = data
        *path, last = dotted.split("__")
        for part in path:
            target = target[part]
        target[last] = value
    return Jurisdiction.model_validate(data)


def _facts(*exposures: Exposure | E, **more: Any) -> Facts:
    items = tuple(item if isinstance(item, Exposure) else Exposure(item) for item in exposures)
    return Facts(discovered_at=more.pop("discovered_at", MONDAY), exposures=items, **more)


def _one(rule: Jurisdiction, facts: Facts, count: int = 1, residence: str = "US-XX") -> Any:
    result = assess({rule.code: rule}, facts, [PeopleGroup(residence, None, count)])
    return result.jurisdictions.get(rule.code)


def test_a_listed_element_with_the_name_is_owed_notice_with_a_citation(rule) -> None:
    decision = decide(rule, _facts(E.NAME, E.SSN), "US-XX")
    assert decision.owed
    assert decision.counting == (E.SSN,)
    assert decision.reasons[-2].citation == "Ex. Code § 10-101(5)"


def test_an_element_that_needs_the_name_does_not_count_without_it(rule) -> None:
    decision = decide(rule, _facts(E.SSN, E.EMAIL), "US-XX")
    assert not decision.owed
    assert any("name" in reason.finding for reason in decision.reasons)


def test_a_card_number_needs_its_security_code(rule) -> None:
    assert not decide(rule, _facts(E.NAME, E.PAYMENT_CARD), "US-XX").owed
    assert decide(rule, _facts(E.NAME, E.PAYMENT_CARD, E.CARD_SECURITY_CODE), "US-XX").owed


def test_credentials_count_without_a_name(rule) -> None:
    assert decide(rule, _facts(E.ACCOUNT_CREDENTIALS), "US-XX").owed


def test_encryption_exempts_until_the_key_is_taken(rule) -> None:
    safe = Exposure(E.SSN, Protection.ENCRYPTED)
    taken = Exposure(E.SSN, Protection.ENCRYPTED, key_compromised=True)
    assert not decide(rule, _facts(E.NAME, safe), "US-XX").owed
    assert decide(rule, _facts(E.NAME, taken), "US-XX").owed


def test_a_statute_silent_on_keys_is_read_as_the_key_defeating_encryption() -> None:
    silent = _variant(safe_harbor__key_compromise_defeats=None)
    taken = Exposure(E.SSN, Protection.ENCRYPTED, key_compromised=True)
    decision = decide(silent, _facts(E.NAME, taken), "US-XX")
    assert decision.owed
    assert any("statute silent" in reason.finding for reason in decision.reasons)


def test_hashing_counts_as_protection_only_where_the_law_says_so(rule) -> None:
    hashed = Exposure(E.SSN, Protection.HASHED)
    assert decide(rule, _facts(E.NAME, hashed), "US-XX").owed
    wider = _variant(safe_harbor__covers_hashed=True)
    assert not decide(wider, _facts(E.NAME, hashed), "US-XX").owed


def test_a_documented_no_harm_finding_spares_notice_and_names_its_duties(rule) -> None:
    facts = _facts(E.NAME, E.SSN, no_harm_determinations=frozenset({"US-XX"}))
    decision = decide(rule, facts, "US-XX")
    assert not decision.owed
    assert "5 years" in decision.reasons[-1].finding
    strict = _variant(
        risk_of_harm={"citation": "x", "source": "https://legislature.example.gov/code/10-101"}
        | {"allowed": False}
    )
    assert decide(strict, facts, "US-XX").owed


def test_people_elsewhere_are_not_covered_by_a_state_law(rule) -> None:
    assert not decide(rule, _facts(E.NAME, E.SSN), "US-TX").applies


def test_calendar_deadline_is_not_moved_by_a_weekend(rule) -> None:
    # 45 days after Monday 2 March 2026 is Thursday 16 April; 30 days would be a Wednesday.
    result = _one(rule, _facts(E.NAME, E.SSN))
    assert result.individual_due.day == date(2026, 4, 16)
    saturday_end = _one(rule, _facts(E.NAME, E.SSN, discovered_at=datetime(2026, 3, 3, tzinfo=UTC)))
    # 00:00 UTC on 3 March is still 2 March in UTC-12: the earlier date is the one counted.
    assert saturday_end.individual_due.day == date(2026, 4, 16)


def test_business_days_skip_weekends_and_the_calendars_holidays(rule) -> None:
    # Ten Texas business days from Friday 20 November 2026 skip Thanksgiving (26th),
    # the day after (27th, a Texas holiday) and two weekends.
    discovered = datetime(2026, 11, 20, 15, tzinfo=UTC)
    result = _one(rule, _facts(E.NAME, E.SSN, discovered_at=discovered), count=501)
    regulator = result.regulators[0]
    assert regulator.required
    assert regulator.due.day == date(2026, 12, 8)


def test_regulator_threshold_is_the_smallest_count_that_requires_notice(rule) -> None:
    assert not _one(rule, _facts(E.NAME, E.SSN), count=500).regulators[0].required
    assert _one(rule, _facts(E.NAME, E.SSN), count=501).regulators[0].required
    assert _one(rule, _facts(E.NAME, E.SSN), count=1001).cra_notice_required
    assert not _one(rule, _facts(E.NAME, E.SSN), count=1000).cra_notice_required


def test_thresholds_count_only_residents_owed_notice(rule) -> None:
    protected = Exposure(E.SSN, Protection.ENCRYPTED)
    result = _one(rule, _facts(E.NAME, protected), count=5000)
    assert result.residents_affected == 5000
    assert result.residents_owed_notice == 0
    assert not result.regulators[0].required
    assert result.individual_due is None


def test_a_notice_counted_from_individual_notice_follows_its_deadline() -> None:
    following = _variant(
        regulator_notices=[
            {
                "id": "ag",
                "agency": "Attorney General",
                "citation": "x",
                "source": "https://legislature.example.gov/code/10-101",
                "threshold_residents": 1,
                "deadline": {"days": 15, "clock_starts": "individual_notice", "standard": "x"},
            }
        ]
    )
    result = _one(following, _facts(E.NAME, E.SSN))
    assert result.regulators[0].due.day == date(2026, 5, 1)


def test_hours_deadlines_count_from_the_instant() -> None:
    hourly = _variant(
        individual_notice__deadline={"hours": 72, "clock_starts": "awareness", "standard": "x"}
    )
    result = _one(hourly, _facts(E.NAME, E.SSN))
    assert result.individual_due.instant == datetime(2026, 3, 5, 15, tzinfo=UTC)


def test_law_enforcement_delay_moves_the_individual_deadline(rule) -> None:
    until = datetime(2026, 5, 20, tzinfo=UTC)
    result = _one(rule, _facts(E.NAME, E.SSN, law_enforcement_delay_until=until))
    assert result.individual_due.day == date(2026, 5, 19)
    assert "law enforcement" in result.deadline_reasons[0]


def test_credit_monitoring_is_owed_only_for_its_elements(rule) -> None:
    assert _one(rule, _facts(E.NAME, E.SSN)).credit_monitoring_months == 24
    assert _one(rule, _facts(E.ACCOUNT_CREDENTIALS)).credit_monitoring_months is None


def test_sector_regimes_cover_everyone_and_vendors_only_tell_the_owner() -> None:
    regime = _variant(
        code="US-HX",
        applies_to={"sectors": ["hipaa_covered_entity"]}
        | {"vendor_sectors": ["hipaa_business_associate"]},
    )
    owner = _facts(E.NAME, E.SSN, sectors=frozenset({"hipaa_covered_entity"}))
    vendor = _facts(E.NAME, E.SSN, sectors=frozenset({"hipaa_business_associate"}))
    assert decide(regime, owner, "US-TX").owed
    assert decide(regime, owner, None).owed
    as_vendor = decide(regime, vendor, "US-TX")
    assert as_vendor.applies and as_vendor.vendor_only and not as_vendor.owed
    assert not decide(regime, _facts(E.NAME, E.SSN), "US-TX").applies


def test_people_without_a_residence_or_a_rule_file_are_counted_apart(rule) -> None:
    groups = [
        PeopleGroup("US-XX", None, 3),
        PeopleGroup(None, None, 2),
        PeopleGroup("JP", None, 4),
    ]
    result = assess({rule.code: rule}, _facts(E.NAME, E.SSN), groups)
    assert result.people == 9
    assert result.people_without_residence == 2
    assert result.residences_without_rules == {"JP": 4}
    assert result.jurisdictions["US-XX"].residents_owed_notice == 3


def test_people_with_their_own_elements_are_assessed_on_them(rule) -> None:
    groups = [
        PeopleGroup("US-XX", frozenset({E.NAME, E.EMAIL}), 7),
        PeopleGroup("US-XX", None, 2),
    ]
    result = assess({rule.code: rule}, _facts(E.NAME, E.SSN), groups)
    assert result.jurisdictions["US-XX"].residents_affected == 9
    assert result.jurisdictions["US-XX"].residents_owed_notice == 2


def test_an_exempted_sector_owes_nothing_under_the_law_and_is_told_why(rule) -> None:
    bank = _facts(E.NAME, E.SSN, sectors=frozenset({"glba_financial_institution"}))
    decision = decide(rule, bank, "US-XX")
    assert decision.applies and not decision.owed
    assert decision.reasons[-1].step == "exemption"
    assert "deemed compliant" in decision.reasons[-1].finding
    result = _one(rule, bank, count=600)
    assert result.residents_owed_notice == 0
    assert result.exemption is not None
    # The Attorney General's notice is still required, counted over the data the law counts.
    assert result.regulators[0].required
    assert not _one(rule, bank, count=400).regulators[0].required
    assert decide(rule, _facts(E.NAME, E.SSN), "US-XX").owed  # others are not exempt
