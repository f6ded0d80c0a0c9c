"""Regulator notices: one for every notice an incident's laws require, with each field
the regulator asks for filled from the stored incident or listed as a gap; and the
record of sending them, with each notice's status."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from pypdf import PdfReader

from breachdesk.db import Database
from breachdesk.incidents.models import DataElement, FactRevision, Incident, Organisation
from breachdesk.notices.render import default_template
from breachdesk.reports.regulator_fields import FILLERS, LABELS
from breachdesk.reports.regulators import (
    Sources,
    notice_documents,
    owed_notices,
    render_json,
    render_pdf,
)
from breachdesk.reports.schemas import CRA, GAP_PREFIX
from breachdesk.reports.submissions import status_of
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import PeopleGroup, assess
from breachdesk.rules.facts import incident_facts
from breachdesk.rules.schema import ContentItem, Jurisdiction
from breachdesk.rules.service import assess_incident
from tests.delivery.conftest import approve_default_template, import_people
from tests.factories import facts, make_incident, revise
from tests.people.conftest import person

# In-memory incidents, for checking every shipped rule file without a database


def _organisation(sectors: list[str]) -> Organisation:
    flags = ("hipaa_covered_entity", "hipaa_business_associate")
    flags += ("glba_financial_institution", "sec_registrant")
    return Organisation(
        slug="acme",
        legal_name="Acme Health Supply, LLC",
        display_name="Acme Health Supply",
        owned_domains=["acme-health.example"],
        sending_domains=["mail.acme-health.example"],
        sender_identities=[{"name": "Acme", "email": "notice@mail.acme-health.example"}],
        support_phone="+1 800 555 0199",
        support_email="privacy@acme-health.example",
        support_postal_address="Acme Health Supply\n1 Main St\nAustin, TX 78701",
        signatory_name="Rosa Diaz",
        signatory_title="Chief Executive Officer",
        established_in=["US"],
        **{flag: flag in sectors for flag in flags},
    )


def _incident(sectors: list[str] = (), **revision: object) -> Incident:
    """Every element taken in clear, unless ``revision`` says otherwise (never saved)."""
    values = {
        "number": 1,
        "elements": [{"element": e.value, "protection": "clear"} for e in DataElement],
        "people_affected": 2000,
        "occurred_from": datetime(2026, 9, 1, tzinfo=UTC),
        "occurred_to": datetime(2026, 9, 10, tzinfo=UTC),
        "timeline": [{"at": "2026-09-13T10:00:00+00:00", "what": "Passwords reset"}],
        "public_description": "Someone copied part of our customer database.",
        "internal_description": "",
        "reason": "test",
        "created_by": "test",
        **revision,
    }
    return Incident(
        id=7,
        title="Customer database copied",
        discovered_at=datetime(2026, 9, 12, 9, tzinfo=UTC),
        determined_at=datetime(2026, 9, 15, tzinfo=UTC),
        contained_at=datetime(2026, 9, 12, 17, tzinfo=UTC),
        organisation=_organisation(list(sectors)),
        revisions=[FactRevision(**values)],
    )


def _sources(incident: Incident, rules: dict[str, Jurisdiction], groups, **changes) -> Sources:
    values = {
        "incident": incident,
        "assessment": assess(rules, incident_facts(incident), groups),
        "groups": groups,
        "first_sent": {},
        "planned": {},
        "has_campaign": True,
        "remedy": {"months": 24, "url": "https://acme-health.example/enroll"},
        "template": default_template("initial", "en"),
        "template_gap": None,
        "today": date(2026, 9, 20),
        **changes,
    }
    return Sources(**values)


def _every_notice() -> list[tuple[Jurisdiction, str, int]]:
    """(rule, notice id, residents that make it required) for every shipped notice."""
    notices = []
    for rule in shipped_rules().values():
        for notice in rule.regulator_notices:
            notices.append((rule, notice.id, notice.threshold_residents))
        if rule.cra_notice is not None:
            notices.append((rule, CRA, rule.cra_notice.threshold_residents))
    return notices


def test_every_vocabulary_item_has_a_label_and_a_way_to_be_filled() -> None:
    assert set(FILLERS) == set(ContentItem) == set(LABELS)


def test_no_rule_file_names_a_regulator_notice_like_the_credit_bureau_notice() -> None:
    ids = {notice.id for rule in shipped_rules().values() for notice in rule.regulator_notices}
    assert CRA not in ids


def test_every_shipped_rule_files_required_notices_have_every_field_filled_or_a_gap() -> None:
    checked = 0
    for rule, notice_id, residents in _every_notice():
        # Sector laws (HIPAA, GLBA, the SEC) cover the organisation's people wherever
        # they live; the others, their residents.
        by_sector = not rule.applies_to.residence
        incident = _incident(rule.applies_to.sectors if by_sector else [])
        residence = "US-TX" if by_sector else rule.applies_to.residence[0]
        groups = [PeopleGroup(residence, None, residents)]
        sources = _sources(incident, {rule.code: rule}, groups)
        documents = {document.name: document for document in notice_documents(sources)}
        document = documents.get(f"{rule.code}-{notice_id}")
        assert document is not None, f"{rule.code} {notice_id}: no notice at {residents} people"

        block = rule.cra_notice if notice_id == CRA else rule.regulator_notice(notice_id)
        assert [field.item for field in document.fields] == [
            item.value for item in block.required_content
        ]
        for field in document.fields:
            assert (field.value is None) != (field.gap is None), (document.name, field)
            if field.value is not None:
                assert field.value.strip(), (document.name, field.item)
        assert document.agency and document.citation == block.citation
        assert document.source == block.source
        assert document.deadline.standard == block.deadline.standard
        assert document.rules_last_reviewed == rule.last_reviewed
        assert document.fact_revision == 1
        assert "not legal advice" in document.disclaimer
        if ContentItem.SAMPLE_NOTICE in block.required_content:
            assert document.sample is not None and "Dear Sample Resident" in document.sample.text
        as_json = json.loads(render_json(document))
        assert as_json["jurisdiction"]["code"] == rule.code
        assert as_json["gaps"] == document.gaps
        checked += 1
    assert checked == len(_every_notice()) > 80


def test_what_the_stored_incident_cannot_say_is_listed_to_complete_never_invented() -> None:
    rules = shipped_rules()
    incident = _incident(occurred_from=None, occurred_to=None, timeline=[])
    incident.contained_at = None
    groups = [PeopleGroup("DE", None, 40), PeopleGroup("US-MA", None, 3)]
    sources = _sources(
        incident,
        rules,
        groups,
        has_campaign=False,
        remedy=None,
        template=None,
        template_gap="no approved initial notice template",
    )
    documents = {document.name: document for document in notice_documents(sources)}

    gdpr = documents["EU-GDPR-supervisory-authority"]
    fields = {field.item: field for field in gdpr.fields}
    assert fields["likely_consequences"].value is None
    assert "counsel's assessment" in fields["likely_consequences"].gap
    assert fields["mitigation_measures"].value is None
    assert fields["number_affected"].data == 2000  # the facts' estimate
    assert "43 people imported so far" in fields["number_affected"].value
    assert gdpr.deadline.at == datetime(2026, 9, 15, 9, tzinfo=UTC)  # 72 hours
    assert any("where to send it" in gap for gap in gdpr.gaps)

    massachusetts = documents["US-MA-ag"]
    fields = {field.item: field for field in massachusetts.fields}
    assert fields["actions_taken"].value is None
    assert fields["sample_notice"].gap == "no approved initial notice template"
    assert massachusetts.sample is None
    assert fields["residents_affected"].value == "3 (Massachusetts: residents owed notice)"
    assert all(gap.startswith(GAP_PREFIX) for gap in massachusetts.gaps)
    assert len(massachusetts.gaps) == 3  # actions, the copy, where to send it
    in_json = {field["item"]: field for field in json.loads(render_json(massachusetts))["fields"]}
    assert in_json["actions_taken"]["gap"].startswith(GAP_PREFIX)
    assert in_json["actions_taken"]["value"] is None


def test_a_deadline_in_hours_is_overdue_the_moment_it_passes_and_ranges_are_explained():
    incident = _incident(["hipaa_covered_entity"])
    groups = [PeopleGroup("DE", None, 40), PeopleGroup("US-TX", None, 600)]
    owed = {
        f"{item.result.code}-{item.notice}": item
        for item in owed_notices(assess(shipped_rules(), incident_facts(incident), groups))
    }
    gdpr = owed["EU-GDPR-supervisory-authority"]  # 72 hours from 2026-09-12 09:00 UTC
    before = status_of(gdpr, (), datetime(2026, 9, 15, 8, tzinfo=UTC), 1)
    assert before.state == "due" and before.summary() == "due in 0 days (2026-09-15 09:00 UTC)"
    after = status_of(gdpr, (), datetime(2026, 9, 15, 10, tzinfo=UTC), 1)
    assert after.state == "overdue" and after.summary() == "OVERDUE since 2026-09-15 09:00 UTC"

    annual = status_of(owed["US-HIPAA-hhs-annual"], (), datetime(2026, 9, 20, tzinfo=UTC), 1)
    assert annual.state == "not_required"
    assert annual.summary() == "not required (640 counted, 1 to 499 needed)"
    assert owed["US-HIPAA-hhs-500"].required


def test_a_notice_pdf_shows_the_fields_the_gaps_and_the_consumer_notice() -> None:
    incident = _incident()
    sources = _sources(incident, shipped_rules(), [PeopleGroup("US-MA", None, 3)])
    document = next(doc for doc in notice_documents(sources) if doc.name == "US-MA-ag")
    pdf = render_pdf(document)
    assert pdf == render_pdf(document)  # the same notice, the same bytes
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Massachusetts Attorney General" in text
    assert "Mass. Gen. Laws ch. 93H" in text
    assert "Residents affected" in text and "3 (Massachusetts: residents owed" in text
    assert "Passwords reset" in text  # actions taken, from the facts' timeline
    assert "It is not legal advice" in text
    assert "Dear Sample Resident" in text  # the copy of the consumer notice
    assert "To complete before sending" in text  # the rule file names no address


# Stored incidents, through the command line


NOTIFIABLE = facts(elements=["name", "address", "ssn"])
RESIDENTS = {"US-MA": 2, "US-NY": 1, "US-NJ": 1, "US-CT": 1, "US-TX": 2}
STATES = {"US-MA": ("MA", "Boston", "02108"), "US-NY": ("NY", "Albany", "12207"),
          "US-NJ": ("NJ", "Trenton", "08608"), "US-CT": ("CT", "Hartford", "06103"),
          "US-TX": ("TX", "Austin", "78701"), "US-IN": ("IN", "Indianapolis", "46204")}  # fmt: skip


def _people(residents: dict[str, int]) -> list[list[str]]:
    rows, number = [], 0
    for code, count in residents.items():
        state, city, postcode = STATES[code]
        for _ in range(count):
            number += 1
            rows.append(person(number, state=state, city=city, postcode=postcode))
    return rows


def _incident_with_people(database_url, run_cli, tmp_path, residents) -> int:
    database = Database(database_url)
    with database.session() as session:
        incident_id = make_incident(session, facts=NOTIFIABLE).id
    database.dispose()
    import_people(run_cli, tmp_path, incident_id, _people(residents))
    return incident_id


@pytest.fixture
def several_states(database_url, settings_env, run_cli, tmp_path) -> int:
    """An incident whose people live in five states."""
    return _incident_with_people(database_url, run_cli, tmp_path, RESIDENTS)


def _json(run_cli, *args) -> dict:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_notice_the_incidents_laws_require_is_written_as_pdf_and_json(
    run_cli, several_states, database_url, tmp_path
) -> None:
    approve_default_template(run_cli, tmp_path)
    campaign = run_cli(
        "campaign", "create", "--incident", several_states,
        "--monitoring-months", "24", "--enrol-url", "https://acme-health.example/enroll",
    )  # fmt: skip
    assert campaign.exit_code == 0, campaign.output
    campaign = campaign.output.strip()
    # Connecticut's residents are told now; everyone else's wave waits for January.
    assert run_cli("campaign", "wave", campaign, "--jurisdiction", "US-CT").exit_code == 0
    assert run_cli("campaign", "run", campaign).exit_code == 0
    later = run_cli("campaign", "wave", campaign, "--start", "2030-01-05T09:00:00Z")
    assert later.exit_code == 0, later.output

    out = tmp_path / "notices"
    listed = _json(run_cli, "report", "regulators", "--incident", several_states, "--out", out)

    database = Database(database_url)
    with database.session() as session:
        assessment = assess_incident(db_session=session, incident_id=several_states)
    database.dispose()
    required = {
        f"{owed.result.code}-{owed.notice}" for owed in owed_notices(assessment) if owed.required
    }
    assert {"US-MA-ag", "US-MA-ocabr", "US-MA-cra", "US-NY-ag", "US-NY-dos"} <= required
    assert {"US-NY-state-police", "US-NJ-nj-state-police", "US-CT-ag"} <= required
    assert {code.split("-")[1] for code in RESIDENTS} - {"TX"} <= {
        name.split("-")[1] for name in required
    }
    written = {file["name"] for file in listed["files"]}
    assert written == {f"{name}.{suffix}" for name in required for suffix in ("pdf", "json")}

    # Texas asks for a notice from 250 residents: listed, not required, no file.
    texas = next(item for item in listed["notices"] if item["jurisdiction"] == "US-TX")
    assert texas["state"] == "not_required" and texas["residents_counted"] == 2
    assert not (out / "US-TX-ag.pdf").exists()

    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(written)
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest

    notice = json.loads((out / "US-MA-ag.json").read_text())
    fields = {field["item"]: field for field in notice["fields"]}
    assert fields["residents_affected"]["data"] == 2
    assert "Social Security number (clear)" in fields["elements_exposed"]["value"]
    assert fields["contact_person"]["value"].startswith("Rosa Diaz, Chief Executive Officer")
    assert notice["fact_revision"] == 1
    assert notice["rules_last_reviewed"] == shipped_rules()["US-MA"].last_reviewed.isoformat()
    assert "Dear Sample Resident" in notice["consumer_notice"]["text"]
    assert "24 months of free credit monitoring" in notice["consumer_notice"]["text"]
    assert notice["consumer_notice"]["residence"] == "US-MA"

    # Connecticut and New York ask for the date residents were told: the day the run
    # sent Connecticut's, and the day New York's wave is scheduled for.
    connecticut = json.loads((out / "US-CT-ag.json").read_text())
    dates = {field["item"]: field for field in connecticut["fields"]}
    assert dates["notice_date"]["data"]["sent"] == datetime.now(UTC).date().isoformat()
    new_york = json.loads((out / "US-NY-ag.json").read_text())
    dates = {field["item"]: field for field in new_york["fields"]}
    assert dates["notice_date"]["value"] == "planned: 2030-01-05 (no notice sent yet)"
    assert dates["number_affected"]["data"] == 1000
    assert "7 people imported so far" in dates["number_affected"]["value"]
    assert PdfReader(out / "US-NY-ag.pdf").pages[0].extract_text().count("New York") >= 1


def test_submissions_are_recorded_once_unless_amended_with_the_documents_hash(
    run_cli, several_states, database_url, tmp_path
) -> None:
    out = tmp_path / "notices"
    written = run_cli("report", "regulators", "--incident", several_states, "--out", out)
    assert written.exit_code == 0, written.output
    pdf = out / "US-MA-ag.pdf"
    submit = (
        "report", "submitted", "--incident", several_states, "--jurisdiction", "us-ma",
        "--notice", "ag",
    )  # fmt: skip
    first = run_cli(*submit, "--reference", "AG-2026-118", "--method", "email", "--file", pdf)
    assert first.exit_code == 0, first.output
    assert "submission 1" in first.output

    again = run_cli(*submit, "--reference", "AG-2026-119")
    assert again.exit_code == 2
    assert "already recorded as submitted" in again.output and "--amended" in again.output

    database = Database(database_url)
    with database.session() as session:
        incident = session.get(Incident, several_states)
        revise(session, incident, elements=["name", "address", "ssn", "payment_card"])
    database.dispose()
    status = _json(run_cli, "report", "regulators", "--incident", several_states)
    massachusetts = next(
        item
        for item in status["notices"]
        if (item["jurisdiction"], item["notice"]) == ("US-MA", "ag")
    )
    assert massachusetts["state"] == "submitted" and massachusetts["revised_since"]
    assert "facts revised since" in massachusetts["summary"]

    amended = run_cli(*submit, "--reference", "AG-2026-160", "--amended")
    assert amended.exit_code == 0, amended.output
    assert "amended notice (submission 2)" in amended.output

    status = _json(run_cli, "report", "regulators", "--incident", several_states)
    massachusetts = next(
        item
        for item in status["notices"]
        if (item["jurisdiction"], item["notice"]) == ("US-MA", "ag")
    )
    kept = massachusetts["submissions"]
    assert [(s["number"], s["reference"]) for s in kept] == [(1, "AG-2026-118"), (2, "AG-2026-160")]
    assert kept[0]["document_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert kept[0]["method"] == "email" and kept[0]["fact_revision"] == 1
    assert kept[1]["fact_revision"] == 2 and not massachusetts["revised_since"]

    trail = [json.loads(line) for line in run_cli("audit", "export").output.splitlines()]
    payloads = [
        event["payload"]
        for event in trail
        if event["event_type"] == "report.regulator_notice_submitted"
    ]
    assert [(p["notice"], p["number"], p["reference"]) for p in payloads] == [
        ("ag", 1, "AG-2026-118"),
        ("ag", 2, "AG-2026-160"),
    ]
    assert payloads[0]["document_sha256"] == kept[0]["document_sha256"]
    assert run_cli("audit", "verify").exit_code == 0


def test_a_submission_of_a_notice_that_is_not_owed_is_refused_with_the_reason(
    run_cli, several_states
) -> None:
    refusals = [
        (("--jurisdiction", "US-ZZ", "--notice", "ag"), "no rule file for 'US-ZZ'"),
        (("--jurisdiction", "US-CA", "--notice", "ag"), "US-CA does not apply to incident"),
        (("--jurisdiction", "US-MA", "--notice", "dpo"), "its notices: ag, ocabr, cra"),
        (("--jurisdiction", "US-TX", "--notice", "ag"), "2 residents counted, 250 needed"),
        (("--jurisdiction", "US-MA", "--notice", "cra", "--amended"), "no submission to amend"),
        (("--jurisdiction", "US-MA", "--notice", "ag", "--method", "pigeon"), "pigeon"),
        (("--jurisdiction", "US-MA", "--notice", "ag", "--submitted-at", "soon"), "not a date"),
    ]
    for args, message in refusals:
        result = run_cli(
            "report", "submitted", "--incident", several_states, "--reference", "X1", *args
        )
        assert result.exit_code == 2, args
        assert message in result.output, result.output
    listed = _json(run_cli, "report", "regulators", "--incident", several_states)
    assert not any(item["submissions"] for item in listed["notices"])


def test_a_notice_is_due_then_overdue_and_a_late_submission_says_so(
    run_cli, database_url, settings_env, tmp_path
) -> None:
    # Indiana: the Attorney General within 45 days of discovery (2026-09-12 09:00 UTC,
    # which is still 2026-09-11 somewhere on Earth), from the first resident.
    with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC), tick=False):
        incident = _incident_with_people(database_url, run_cli, tmp_path, {"US-IN": 1})
        due = _json(run_cli, "report", "regulators", "--incident", incident)["notices"]
        indiana = next(item for item in due if item["notice"] == "ag")
        assert indiana["state"] == "due" and indiana["days_left"] == 6
        assert indiana["deadline"]["date"] == "2026-10-26"
        assert (
            "due in 6 days (2026-10-26)"
            in run_cli("report", "regulators", "--incident", incident).output
        )
    with time_machine.travel(datetime(2026, 10, 29, 12, tzinfo=UTC), tick=False):
        listed = run_cli("report", "regulators", "--incident", incident)
        assert "OVERDUE by 3 days" in listed.output
        submitted = run_cli(
            "report", "submitted", "--incident", incident, "--jurisdiction", "US-IN",
            "--notice", "ag", "--reference", "IN-5521", "--submitted-at", "2026-10-28",
        )  # fmt: skip
        assert submitted.exit_code == 0, submitted.output
        notices = _json(run_cli, "report", "regulators", "--incident", incident)["notices"]
        indiana = next(item for item in notices if item["notice"] == "ag")
        assert indiana["state"] == "submitted" and indiana["on_time"] is False
        assert "submitted 2026-10-28 (ref IN-5521), late" in indiana["summary"]
        future = run_cli(
            "report", "submitted", "--incident", incident, "--jurisdiction", "US-IN",
            "--notice", "ag", "--reference", "IN-5522", "--submitted-at", "2026-11-02",
            "--amended",
        )  # fmt: skip
        assert future.exit_code == 2 and "is in the future" in future.output


def test_out_writes_nothing_it_cannot_and_says_why(run_cli, several_states, tmp_path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = run_cli("report", "regulators", "--incident", several_states, "--out", blocked)
    assert result.exit_code == 2
    assert "--out: cannot create" in result.output
    missing = run_cli("report", "regulators", "--incident", 999)
    assert missing.exit_code == 2 and "no incident 999" in missing.output
