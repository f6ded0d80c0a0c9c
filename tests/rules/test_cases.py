"""The law as test cases: every case in tests/rules/cases/<code>.yaml, run through the engine.

Each case names the statute section it tests, gives the facts, and says what the law
requires; the file format is documented in docs/rules.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field

from breachdesk.incidents.schemas import Strict, UTCTime
from breachdesk.notices.render import law_context
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import Decision, PeopleGroup, assess, decide
from breachdesk.rules.facts import WhatIfFacts

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_DISCOVERY = datetime(2026, 3, 2, 15, tzinfo=UTC)  # a Monday


class Given(WhatIfFacts):
    discovered_at: UTCTime = DEFAULT_DISCOVERY
    residence: str | None = None
    residents: int = Field(default=1, ge=1)
    no_harm_determination: bool = False


class Expect(Strict):
    owed: bool
    individual_deadline: date | None = None
    regulator_notices: dict[str, bool] = Field(default_factory=dict)
    regulator_deadlines: dict[str, date | None] = Field(default_factory=dict)
    cra_notice_required: bool | None = None
    credit_monitoring_months: int | None = None
    # What the law makes the notice print: its required content items (all of them),
    # and the regulator contact details the notice prints for the person's residence.
    notice_requires: list[str] | None = None
    regulator_contact: dict[str, str | None] | None = None


class Case(Strict):
    name: str
    tests: str = Field(min_length=3)
    given: Given
    expect: Expect


class CaseFile(Strict):
    code: str
    cases: list[Case] = Field(min_length=5)


def _case_files() -> dict[str, CaseFile]:
    files = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        files[path.stem] = CaseFile.model_validate(yaml.safe_load(path.read_text("utf-8")))
    return files


CASE_FILES = _case_files()


def _all_cases() -> list[Any]:
    return [
        pytest.param(code, case, id=f"{code}: {case.name}")
        for code, case_file in CASE_FILES.items()
        for case in case_file.cases
    ]


def test_every_rule_file_has_a_case_file_of_its_own() -> None:
    rules = shipped_rules()
    assert sorted(CASE_FILES) == sorted(rules)
    for code, case_file in CASE_FILES.items():
        assert case_file.code == code


@pytest.mark.parametrize(("code", "case"), _all_cases())
def test_case(code: str, case: Case) -> None:
    rule = shipped_rules()[code]
    given = case.given
    residence = given.residence or (rule.applies_to.residence or [None])[0]
    no_harm = [code] if given.no_harm_determination else given.no_harm_determinations
    facts = given.model_copy(update={"no_harm_determinations": no_harm}).to_facts()
    elements = frozenset(exposure.element for exposure in facts.exposures)
    group = PeopleGroup(residence=residence, elements=elements, count=given.residents)
    result = assess(shipped_rules(), facts, [group]).jurisdictions.get(code)
    expect = case.expect

    owed = result is not None and result.residents_owed_notice > 0
    assert owed == expect.owed, _explain(decide(rule, facts, residence, elements))
    if "individual_deadline" in expect.model_fields_set:
        actual = result.individual_due.day if result and result.individual_due else None
        assert actual == expect.individual_deadline
    decisions = {item.notice.id: item for item in result.regulators} if result else {}
    for notice_id, required in expect.regulator_notices.items():
        assert any(notice.id == notice_id for notice in rule.regulator_notices), (
            f"{code} has no regulator notice {notice_id!r}"
        )
        assert (notice_id in decisions and decisions[notice_id].required) == required, notice_id
    for notice_id, deadline in expect.regulator_deadlines.items():
        decision = decisions.get(notice_id)
        actual = decision.due.day if decision and decision.due else None
        assert actual == deadline, notice_id
    if expect.cra_notice_required is not None:
        assert bool(result and result.cra_notice_required) == expect.cra_notice_required
    if "credit_monitoring_months" in expect.model_fields_set:
        actual = result.credit_monitoring_months if result else None
        assert actual == expect.credit_monitoring_months
    if expect.notice_requires is not None:
        required = {item.value for item in rule.content.required} if rule.content else set()
        assert required == set(expect.notice_requires)
    if expect.regulator_contact is not None:
        printed = law_context([rule], residence)["regulator_contacts"]
        assert [{key: contact[key] for key in expect.regulator_contact} for contact in printed] == [
            expect.regulator_contact
        ]


def _explain(decision: Decision) -> str:
    if not decision.applies:
        return "the law does not apply to these facts"
    return "; ".join(f"{reason.facts}: {reason.finding}" for reason in decision.reasons)
