"""The demo builds the story in a fresh data dir and never touches anyone else's."""

from __future__ import annotations

import json
import stat
import time
from email import message_from_bytes
from email.policy import default

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from breachdesk.cli import app
from breachdesk.config import get_settings
from breachdesk.demo import print_logins
from breachdesk.main import create_app
from breachdesk.security import twofactor


@pytest.fixture
def demo(tmp_path, monkeypatch):
    for name in ("BREACHDESK_DATABASE_URL", "BREACHDESK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "demo"

    def run(*args: str):
        return CliRunner().invoke(
            app, ["demo", "--data-dir", str(data_dir), "--no-serve", "--people", "3000", *args]
        )

    return data_dir, run


def test_the_demo_tells_a_breach_in_two_instalments(demo, monkeypatch, capsys):
    data_dir, run = demo
    result = run()
    assert result.exit_code == 0, result.output
    assert "SCOPE EXPANSION of disclosed revision 1" in result.output
    assert "3,000 rows imported" in result.output
    assert "counts reconcile" in result.output
    assert "chain intact" in result.output
    assert "applicable laws require notice" in result.output
    assert "Not legal advice" in (data_dir / "assessment.html").read_text()
    assert (data_dir / "sample-notice.pdf").read_bytes().startswith(b"%PDF")
    sample = message_from_bytes((data_dir / "sample-notice.eml").read_bytes(), policy=default)
    assert sample["From"].addresses[0].domain == "northwind-outfitters.example"
    accounts = data_dir / "demo-accounts.txt"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    roles = {line.split("\t")[1] for line in accounts.read_text().splitlines()[1:]}
    assert roles == {"admin", "lead", "legal_approver", "comms_approver", "agent", "auditor"}

    monkeypatch.setenv("BREACHDESK_DATA_DIR", str(data_dir))
    listed = json.loads(CliRunner().invoke(app, ["incident", "list", "--json"]).output)
    assert listed[0]["scope_expansion"] is True
    versions = json.loads(
        CliRunner()
        .invoke(app, ["notice", "template", "list", "--org", "northwind", "--json"])
        .output
    )
    assert [(v["language"], v["approved"]) for v in versions] == [("en", True), ("es", True)]
    # The first wave went to the local capture, and the status says so.
    status = json.loads(CliRunner().invoke(app, ["campaign", "status", "1", "--json"]).output)
    captured = list((data_dir / "mail-capture" / "new").iterdir())
    assert status["counts"]["sent"] == len(captured) > 0
    assert f"{len(captured):,} emails sent" in result.output
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
    signs_in_to_the_console_with_the_printed_login(data_dir, capsys)


def signs_in_to_the_console_with_the_printed_login(data_dir, capsys) -> None:
    """The logins the demo prints when it serves open the console: the password, then
    the current code of the printed two-factor key."""
    capsys.readouterr()
    print_logins(data_dir, "http://127.0.0.1:8000")
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8000/console/" in printed
    lead = next(line.split() for line in printed.splitlines() if line.split()[:1] == ["lead"])
    _role, email, password, key = lead
    with TestClient(create_app(get_settings()), base_url="http://127.0.0.1:8000") as browser:
        browser.get("/console/login")
        csrf = browser.app.state.console.csrf_token(browser.cookies["bd_console_csrf"])
        form = {"csrf": csrf, "email": email, "password": password}
        assert browser.post("/console/login", data=form).url.path == "/console/login/code"
        # The enrolment used the current code; the next one is the first unused.
        code = {"csrf": csrf, "code": twofactor.current_code(key, time.time() + 30)}
        dashboard = browser.post("/console/login/code", data=code)
        assert dashboard.status_code == 200 and email in dashboard.text


def test_the_demo_rebuilds_its_own_data_dir(demo):
    _data_dir, run = demo
    assert run().exit_code == 0
    again = run()
    assert again.exit_code == 0, again.output
    assert "incident 1 " in again.output


def test_the_demo_refuses_a_data_dir_it_did_not_create(demo):
    data_dir, run = demo
    data_dir.mkdir()
    (data_dir / "breachdesk.sqlite3").write_text("a real response")
    result = run()
    assert result.exit_code == 2
    assert "did not create; refusing to touch it" in result.output
    assert (data_dir / "breachdesk.sqlite3").read_text() == "a real response"


def test_the_demo_never_writes_to_the_configured_database(demo, monkeypatch, tmp_path):
    _data_dir, run = demo
    production = tmp_path / "production.sqlite3"
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{production}")
    assert run().exit_code == 0
    assert not production.exists()
