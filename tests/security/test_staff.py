"""Staff accounts: created from the CLI with a role, passwords hashed, never recorded."""

from __future__ import annotations

import json

import pytest

from breachdesk.audit import service as audit
from breachdesk.security import service as security
from tests.factories import PASSWORD, make_staff


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")
    return path


def test_an_admin_adds_a_lead_with_a_password_file(run_cli, password_file, database):
    result = run_cli(
        "user", "add", "Lena@Acme.example", "--role", "lead", "--password-file", password_file
    )
    assert result.exit_code == 0, result.output
    assert json.loads(run_cli("user", "list", "--json").output) == [
        {"id": 1, "email": "lena@acme.example", "role": "lead", "active": True}
    ]
    with database.session() as session:
        user = security.authenticate(
            db_session=session, email="lena@acme.example", password=PASSWORD
        )
        assert user is not None
        assert PASSWORD not in user.password_hash
        exported = json.dumps(list(audit.export(db_session=session)))
    assert "staff.user_added" in exported
    assert PASSWORD not in exported


def test_the_password_is_prompted_for_twice_when_no_file_is_given(run_cli):
    result = run_cli(
        "user", "add", "ada@acme.example", "--role", "agent", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "added ada@acme.example as agent" in result.output


def test_a_wrong_role_is_refused_naming_the_allowed_ones(run_cli, password_file):
    result = run_cli(
        "user", "add", "x@acme.example", "--role", "superuser", "--password-file", password_file
    )
    assert result.exit_code == 2
    assert "'superuser' is not a role; allowed: admin, lead, legal_approver" in result.output
    assert json.loads(run_cli("user", "list", "--json").output) == []


def test_a_short_password_is_refused(run_cli, tmp_path):
    short = tmp_path / "short"
    short.write_text("hunter2")
    result = run_cli("user", "add", "x@acme.example", "--role", "agent", "--password-file", short)
    assert result.exit_code == 2
    assert "password: must be at least 12 characters" in result.output


def test_an_existing_account_is_not_added_twice(run_cli, password_file):
    args = (
        "user",
        "add",
        "otto@acme.example",
        "--role",
        "auditor",
        "--password-file",
        password_file,
    )
    assert run_cli(*args).exit_code == 0
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_a_wrong_password_or_unknown_account_does_not_log_in(db_session):
    make_staff(db_session, "lou")
    assert (
        security.authenticate(
            db_session=db_session, email="lou@acme-health.example", password="wrong password!"
        )
        is None
    )
    assert (
        security.authenticate(
            db_session=db_session, email="nobody@acme-health.example", password=PASSWORD
        )
        is None
    )


def test_a_disabled_account_does_not_log_in(db_session):
    user = make_staff(db_session, "cam")
    user.active = False
    assert security.authenticate(db_session=db_session, email=user.email, password=PASSWORD) is None


def test_an_admin_resets_a_password(run_cli, password_file, tmp_path, database):
    run_cli(
        "user",
        "add",
        "lou@acme.example",
        "--role",
        "legal_approver",
        "--password-file",
        password_file,
    )
    new_password = tmp_path / "new"
    new_password.write_text("a much better passphrase")
    result = run_cli("user", "set-password", "LOU@acme.example", "--password-file", new_password)
    assert result.exit_code == 0, result.output
    with database.session() as session:
        assert security.authenticate(
            db_session=session, email="lou@acme.example", password="a much better passphrase"
        )
        assert not security.authenticate(
            db_session=session, email="lou@acme.example", password=PASSWORD
        )
    assert "staff.password_changed" in run_cli("audit", "export").output


def test_a_password_reset_for_an_unknown_account_is_refused(run_cli, password_file):
    result = run_cli("user", "set-password", "ghost@acme.example", "--password-file", password_file)
    assert result.exit_code == 2
    assert "no staff account ghost@acme.example" in result.output
