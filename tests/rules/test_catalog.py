"""The shipped rule files: all sixty-one laws, each valid, each reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.inputs import InputError
from breachdesk.rules.catalog import load_rule_file, shipped_rules

STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY",
]  # fmt: skip
TERRITORIES = ["DC", "PR", "GU", "VI"]
REGIMES = ["US-HIPAA", "US-GLBA", "US-SEC", "EU-GDPR", "GB-UKGDPR", "CA-PIPEDA", "AU-NDB"]
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "US-XX.yaml"


def test_every_jurisdiction_and_regime_has_a_rule_file() -> None:
    expected = {f"US-{code}" for code in STATES + TERRITORIES} | set(REGIMES)
    assert len(expected) == 61
    assert set(shipped_rules()) == expected


@pytest.mark.parametrize("code", [f"US-{code}" for code in STATES + TERRITORIES])
def test_a_state_law_covers_its_own_residents(code) -> None:
    assert shipped_rules()[code].applies_to.residence == [code]


@pytest.mark.parametrize("code", sorted(shipped_rules()))
def test_every_rule_file_was_reviewed_after_it_took_effect(code) -> None:
    rule = shipped_rules()[code]
    assert rule.effective_from <= rule.last_reviewed


def test_a_file_named_for_another_code_is_refused(tmp_path) -> None:
    wrong = tmp_path / "US-YY.yaml"
    wrong.write_text(EXAMPLE.read_text("utf-8"))
    with pytest.raises(InputError, match=r"must be named US-XX\.yaml"):
        load_rule_file(wrong)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("citation: Ex. Code § 10-101(5)", "citation: ''"), "must not be blank"),
        (
            (
                "  source: https://legislature.example.gov/code/10-101\n  elements:",
                "  source: https://elsewhere.example.org/x\n  elements:",
            ),
            "sources must list every block",
        ),
        (("holiday_calendar: US-TX", "holiday_calendar: null"), "need a holiday_calendar"),
        (("{element: ssn, needs_name: true}", "{element: sin, needs_name: true}"), "element"),
        (("      days: 10\n", "      days: 10\n      hours: 4\n"), "days or hours, not both"),
        (("  redaction: true\n", "  redaction: true\n  reaction: true\n"), "not a known field"),
        (("ftc_contact, regulator_contact]", "ftc_contact]"), "regulator_contact is not required"),
        (
            (
                "details_source: https://ag.example.gov/contact",
                "details_source: https://x.example/y",
            ),
            "sources must list every block",
        ),
    ],
)
def test_a_broken_rule_file_is_refused_naming_the_field(tmp_path, change, message) -> None:
    text = EXAMPLE.read_text("utf-8")
    assert change[0] in text
    broken = tmp_path / "US-XX.yaml"
    broken.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(InputError, match=message):
        load_rule_file(broken)
