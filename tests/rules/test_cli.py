"""``breachdesk law`` and ``breachdesk assess``, as a user runs them."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from breachdesk.rules.catalog import shipped_rules
from tests.people.conftest import HEADER, import_json, person, write_csv

# Every state counts a name with a Social Security number in clear as personal information.
CLEAR_SSN_FACTS = """\
discovered_at: 2026-09-14T15:00:00Z
determined_at: 2026-09-14T15:00:00Z
elements: [name, address, ssn]
"""
DISCOVERED = date(2026, 9, 14)


def _deadline(code: str) -> str | None:
    """What the rule file says the individual deadline is, for facts discovered (and the
    breach determined) on a Monday, with no business-day deadline (checked by the engine
    tests and the case files)."""
    deadline = shipped_rules()[code].individual_notice.deadline
    if deadline.days is None or deadline.business_days:
        return None
    return (DISCOVERED + timedelta(days=deadline.days)).isoformat()


@pytest.fixture
def people_csv(tmp_path):
    rows = [person(1), person(2), person(3, state="CA", postcode="94105", city="San Francisco")]
    rows.append(person(4, state="", postcode="", city="", address_line1="", country="US"))
    return write_csv(tmp_path / "people.csv", HEADER, rows)


def test_law_list_names_every_rule_file(run_cli) -> None:
    result = run_cli("law", "list")
    assert result.exit_code == 0
    for code in shipped_rules():
        assert re.search(rf"^{code}\s", result.output, re.MULTILINE)


@pytest.mark.parametrize("code", sorted(shipped_rules()))
def test_law_show_json_is_the_documented_interface(run_cli, code) -> None:
    result = run_cli("law", "show", code.lower(), "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["code"] == code
    assert shown["citation"] and shown["sources"]
    assert date.fromisoformat(shown["last_reviewed"])
    assert set(shown["personal_information"]["elements"]) <= {
        "name", "address", "email", "phone", "date_of_birth", "ssn", "drivers_license",
        "state_id", "passport", "tax_id", "financial_account", "payment_card",
        "card_security_code", "pin", "account_credentials", "medical", "health_insurance",
        "biometric", "genetic", "precise_geolocation", "other",
    }  # fmt: skip
    assert isinstance(shown["encryption_safe_harbor"], bool)
    assert shown["key_compromise_defeats_safe_harbor"] in (True, False, None)
    assert isinstance(shown["risk_of_harm_analysis"], bool)
    notice = shown["individual_notice"]
    if notice is not None:
        assert notice["deadline_days"] is None or isinstance(notice["deadline_days"], int)
        assert isinstance(notice["business_days"], bool)
        assert notice["clock_starts"] in ("discovery", "awareness", "determination")
        assert shown["substitute_notice"] is not None
        assert shown["content_requirements"] is not None
    for regulator in shown["regulator_notices"]:
        assert {"agency", "threshold_residents", "deadline_days"} <= set(regulator)
        assert isinstance(regulator["must_precede_individual_notice"], bool)
    assert shown["cra_notice"] is None or shown["cra_notice"]["threshold_residents"] >= 1


def test_law_show_text_cites_each_requirement(run_cli) -> None:
    result = run_cli("law", "show", "US-CA")
    assert result.exit_code == 0
    assert "Cal. Civ. Code" in result.output
    assert "source: https://" in result.output


def test_law_show_names_the_regulator_details_a_notice_must_print(run_cli) -> None:
    result = run_cli("law", "show", "US-MD")
    assert "notices print: Maryland Office of the Attorney General" in result.output
    assert "1-888-743-0023" in result.output and "https://oag.maryland.gov" in result.output
    assert "notices print" not in run_cli("law", "show", "US-TX").output


def test_an_unknown_code_is_refused_with_the_way_to_find_codes(run_cli) -> None:
    result = run_cli("law", "show", "US-ZZ")
    assert result.exit_code == 2
    assert "breachdesk law list" in result.output


def test_assess_a_stored_incident(run_cli, incident, tmp_path, people_csv) -> None:
    revised = tmp_path / "facts.yaml"
    revised.write_text(
        "elements: [name, address, ssn]\npeople_affected: 4\npublic_description: Copied.\n"
    )
    revise = run_cli("incident", "revise", incident, "--from", revised, "--reason", "forensics")
    assert revise.exit_code == 0, revise.output
    assert import_json(run_cli, people_csv, incident)[0] == 0

    result = run_cli("assess", "--incident", incident, "--json")
    assert result.exit_code == 0, result.output
    assessment = json.loads(result.output)
    by_code = {item["code"]: item for item in assessment["jurisdictions"]}
    assert by_code["US-TX"]["residents_affected"] == 2
    assert by_code["US-TX"]["residents_owed_notice"] == 2
    assert by_code["US-CA"]["residents_owed_notice"] == 1
    assert {"regulator_notices", "cra_notice_required", "individual_deadline"} <= set(
        by_code["US-TX"]
    )
    for notice in by_code["US-TX"]["regulator_notices"]:
        assert {"agency", "required", "deadline"} <= set(notice)


def test_explain_gives_one_persons_reasons_and_is_audited(run_cli, incident, people_csv) -> None:
    assert import_json(run_cli, people_csv, incident)[0] == 0
    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    texan = next(p for p in people if p["jurisdiction"] == "US-TX")

    result = run_cli("assess", "--incident", incident, "--explain", texan["reference"], "--json")
    assert result.exit_code == 0, result.output
    explained = json.loads(result.output)
    texas = next(d for d in explained["decisions"] if d["code"] == "US-TX")
    assert all(reason["citation"] for reason in texas["reasons"])
    assert "first_name" not in json.dumps(explained)  # no contact details

    text = run_cli("assess", "--incident", incident, "--explain", texan["reference"]).output
    assert "US-TX:" in text
    events = run_cli("audit", "export").output
    assert '"assessment.person_explained"' in events
    assert texan["reference"] in events


def test_what_if_on_files_needs_no_database(run_cli, tmp_path, people_csv) -> None:
    facts = tmp_path / "what-if.yaml"
    facts.write_text(CLEAR_SSN_FACTS)
    report = tmp_path / "report.html"
    result = run_cli("assess", "--facts", facts, "--people", people_csv, "--json", "--html", report)
    assert result.exit_code == 0, result.output
    assessment = json.loads(result.output)
    assert assessment["people"] == 4
    assert assessment["people_without_residence"] == 1
    by_code = {item["code"]: item for item in assessment["jurisdictions"]}
    assert by_code["US-TX"]["residents_owed_notice"] == 2
    assert by_code["US-TX"]["individual_deadline"] == _deadline("US-TX")
    assert by_code["US-CA"]["individual_deadline"] == _deadline("US-CA")

    html = report.read_text()
    assert "Not legal advice" in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?:', html)  # nothing fetched from elsewhere
    assert 'class="due-' in html  # Texas and California are coloured as owing notice
    assert shipped_rules()["US-TX"].last_reviewed.isoformat() in html


def test_a_no_harm_finding_spares_notice_only_where_the_law_allows_it(
    run_cli, tmp_path, people_csv
) -> None:
    facts = tmp_path / "what-if.yaml"
    facts.write_text(CLEAR_SSN_FACTS)
    allowed = [code for code, rule in shipped_rules().items() if rule.risk_of_harm.allowed]
    refused = [code for code, rule in shipped_rules().items() if not rule.risk_of_harm.allowed]
    args = ["assess", "--facts", facts, "--people", people_csv, "--json"]
    for code in ("US-TX", "US-CA"):
        result = json.loads(run_cli(*args, "--no-harm", code).output)
        owed = {item["code"]: item["residents_owed_notice"] for item in result["jurisdictions"]}
        assert (owed[code] == 0) == (code in allowed), (code, allowed, refused)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--incident", "1", "--facts", "f.yaml"], "either --incident"),
        (["--facts", "f.yaml"], "--facts needs --people"),
        ([], "either --incident"),
        (["--incident", "1", "--no-harm", "US-ZZ"], "no rule file for 'US-ZZ'"),
    ],
)
def test_assess_refuses_unclear_requests(run_cli, args, message) -> None:
    result = run_cli("assess", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_explain_needs_a_stored_incident(run_cli, tmp_path, people_csv) -> None:
    facts = tmp_path / "what-if.yaml"
    facts.write_text(CLEAR_SSN_FACTS)
    result = run_cli("assess", "--facts", facts, "--people", people_csv, "--explain", "X")
    assert result.exit_code == 2
    assert "--explain needs --incident" in result.output
