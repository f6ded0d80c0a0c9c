"""The scorecard grades a response the way the press grades one, and says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.demo import build_story
from breachdesk.desk import answers, codes
from breachdesk.desk import service as desk
from breachdesk.desk.cli import DEFAULT_LIBRARY, load_answers
from breachdesk.desk.demo import write_codes
from breachdesk.desk.models import InquirySource
from breachdesk.desk.schemas import AnswerIn, InquiryIn, ReplyIn
from breachdesk.desk.service import ServiceLevels
from breachdesk.incidents import service as incidents
from breachdesk.reports import (
    scorecard_desk,
    scorecard_facts,
    scorecard_grades,
    scorecard_notices,
    scorecard_trust,
)
from breachdesk.reports.scorecard import build_scorecard
from breachdesk.reports.scorecard_grades import Dimension, Measure, overall
from breachdesk.security import service as security
from breachdesk.security.crypto import load_keyring
from tests.delivery.conftest import (
    approve_default_template,
    email_everyone,
    everyone,
    import_people,
)
from tests.factories import disclose, make_incident, make_staff, revise

DIMENSIONS = [
    "scope_clarity",
    "timeliness",
    "reassurance",
    "trustworthy_communications",
    "remedies",
    "responsiveness",
    "executive_voice",
]
# Every test of the well-run response happens at this moment (and its deadlines after).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STATEMENT = "I am sorry. We let you down, and we are paying for monitoring for everyone."


def grades(card) -> dict[str, str | None]:
    return {dimension.name: dimension.grade for dimension in card.dimensions}


def scorecard(database_url: str, incident: int, *, dkim_signed: bool = True):
    database = Database(database_url)
    try:
        with database.session() as db_session:
            return build_scorecard(
                db_session=db_session,
                incident_id=incident,
                service_levels=ServiceLevels.from_settings(get_settings()),
                dkim_signed=dkim_signed,
            )
    finally:
        database.dispose()


@pytest.fixture
def well_run(run_cli, database_url, settings_env, tmp_path) -> int:
    """A response told like the demo's: the facts widened once after a first statement,
    then notices to everyone owed, on time, with 12 months of monitoring and codes, an
    approved library with the executive statement, and every question answered within
    the quarter hour."""
    with time_machine.travel(NOW, tick=False):
        return _build_well_run(run_cli, database_url, tmp_path, NOW)


def _build_well_run(run_cli, database_url: str, tmp_path: Path, now: datetime) -> int:
    database = Database(database_url)
    with database.session() as db_session:
        found = (now - timedelta(days=5)).isoformat()
        incident = make_incident(db_session, discovered_at=found, determined_at=found)
        disclose(db_session, incident)
        revise(
            db_session,
            incident,
            elements=["name", "ssn", "payment_card", "card_security_code",
                      {"element": "medical", "protection": "hashed"}],
            people_affected=1500,
        )  # fmt: skip
        incident_id = incident.id
        staff = {persona: make_staff(db_session, persona) for persona in ("lou", "cam", "ada")}
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident_id, everyone())
    email_everyone(database, incident_id, starts_at=now, months=12, capture=tmp_path / "capture")
    keyring = load_keyring(get_settings())
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        statement = AnswerIn(key="statement", language="en", question="Ours", answer=STATEMENT)
        library = [*load_answers(DEFAULT_LIBRARY), statement]
        for answer_in in library:
            answer = answers.save_answer(
                db_session=db_session, incident=incident, answer_in=answer_in, actor="test"
            )
            for persona in ("lou", "cam"):
                answers.approve_answer(
                    db_session=db_session, answer=answer, approver=staff[persona], actor="test"
                )
        codes.import_codes(
            db_session=db_session, keyring=keyring, incident=incident, pool_name="experian",
            vendor="Experian", enrol_url="https://www.experianidworks.com/3bcredit", months=12,
            low_water=None, path=write_codes(tmp_path / "codes.csv", 20), actor="test",
        )  # fmt: skip
        monitoring = next(
            a
            for a in answers.approved_answers(db_session=db_session, incident_id=incident_id)
            if a.key == "credit-monitoring" and a.language == "en"
        )
        for number in range(3):
            received = now - timedelta(hours=2, minutes=number)
            inquiry = desk.receive_inquiry(
                db_session=db_session, keyring=keyring, incident=incident,
                inquiry_in=InquiryIn(name=f"Pat {number}", email=f"pat{number}@example.net",
                                     message="How do I get the monitoring?"),
                source=InquirySource.PORTAL, actor="portal", now=received,
            )  # fmt: skip
            desk.reply(
                db_session=db_session, keyring=keyring, inquiry=inquiry,
                reply_in=ReplyIn(answer_id=monitoring.id), agent=staff["ada"],
                now=received + timedelta(minutes=15),
            )  # fmt: skip
    database.dispose()
    return incident_id


@time_machine.travel(NOW + timedelta(hours=1), tick=False)
def test_a_well_run_response_scores_well_and_every_grade_says_why(well_run, database_url, run_cli):
    card = scorecard(database_url, well_run)
    assert grades(card) == {
        "scope_clarity": "B",  # one expansion after the first disclosure
        "timeliness": "A",
        "reassurance": "A",
        "trustworthy_communications": "A",
        "remedies": "A",
        "responsiveness": "A",
        "executive_voice": "A",
    }
    assert card.overall.grade == "A"
    scope = card.dimension("scope_clarity")
    assert scope.figures["scope_expansions_after_disclosure"] == 1
    assert "grew once" in scope.explanation and "2 instalments" in scope.explanation
    timeliness = card.dimension("timeliness")
    assert timeliness.figures["told_by_deadline"] == 6
    assert "6 of the 6 people" in timeliness.explanation
    assert "12 months of credit monitoring" in card.dimension("remedies").explanation
    assert "15 minutes" in card.dimension("responsiveness").explanation
    assert "Rosa Diaz" in card.dimension("executive_voice").explanation

    shown = run_cli("report", "scorecard", "--incident", well_run, "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert set(data) >= {"incident", "dimensions", "overall"}
    assert [d["name"] for d in data["dimensions"]] == DIMENSIONS
    for dimension in data["dimensions"]:
        assert set(dimension) >= {"name", "grade", "figures", "explanation"}
        assert dimension["grade"] in {"A", "B", "C", "D", "F"}
    assert data["overall"]["grade"] == "A"
    text = run_cli("report", "scorecard", "--incident", well_run)
    assert "Scope clarity" in text.output and "Overall" in text.output


def test_people_still_untold_past_their_deadline_count_as_late(well_run, database_url):
    # Texas allows 60 days; seventy days on, the letter and the substitute notice that
    # never went out are late, and the grade falls with them.
    with time_machine.travel(NOW + timedelta(days=70), tick=False):
        card = scorecard(database_url, well_run)
    timeliness = card.dimension("timeliness")
    assert timeliness.figures["not_told_past_deadline"] == 2
    assert timeliness.figures["share_told_by_deadline"] == 0.75
    assert timeliness.grade == "D"
    assert "2 are past their deadline and still not told" in timeliness.explanation
    assert "days past the deadline (US-TX)" in timeliness.explanation


def test_without_dkim_the_notices_cannot_be_verified(well_run, database_url):
    card = scorecard(database_url, well_run, dkim_signed=False)
    trust = card.dimension("trustworthy_communications")
    assert trust.grade == "C"
    assert "not DKIM-signed" in trust.explanation


@time_machine.travel(NOW + timedelta(days=2), tick=False)
def test_a_scope_widened_after_the_notices_and_the_offer_counts_against_both(
    well_run, database_url
):
    database = Database(database_url)
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=well_run)
        revise(
            db_session,
            incident,
            elements=["name", "ssn", "payment_card", "card_security_code", "date_of_birth",
                      {"element": "medical", "protection": "hashed"}],
            people_affected=2500,
        )  # fmt: skip
    database.dispose()
    card = scorecard(database_url, well_run)
    scope = card.dimension("scope_clarity")
    assert scope.grade == "D"  # two expansions after the first disclosure
    assert "grew 2 times" in scope.explanation and "added date of birth" in scope.explanation
    assert scope.figures["people_holding_an_incomplete_notice"] == 6
    assert "6 people hold a notice the later facts have outgrown" in scope.explanation
    remedies = card.dimension("remedies")
    assert remedies.grade == "D"
    assert "before revision 3 widened the scope" in remedies.explanation


@time_machine.travel(NOW + timedelta(hours=1), tick=False)
def test_a_statement_taken_off_the_portal_leaves_no_executive_voice(well_run, database_url):
    database = Database(database_url)
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=well_run)
        hidden = answers.save_answer(
            db_session=db_session,
            incident=incident,
            answer_in=AnswerIn(key="statement", language="en", question="Ours",
                               answer=STATEMENT, public=False),
            actor="test",
        )  # fmt: skip
        for persona in ("lou", "cam"):
            approver = security.get_by_email(
                db_session=db_session, email=f"{persona}@acme-health.example"
            )
            answers.approve_answer(
                db_session=db_session, answer=hidden, approver=approver, actor="test"
            )
    database.dispose()
    voice = scorecard(database_url, well_run).dimension("executive_voice")
    assert voice.grade == "D"
    assert voice.figures["statement_published"] is False
    assert voice.explanation.startswith("Executive voice D: No executive statement is published")


def test_what_cannot_be_measured_yet_is_not_graded(incident, database_url, run_cli):
    card = scorecard(database_url, incident)
    assert all(dimension.grade is None for dimension in card.dimensions)
    assert card.overall.grade is None
    scope = card.dimension("scope_clarity")
    assert scope.explanation.startswith("Not yet gradable: nothing about the breach")
    data = json.loads(run_cli("report", "scorecard", "--incident", incident, "--json").stdout)
    reasons = {d["name"]: d["reason"] for d in data["dimensions"]}
    assert all(not d["gradable"] and d["grade"] is None for d in data["dimensions"])
    assert "no inquiry has reached the desk" in reasons["responsiveness"]
    assert "no notice has been sent" in reasons["reassurance"]
    assert data["overall"]["gradable"] is False


def _dimension(name: str, grade: str | None) -> Dimension:
    if grade is None:
        return Dimension(name, name, {}, not_gradable="nothing yet")
    return Dimension(name, name, {}, (Measure("m", grade, f"graded {grade}"),))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["A", "A", "A", "B"], "A"),
        (["A", "A", "A", "A", "A", "A", "F"], "C"),  # averages 3.4, but one F caps at C
        (["A", "A", "A", "A", "F", "F"], "D"),
        (["A", "A", "A", "A", "F", "F", "F"], "F"),
        (["C", "C", None, None], "C"),  # ungraded dimensions do not count
    ],
)
def test_the_overall_grade_averages_and_failures_cap_it(given, expected):
    result = overall([_dimension(f"d{n}", grade) for n, grade in enumerate(given)])
    assert result.grade == expected
    assert f"Overall {expected}" in result.explanation


@pytest.fixture(scope="module")
def demo_card(tmp_path_factory):
    """The demo's story, with 300 people instead of 100,000."""
    data_dir = tmp_path_factory.mktemp("demo")
    settings = get_settings().model_copy(update={"data_dir": data_dir, "database_url": None})
    build_story(settings, 300)
    database = Database.from_settings(settings)
    try:
        with database.session() as db_session:
            return build_scorecard(
                db_session=db_session,
                incident_id=1,
                service_levels=ServiceLevels.from_settings(settings),
                dkim_signed=False,  # the demo signs nothing: its mail stays on the machine
            )
    finally:
        database.dispose()


def test_the_demo_incident_scores_as_its_story_says(demo_card):
    assert grades(demo_card) == {
        "scope_clarity": "B",
        "timeliness": "A",
        "reassurance": "A",
        "trustworthy_communications": "C",
        "remedies": "A",
        "responsiveness": "A",
        "executive_voice": "A",
    }
    assert demo_card.overall.grade == "A"
    assert (
        "revision 2 added email address, postal address"
        in demo_card.dimension("scope_clarity").explanation
    )
    assert "24 months" in demo_card.dimension("remedies").explanation
    assert "Dana Whitfield" in demo_card.dimension("executive_voice").explanation
    for dimension in demo_card.dimensions:
        assert dimension.explanation.startswith(f"{dimension.title} {dimension.grade}: ")


def test_the_cli_names_a_missing_incident(run_cli):
    result = run_cli("report", "scorecard", "--incident", "99")
    assert result.exit_code == 2
    assert "no incident 99" in result.output


@pytest.mark.parametrize(
    "module",
    [scorecard_facts, scorecard_notices, scorecard_trust, scorecard_desk, scorecard_grades],
)
def test_every_threshold_is_documented(module):
    text = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text()
    thresholds = [
        name
        for name in vars(module)
        if name.isupper() and name.endswith(("_BANDS", "_GRADE", "_MONTHS", "_AT"))
    ]
    assert thresholds
    for name in thresholds:
        assert f"`{name}`" in text, f"{name} is not in docs/reports.md"
