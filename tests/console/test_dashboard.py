"""The incident dashboard and the regulators page: what a response lead sees at a glance
(the obligations map, the campaign's progress, the desk's load, remedies, claims, the
regulator deadlines, the scorecard, the wave plan) and the record of a regulator notice
sent."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.delivery import service as delivery
from breachdesk.desk import answers, claims, codes
from breachdesk.desk import service as desk
from breachdesk.desk.cli import DEFAULT_LIBRARY, load_answers
from breachdesk.desk.demo import write_codes
from breachdesk.desk.models import InquirySource
from breachdesk.desk.schemas import InquiryIn, ReplyIn
from breachdesk.desk.service import ServiceLevels
from breachdesk.incidents import service as incidents
from breachdesk.main import create_app
from breachdesk.people.models import AffectedPerson
from breachdesk.planning import waves_service
from breachdesk.reports import submissions
from breachdesk.reports.scorecard import build_scorecard, dkim_signing
from breachdesk.rules import service as rules_service
from breachdesk.security import service as security
from breachdesk.security.crypto import load_keyring
from tests.console.conftest import demo_client, demo_copy, text_of
from tests.delivery.conftest import (
    approve_default_template,
    email_everyone,
    everyone,
    import_people,
)
from tests.factories import disclose, make_incident, revise
from tests.people.conftest import person

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def _people() -> list[list[str]]:
    """The eight Texans of the delivery tests, and two people in Massachusetts."""
    boston = {"state": "MA", "city": "Boston", "postcode": "02108"}
    return [*everyone(), person(9, **boston), person(10, **boston)]


@pytest.fixture
def response(console_app, run_cli, database_url, tmp_path: Path) -> int:
    """A response under way: the scope widened once after a first statement; notices
    emailed to everyone with an address; codes loaded and two taken; three questions,
    two answered; one claim."""
    with time_machine.travel(NOW, tick=False):
        return _build(run_cli, database_url, tmp_path)


def _build(run_cli, database_url: str, tmp_path: Path) -> int:
    database = Database(database_url)
    found = (NOW - timedelta(days=5)).isoformat()
    with database.session() as db_session:
        incident = make_incident(db_session, discovered_at=found, determined_at=found)
        disclose(db_session, incident)
        revise(db_session, incident, elements=["name", "ssn", "payment_card"], people_affected=1500)
        incident_id = incident.id
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident_id, _people())
    email_everyone(database, incident_id, starts_at=NOW, months=18, capture=tmp_path / "capture")
    keyring = load_keyring(get_settings())
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        approvers = [
            security.get_by_email(db_session=db_session, email=f"{p}@acme-health.example")
            for p in ("lou", "cam")
        ]
        agent = security.get_by_email(db_session=db_session, email="ada@acme-health.example")
        for answer_in in load_answers(DEFAULT_LIBRARY):
            answer = answers.save_answer(
                db_session=db_session, incident=incident, answer_in=answer_in, actor="test"
            )
            for approver in approvers:
                answers.approve_answer(
                    db_session=db_session, answer=answer, approver=approver, actor="test"
                )
        codes.import_codes(
            db_session=db_session, keyring=keyring, incident=incident, pool_name="experian",
            vendor="Experian", enrol_url="https://www.experianidworks.com/3bcredit", months=18,
            low_water=None, path=write_codes(tmp_path / "codes.csv", 20), actor="test",
        )  # fmt: skip
        people = list(
            db_session.scalars(
                select(AffectedPerson.id)
                .where(AffectedPerson.incident_id == incident_id)
                .order_by(AffectedPerson.id)
            )
        )
        for person_id in people[:2]:
            codes.issue_code(
                db_session=db_session, keyring=keyring, incident_id=incident_id,
                person_id=person_id, actor="portal",
            )  # fmt: skip
        monitoring = next(
            a
            for a in answers.approved_answers(db_session=db_session, incident_id=incident_id)
            if a.key == "credit-monitoring" and a.language == "en"
        )
        for number in range(3):
            received = NOW - timedelta(hours=2, minutes=number)
            inquiry = desk.receive_inquiry(
                db_session=db_session, keyring=keyring, incident=incident,
                inquiry_in=InquiryIn(name=f"Pat {number}", email=f"pat{number}@example.net",
                                     message="How do I get the monitoring?"),
                source=InquirySource.PORTAL, actor="portal", now=received,
            )  # fmt: skip
            if number:
                desk.reply(
                    db_session=db_session, keyring=keyring, inquiry=inquiry,
                    reply_in=ReplyIn(answer_id=monitoring.id), agent=agent,
                    now=received + timedelta(minutes=15),
                )  # fmt: skip
        claims.submit_claim(
            db_session=db_session, keyring=keyring, incident_id=incident_id,
            person_id=people[0],
            claim_in=claims.ClaimIn(amount="129.95", charged_on="2026-11-18",
                                    description="A charge I never made."),
            evidence=[], evidence_dir=get_settings().data_dir / claims.EVIDENCE_DIR_NAME,
            actor="portal",
        )  # fmt: skip
    database.dispose()
    return incident_id


def _panel(page_text: str, heading: str, next_heading: str) -> str:
    return page_text.split(heading, 1)[1].split(next_heading, 1)[0]


def test_the_dashboard_shows_the_incident_its_widened_scope_and_every_panel(
    response, as_persona
) -> None:
    with time_machine.travel(LATER, tick=False):
        page = as_persona("lena").get(f"/console/incidents/{response}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Customer database copied: dashboard" in text
    assert "1,500 people affected" in text and "10 imported so far" in text
    assert "Revision 2 of the facts" in text
    assert "Scope widened: revision 2 widens revision 1" in text
    # the campaign: the six emails went, the letter and the substitute notice did not
    campaign = _panel(text, "Notice campaigns", "Inquiries and the desk")
    assert "Email 8 of 8 (100%)" in campaign and "Letter 0 of 1 (0%)" in campaign
    assert "8 of 10 notices sent" in campaign
    assert "1 notice still to send and nothing is going out right now" in campaign
    assert "1 open" in _panel(text, "Inquiries and the desk", "Credit monitoring")
    assert "2 people have taken a code: 20% of the 10 people" in text
    assert "submitted 1 129.95 USD" in _panel(text, "Reimbursement claims", "Regulator notices")
    assert f'src="/console/incidents/{response}/plan.svg"' in page.text
    assert "Wave plan chart:" in page.text  # the image's alt text
    # Every chart is an image with its own accessible name.
    assert page.text.count('role="img"') >= 4


def test_the_dashboard_counts_the_people_once_per_load_and_sees_new_people_next_time(
    response, as_persona, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting the people by residence and elements scans all of them: at a large
    # incident's size that scan is the page's cost, so every panel shares one.
    scans = []
    counted = rules_service.people_groups

    def counting(**arguments):
        scans.append(arguments["incident_id"])
        return counted(**arguments)

    monkeypatch.setattr(rules_service, "people_groups", counting)
    lena = as_persona("lena")
    with time_machine.travel(LATER, tick=False):
        first = text_of(lena.get(f"/console/incidents/{response}"))
    assert scans == [response]
    assert "10 imported so far" in first
    (tmp_path / "more").mkdir()
    import_people(run_cli, tmp_path / "more", response, [person(11), person(12)])
    with time_machine.travel(LATER, tick=False):
        second = text_of(lena.get(f"/console/incidents/{response}/panels"))
    assert scans == [response, response]
    assert "12 imported so far" in second


def test_a_scope_widened_after_notices_went_says_who_holds_an_incomplete_one(
    response, as_persona, database_url
) -> None:
    database = Database(database_url)
    with time_machine.travel(LATER, tick=False), database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=response)
        revise(db_session, incident, elements=["name", "ssn", "payment_card", "address"],
               people_affected=1500)  # fmt: skip
    database.dispose()
    with time_machine.travel(LATER, tick=False):
        text = text_of(as_persona("lena").get(f"/console/incidents/{response}"))
    assert "Scope widened: revision 3 widens revision 2" in text
    assert "+ element address" in text
    assert "8 people hold a notice that is now incomplete" in text
    assert "US-TX 6, US-MA 2" in text and "new elements" in text


def test_the_campaign_burn_down_counts_sent_notices_by_channel(
    response, as_persona, database_url
) -> None:
    database = Database(database_url)
    with database.session() as db_session:
        campaign = delivery.list_campaigns(db_session=db_session, incident_id=response)[0]
        counts = delivery.campaign_status(db_session=db_session, campaign_id=campaign.id).counts
    database.dispose()
    sent = counts["email"]["sent"]
    emails = sum(counts["email"].values())
    assert sent > 0
    with time_machine.travel(LATER, tick=False):
        page = as_persona("lena").get(f"/console/incidents/{response}")
    assert f"{sent:,} of {emails:,} (" in page.text  # on the email bar
    # The burn-down: what is left to send over time, ending at what is left now.
    left = emails - sent - counts["email"].get("bounced", 0) - counts["email"].get("failed", 0)
    assert f"Campaign {campaign.id}: emails and letters still to send over time" in page.text
    assert f"email: {left:,} left" in page.text
    campaign_text = _panel(text_of(page), "Notice campaigns", "Inquiries and the desk")
    assert f"Campaign {campaign.id}" in campaign_text
    assert "the earliest legal deadline" in campaign_text or "handed over" in campaign_text


def test_the_map_marks_texas_as_owed_notice_and_a_state_without_residents_as_not(
    response, as_persona
) -> None:
    with time_machine.travel(LATER, tick=False):
        page = as_persona("otto").get(f"/console/incidents/{response}")
    tiles = dict(re.findall(r"<g><title>(US-[A-Z]{2}): ([^<]+)</title>", page.text))
    assert tiles["US-TX"].startswith("8 residents owed notice")
    assert tiles["US-MA"].startswith("2 residents owed notice")
    assert tiles["US-CA"] == "no affected residents"
    assert len(tiles) == 52  # 50 states, DC and Puerto Rico
    assert "notice owed, fixed deadline (date shown)" in page.text  # the legend
    # The timeline names the laws and the people they count.
    assert re.search(r"US-TX[^<]*: 8 people", page.text)
    assert "today Nov 20" in page.text


def test_the_scorecard_shows_the_same_grades_as_the_report(
    response, as_persona, database_url
) -> None:
    with time_machine.travel(LATER, tick=False):
        page = as_persona("cam").get(f"/console/incidents/{response}")
        database = Database(database_url)
        settings = get_settings()
        with database.session() as db_session:
            card = build_scorecard(
                db_session=db_session, incident_id=response,
                service_levels=ServiceLevels.from_settings(settings),
                dkim_signed=dkim_signing(settings),
            )  # fmt: skip
            expected = card.as_dict()
        database.dispose()
    overall = expected["overall"]["grade"]
    assert f'aria-label="Overall grade {overall}">{overall}</span>' in page.text
    for dimension in expected["dimensions"]:
        grade = dimension["grade"] or "not yet gradable"
        assert f'aria-label="{dimension["title"]} grade {grade}"' in page.text
        assert dimension["explanation"].split(":")[0] in text_of(page)


def test_the_wave_plan_chart_is_an_svg_image_with_its_own_policy(response, as_persona) -> None:
    with time_machine.travel(LATER, tick=False):
        chart = as_persona("ada").get(f"/console/incidents/{response}/plan.svg")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert chart.text.startswith("<svg") and "capacity" in chart.text


def test_an_empty_incident_says_what_is_missing_instead_of_drawing_nothing(
    incident, as_persona
) -> None:
    page = as_persona("lena").get(f"/console/incidents/{incident}")
    assert page.status_code == 200
    text = text_of(page)
    assert "No people imported yet" in text
    assert "No campaign yet" in text
    assert "No inquiries yet" in text
    assert "No code pool loaded yet" in text
    assert "No claims yet" in text
    assert "No law that applies requires a notice to a regulator" in text


def test_an_unknown_incident_is_a_plain_not_found(console_app, as_persona) -> None:
    for url in ("/console/incidents/999", "/console/incidents/999/regulators"):
        page = as_persona("lena").get(url)
        assert page.status_code == 404
        assert "no incident 999" in text_of(page)


def test_a_regulator_notice_is_recorded_as_sent_and_shown_with_its_reference(
    response, as_persona, database_url, run_cli
) -> None:
    lou = as_persona("lou")
    with time_machine.travel(LATER, tick=False):
        before = lou.get(f"/console/incidents/{response}/regulators")
        assert before.status_code == 200
        row = _row(before.text, "Massachusetts Attorney General")
        assert "due" in row.lower() and "US-MA/ag.pdf" in row
        done = lou.post(
            f"/console/incidents/{response}/regulators/submitted",
            {"notice": "US-MA:ag", "reference": "AG-2026-118", "method": "email",
             "submitted_at": "2026-11-20T11:30"},
        )  # fmt: skip
        assert done.status_code == 303
        assert done.headers["location"] == f"/console/incidents/{response}/regulators"
        after = lou.get(done.headers["location"])
    text = text_of(after)
    assert "Recorded: US-MA notice to Massachusetts Attorney General" in text
    assert "reference AG-2026-118" in text
    row = _row(after.text, "Massachusetts Attorney General")
    assert "submitted 2026-11-20 (ref AG-2026-118)" in row
    assert "lou@acme-health.example" in row

    database = Database(database_url)
    with database.session() as db_session:
        statuses = submissions.notice_statuses(db_session=db_session, incident_id=response)
    database.dispose()
    massachusetts = next(s for s in statuses if (s.jurisdiction, s.notice) == ("US-MA", "ag"))
    assert massachusetts.submissions[0].reference == "AG-2026-118"
    assert massachusetts.submissions[0].method == "email"
    trail = [json.loads(line) for line in run_cli("audit", "export").output.splitlines()]
    recorded = [e for e in trail if e["event_type"] == "report.regulator_notice_submitted"]
    assert recorded[-1]["actor"] == "console:lou@acme-health.example"
    assert recorded[-1]["payload"]["reference"] == "AG-2026-118"

    with time_machine.travel(LATER, tick=False):
        again = lou.post(
            f"/console/incidents/{response}/regulators/submitted",
            {"notice": "US-MA:ag", "reference": "AG-2026-119"},
        )
    assert again.status_code == 422
    assert "already recorded as submitted" in text_of(again)


def test_a_role_that_may_not_record_regulator_notices_is_refused(response, as_persona) -> None:
    for persona in ("ada", "cam", "otto"):
        client = as_persona(persona)
        with time_machine.travel(LATER, tick=False):
            refused = client.post(
                f"/console/incidents/{response}/regulators/submitted",
                {"notice": "US-MA:ag", "reference": "X1"},
            )
            page = client.get(f"/console/incidents/{response}/regulators")
        assert refused.status_code == 403, persona
        assert page.status_code == 200 and "Record as sent" not in page.text


def test_a_required_notice_downloads_as_pdf_and_json(response, as_persona) -> None:
    lena = as_persona("lena")
    base = f"/console/incidents/{response}/regulators/US-MA/ag"
    with time_machine.travel(LATER, tick=False):
        pdf = lena.get(base + ".pdf")
        data = lena.get(base + ".json")
        missing = lena.get(f"/console/incidents/{response}/regulators/US-TX/ag.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="US-MA-ag.pdf"' in pdf.headers["content-disposition"]
    assert data.json()["agency"] == "Massachusetts Attorney General"
    assert missing.status_code == 404  # Texas asks for a notice only from 250 residents
    assert "owes no notice US-TX ag" in text_of(missing)


def _row(html: str, agency: str) -> str:
    """The table row of the regulators page that names ``agency``."""
    return next(row for row in html.split("<tr>")[1:] if agency in row)


def test_people_owed_notice_but_in_no_wave_yet_are_counted_with_their_first_deadline(
    demo_template, tmp_path, monkeypatch
) -> None:
    """The demo sent its first wave (Texas) only: the campaign has sent all it holds, and
    the panel must not let that read as everyone told."""
    data_dir = demo_copy(demo_template, tmp_path, monkeypatch)
    app = create_app(get_settings())
    with app.state.database.session() as db_session:
        groups = waves_service.unnotified_groups(db_session=db_session, incident_id=1)
    waiting = sum(group.people for group in groups)
    assert waiting > 0
    page = text_of(demo_client(app, data_dir, "lead").get("/console/incidents/1"))
    assert f"{waiting:,} people owed notice are in no wave yet; the first of them" in page
    app.state.database.dispose()
