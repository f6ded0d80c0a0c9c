"""The org and incident commands, as a response lead uses them."""

from __future__ import annotations

import json

import pytest

from breachdesk.audit import service as audit
from breachdesk.db import Database
from tests.factories import INCIDENT, ORGANISATION, facts, merged, write_yaml


@pytest.fixture
def files(tmp_path):
    return {
        "org": write_yaml(tmp_path / "org.yaml", ORGANISATION),
        "incident": write_yaml(tmp_path / "incident.yaml", INCIDENT),
    }


@pytest.fixture
def incident_id(run_cli, files) -> int:
    assert run_cli("org", "create", "--from", files["org"]).exit_code == 0
    result = run_cli("incident", "create", "--from", files["incident"])
    assert result.exit_code == 0, result.output
    return 1


def audit_length(database_url: str) -> int:
    database = Database(database_url)
    with database.session() as session:
        length = audit.verify(db_session=session).head_seq
    database.dispose()
    return length


def test_a_lead_creates_an_organisation_and_an_incident(run_cli, incident_id):
    listed = json.loads(run_cli("incident", "list", "--json").output)
    assert listed == [
        {
            "id": 1,
            "title": "Customer database copied",
            "organisation": "acme",
            "status": "investigating",
            "discovered_at": "2026-09-12T09:00:00+00:00",
            "current_revision": 1,
            "people_affected": 1000,
            "scope_expansion": False,
        }
    ]
    shown = json.loads(run_cli("incident", "show", "1", "--json").output)
    assert shown["determined_at"] == "2026-09-15T00:00:00+00:00"
    assert shown["occurred_from"] == "2026-09-01T00:00:00+00:00"
    assert [e["element"] for e in shown["revisions"][0]["elements"]] == ["name", "ssn", "medical"]
    assert "Customer database copied" in run_cli("incident", "show", "1").output


def test_revising_after_a_statement_reports_the_scope_expansion(run_cli, incident_id, tmp_path):
    assert run_cli("incident", "disclose", "1").exit_code == 0
    wider = write_yaml(tmp_path / "facts.yaml", facts(people_affected=4000))
    result = run_cli("incident", "revise", "1", "--from", wider, "--reason", "forensics")
    assert result.exit_code == 0, result.output
    assert "SCOPE EXPANSION" in result.output

    diff = json.loads(run_cli("incident", "diff", "1", "1", "2", "--json").output)
    assert diff["count_change"] == 3000
    assert diff["scope_expansion"] is True
    assert {"added_elements", "weakened_elements", "window_widened"} <= diff.keys()
    text = run_cli("incident", "diff", "1", "1", "2").output
    assert "people affected 1,000 → 4,000 (+3,000)" in text
    listed = json.loads(run_cli("incident", "list", "--json").output)
    assert listed[0]["scope_expansion"] is True


def test_org_list_shows_the_sending_domains(run_cli, files):
    run_cli("org", "create", "--from", files["org"])
    listed = json.loads(run_cli("org", "list", "--json").output)
    assert listed[0]["sending_domains"] == ["mail.acme-health.example"]


BAD_ORGANISATIONS = {
    "a vendor's sending domain": (
        {"domains": {"owned": ["acme-health.example"], "sending": ["marketing-vendor.example"]}},
        "sending domain marketing-vendor.example is not one of the owned domains",
    ),
    "a sender off the sending domains": (
        {"senders": [{"name": "Acme", "email": "notice@acme-alerts.example"}]},
        "sender notice@acme-alerts.example is not on a sending domain",
    ),
    "an unknown field": ({"colour": "blue"}, "colour: is not a known field"),
    "a missing signatory": ({"signatory": None}, "signatory"),
    "a bad country code": ({"established_in": ["USA"]}, "ISO 3166"),
}


@pytest.mark.parametrize(("change", "message"), BAD_ORGANISATIONS.values(), ids=BAD_ORGANISATIONS)
def test_a_bad_organisation_is_refused_with_a_clear_error(
    run_cli, tmp_path, database_url, change, message
):
    path = write_yaml(tmp_path / "org.yaml", merged(ORGANISATION, **change))
    result = run_cli("org", "create", "--from", path)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert audit_length(database_url) == 0


BAD_INCIDENTS = {
    "an unknown element": (
        {"facts": facts(elements=["name", "ssn_number"])},
        "facts.elements[1].element: Input should be 'name', 'address'",
    ),
    "a window that ends before it starts": (
        {"facts": facts(occurred_from="2026-09-10", occurred_to="2026-09-01")},
        "occurred_from is after occurred_to",
    ),
    "determination before discovery": (
        {"determined_at": "2026-09-01"},
        "determined_at is before discovered_at",
    ),
    "a breach that starts after it was found": (
        {"facts": facts(occurred_from="2026-09-13", occurred_to="2026-09-14")},
        "occurred_from is after discovered_at",
    ),
    "a discovery in the future": ({"discovered_at": "2999-01-01"}, "is in the future"),
    "a missing organisation": ({"organisation": "globex"}, "no organisation 'globex'"),
    "a date it cannot read": ({"discovered_at": "last Tuesday"}, "is not a date"),
    "an element listed twice": ({"facts": facts(elements=["ssn", "ssn"])}, "listed twice"),
    "a negative count": ({"facts": facts(people_affected=-5)}, "people_affected"),
}


@pytest.mark.parametrize(("change", "message"), BAD_INCIDENTS.values(), ids=BAD_INCIDENTS)
def test_a_bad_incident_is_refused_and_nothing_is_written(
    run_cli, files, tmp_path, database_url, change, message
):
    run_cli("org", "create", "--from", files["org"])
    before = audit_length(database_url)
    path = write_yaml(tmp_path / "bad.yaml", merged(INCIDENT, **change))
    result = run_cli("incident", "create", "--from", path)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert audit_length(database_url) == before
    assert json.loads(run_cli("incident", "list", "--json").output) == []


def test_malformed_yaml_is_refused_with_its_line(run_cli, tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("slug: acme\nlegal_name: [unclosed\n", encoding="utf-8")
    result = run_cli("org", "create", "--from", path)
    assert result.exit_code == 2
    assert "not valid YAML at line" in result.output


def test_a_missing_file_is_refused(run_cli, tmp_path):
    result = run_cli("org", "create", "--from", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_a_revision_needs_a_reason(run_cli, incident_id, tmp_path):
    path = write_yaml(tmp_path / "facts.yaml", facts())
    result = run_cli("incident", "revise", "1", "--from", path, "--reason", "  ")
    assert result.exit_code == 2
    assert "reason" in result.output


def test_unknown_incidents_and_revisions_are_named(run_cli, incident_id):
    result = run_cli("incident", "show", "42")
    assert (result.exit_code, result.output.strip()) == (
        2,
        "error: no incident 42: see `breachdesk incident list`",
    )
    result = run_cli("incident", "diff", "1", "1", "7")
    assert result.exit_code == 2
    assert "has no revision 7 (it has 1 to 1)" in result.output


def test_two_leads_revising_at_once_lose_nothing_and_are_told(
    run_cli, incident_id, tmp_path, database_url, monkeypatch
):
    from breachdesk.incidents import service

    if database_url.startswith("sqlite"):
        pytest.skip("SQLite transactions take the write lock at once: the colleague waits")
    path = write_yaml(tmp_path / "facts.yaml", facts(people_affected=2000))
    real_revise = service.revise_facts

    def revise_after_a_colleague(**kwargs):
        # A colleague's revision lands between this command reading the incident and
        # writing its own.
        colleague = Database(database_url)
        with colleague.session() as session:
            incident = service.get_incident(db_session=session, incident_id=1)
            real_revise(
                db_session=session,
                incident=incident,
                reason="colleague",
                facts_in=kwargs["facts_in"],
                actor="test:colleague",
            )
        colleague.dispose()
        return real_revise(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(service, "revise_facts", revise_after_a_colleague)
        result = run_cli("incident", "revise", "1", "--from", path, "--reason", "mine")
    assert result.exit_code == 2
    assert "conflicts with one made at the same time" in result.output
    shown = json.loads(run_cli("incident", "show", "1", "--json").output)
    assert [r["reason"] for r in shown["revisions"]] == ["Initial facts", "colleague"]
    assert run_cli("audit", "verify").exit_code == 0
