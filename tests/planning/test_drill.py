"""Drills run a whole synthetic breach on a copy of the configuration, time it, list
what is missing, and grade it; the troubled drill fails where it was made to fail."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from typer.testing import CliRunner

from breachdesk.audit.models import AuditHead
from breachdesk.cli import app
from breachdesk.config import Settings
from breachdesk.db import Base, Database
from breachdesk.desk import answers
from breachdesk.desk.cli import DEFAULT_LIBRARY, load_answers
from breachdesk.desk.schemas import AnswerIn
from breachdesk.models import import_all_models
from breachdesk.notices import templates
from breachdesk.notices.render import LANGUAGES, default_template
from breachdesk.planning.drill import run_drill
from breachdesk.planning.drill_copy import read_source
from tests.factories import make_incident, make_staff

STEPS = [
    "copy", "incident", "import", "assess", "lint", "plan", "send", "desk", "regulators",
    "scorecard",
]  # fmt: skip
SABOTAGED = {"scope_clarity", "timeliness", "trustworthy_communications", "responsiveness"}
PEOPLE = "600"
CONFIGURED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def snapshot(url: str) -> dict[str, object]:
    """Every table's row count and the audit chain's head: what a write would change."""
    import_all_models()
    database = Database(url)
    try:
        with database.session() as db_session:
            counts = {
                table.name: db_session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }
            head = db_session.execute(select(AuditHead.seq, AuditHead.hash)).all()
    finally:
        database.dispose()
    return {"counts": counts, "head": head}


def configure(url: str, *, templates_too: bool) -> None:
    """The Acme organisation, with (optionally) both notice templates approved, and its
    library answers and statement approved on an earlier incident."""
    database = Database(url)
    with database.session() as db_session:
        incident = make_incident(db_session)
        lou, cam = make_staff(db_session, "lou"), make_staff(db_session, "cam")
        library = [
            *load_answers(DEFAULT_LIBRARY),
            AnswerIn(key="statement", language="en", question="Ours", answer="We are sorry."),
        ]
        for answer_in in library:
            answer = answers.save_answer(
                db_session=db_session, incident=incident, answer_in=answer_in, actor="test"
            )
            for approver in (lou, cam):
                answers.approve_answer(
                    db_session=db_session, answer=answer, approver=approver, actor="test"
                )
        for language in LANGUAGES if templates_too else ("en",):
            version = templates.save_version(
                db_session=db_session,
                organisation=incident.organisation,
                template=default_template("initial", language),
                actor="test",
            )
            if templates_too:
                for approver in (lou, cam):
                    templates.approve(
                        db_session=db_session, version=version, approver=approver, actor="test"
                    )
    database.dispose()


def dkim_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def standard(tmp_path_factory, sqlite_template):
    """The standard drill of a configured organisation, run as a user would, with JSON;
    with the configured database's state before and after."""
    folder = tmp_path_factory.mktemp("configured")
    shutil.copy(sqlite_template, folder / "breachdesk.sqlite3")
    url = f"sqlite:///{folder / 'breachdesk.sqlite3'}"
    with time_machine.travel(CONFIGURED_AT, tick=False):
        configure(url, templates_too=True)
    before = snapshot(url)
    env = {
        "BREACHDESK_DATABASE_URL": url,
        "BREACHDESK_DATA_DIR": str(folder),
        "BREACHDESK_DKIM_SELECTOR": "bd2026",
        "BREACHDESK_DKIM_PRIVATE_KEY": dkim_key(),
    }
    drill_dir = folder / "drill"
    # At the same frozen moment, the copied organisation is the configured one to the
    # byte, and approving its templates again reuses the approval lint's result.
    with time_machine.travel(CONFIGURED_AT, tick=False):
        result = CliRunner().invoke(
            app, ["drill", "--people", PEOPLE, "--data-dir", str(drill_dir), "--json"], env=env
        )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), before, snapshot(url), drill_dir


def test_the_drill_reports_each_step_with_its_time_and_rates(standard):
    report, _before, _after, drill_dir = standard
    assert set(report) >= {"scenario", "steps", "gaps", "scorecard", "source", "seconds"}
    assert [step["name"] for step in report["steps"]] == STEPS
    assert all(step["seconds"] > 0 for step in report["steps"])
    rates = {step["name"]: step["rates"] for step in report["steps"]}
    assert rates["import"]["rows_per_second"] > 0
    assert rates["send"]["notices_per_second"] > 0
    assert rates["desk"]["inquiries_per_second"] > 0
    assert "organisation acme" in report["source"]
    assert report["audit"]["intact"] is True
    assert len(list((drill_dir / "mail-capture" / "new").iterdir())) > 0


def test_the_drill_finds_the_gaps_and_says_how_to_fix_each(standard):
    report = standard[0]
    gaps = {gap["area"]: [] for gap in report["gaps"]}
    for gap in report["gaps"]:
        assert gap["fix"], gap
        gaps[gap["area"]].append(gap["gap"])
    # Acme never loaded monitoring codes, though the law asks for monitoring here.
    assert any("no activation codes were ever loaded" in gap for gap in gaps["remedies"])
    assert "organisation" not in gaps  # the configured organisation was drilled
    assert "mail" not in gaps  # DKIM is configured: the drill signed with a key of its own
    assert "scorecard" not in gaps


def test_a_well_run_drill_scores_well(standard):
    card = standard[0]["scorecard"]
    got = {dimension["name"]: dimension["grade"] for dimension in card["dimensions"]}
    assert got["scope_clarity"] == "B"  # the standard story widens once after disclosure
    assert got["timeliness"] == "A"
    assert got["trustworthy_communications"] == "A"
    assert got["responsiveness"] == "A"
    assert card["overall"]["grade"] in {"A", "B"}


def test_the_drill_never_writes_to_the_configured_database(standard):
    _report, before, after, _drill_dir = standard
    assert after == before


@pytest.fixture(scope="module")
def troubled(tmp_path_factory):
    """The troubled drill, with no configured database: the demo's organisation stands in."""
    folder = tmp_path_factory.mktemp("troubled")
    settings = Settings(data_dir=folder / "nothing-here", database_url=None)
    return run_drill(
        settings=settings, scenario="troubled", people=int(PEOPLE), data_dir=folder / "drill"
    )


def test_the_troubled_drill_fails_exactly_where_it_was_sabotaged(troubled):
    card = troubled.scorecard
    poor = {d.name for d in card.dimensions if d.grade in {"D", "F"}}
    assert poor == SABOTAGED
    assert card.overall.grade == "F"  # four failing dimensions
    assert "grew 3 times" in card.dimension("scope_clarity").explanation
    timeliness = card.dimension("timeliness").explanation
    assert "(0%)" in timeliness and "days past the deadline" in timeliness
    trust = card.dimension("trustworthy_communications").explanation
    assert "northwind-outfitters-security.example looks like" in trust
    assert "bulkmail-vendor.example" in trust
    responsiveness = card.dimension("responsiveness").explanation
    assert "days (median)" in responsiveness and "open past their service level" in responsiveness


def test_the_troubled_drill_says_what_it_did_wrong(troubled):
    done = " ".join(troubled.sabotage)
    for told in ("instalments", "late notices", "vendor's sending domain", "lookalike link",
                 "slow answers"):  # fmt: skip
        assert told in done
    # The lookalike link could only go out in a desk answer: in a notice, it is refused.
    assert "[trust.domain.lookalike]" in done
    areas = {gap.area for gap in troubled.gaps}
    assert {"organisation", "desk", "scorecard", "capacity"} <= areas
    assert "demo's organisation" in troubled.source


def test_reading_the_configuration_copies_only_what_is_approved_and_writes_nothing(
    database_url, settings_env
):
    configure(database_url, templates_too=False)
    before = snapshot(database_url)
    source = read_source(Settings(), None)
    assert source.organisation.slug == "acme" and not source.demo
    assert source.templates == []  # the saved template was never approved
    assert {answer.key for answer in source.answers} >= {"statement", "reimbursement"}
    assert source.has_code_pool is False
    assert snapshot(database_url) == before


def test_a_database_without_an_organisation_drills_the_demo_s(database_url, settings_env):
    source = read_source(Settings(), None)
    assert source.demo and source.organisation.slug == "northwind"
    assert "no organisation" in source.described


def test_the_drill_refuses_a_folder_it_did_not_make(run_cli, tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "breachdesk.sqlite3").write_text("a real response")
    result = run_cli("drill", "--data-dir", folder)
    assert result.exit_code == 2
    assert "the drill did not create" in result.output
    assert (folder / "breachdesk.sqlite3").read_text() == "a real response"


def test_the_drill_names_its_scenarios(run_cli, tmp_path):
    result = run_cli("drill", "--scenario", "chaotic", "--data-dir", tmp_path / "d")
    assert result.exit_code == 2
    assert "standard, troubled" in result.output
