"""Staff reach the JSON API with an API token or a signed-in session, and every call
checks their role."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.main import create_app
from breachdesk.security import service as security
from breachdesk.security import twofactor
from breachdesk.security.crypto import load_keyring
from breachdesk.security.models import ApiToken
from tests.factories import PASSWORD, make_staff


@pytest.fixture
def client(settings_env, database_url) -> Iterator[TestClient]:
    database = Database(database_url)
    with database.session() as session:
        for persona in ("ada", "otto", "lena"):
            make_staff(session, persona)
    database.dispose()
    with TestClient(create_app(get_settings()), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def make_token(run_cli, email: str) -> str:
    made = run_cli("user", "token", email, "--label", "helpdesk tool")
    assert made.exit_code == 0, made.output
    return made.stdout.strip().splitlines()[-1]


def test_a_token_acts_as_its_account_until_revoked(client, run_cli, database_url):
    token = make_token(run_cli, "ada@acme-health.example")
    assert token.startswith("bdt_")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"email": "ada@acme-health.example", "role": "agent"}

    listed = run_cli("user", "tokens", "--json")
    assert token not in listed.output and '"label": "helpdesk tool"' in listed.output
    token_id = listed.output.split('"id": ')[1].split(",")[0]
    assert run_cli("user", "revoke-token", token_id).exit_code == 0
    refused = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_only_a_hash_of_the_token_is_stored(client, run_cli, database_url):
    token = make_token(run_cli, "ada@acme-health.example")
    database = Database(database_url)
    with database.session() as session:
        stored = session.execute(select(ApiToken.token_hash, ApiToken.prefix)).one()
    database.dispose()
    assert token not in stored.token_hash and token.startswith(stored.prefix)


def test_an_unknown_account_gets_no_token(run_cli, settings_env):
    refused = run_cli("user", "token", "nobody@acme-health.example")
    assert refused.exit_code == 2 and "no staff account" in refused.output


def test_the_role_is_checked_on_every_call(client, run_cli, incident):
    auditor = make_token(run_cli, "otto@acme-health.example")
    headers = {"Authorization": f"Bearer {auditor}"}
    assert client.get(f"/api/incidents/{incident}/inquiries", headers=headers).is_success
    refused = client.post(
        f"/api/incidents/{incident}/inquiries",
        headers=headers,
        json={"name": "Caller", "message": "phoned in"},
    )
    assert refused.status_code == 403 and "otto@acme-health.example is auditor" in refused.text
    assert client.get(f"/api/incidents/{incident}/inquiries").status_code == 401


def enrol(database_url: str, email: str) -> str:
    """Two-factor sign-in for ``email``, as the console's enrolment does; returns the secret."""
    database = Database(database_url)
    keyring = load_keyring(get_settings())
    with database.session() as session:
        user = security.get_by_email(db_session=session, email=email)
        secret = twofactor.begin_enrolment(db_session=session, keyring=keyring, user=user).secret
        assert twofactor.confirm_enrolment(
            db_session=session, keyring=keyring, user=user, code=twofactor.current_code(secret)
        )
    database.dispose()
    return secret


def test_a_session_needs_the_two_factor_code_once_it_is_set_up(client, database_url):
    ada = {"email": "ada@acme-health.example", "password": PASSWORD}
    not_enrolled = client.post("/api/session", json=ada)
    assert not_enrolled.status_code == 403 and "/console/login" in not_enrolled.text
    enrol(database_url, ada["email"])
    without_code = client.post("/api/session", json=ada)
    assert without_code.status_code == 401 and "two-factor code" in without_code.text
    assert client.get("/api/me").status_code == 401


def test_a_session_signs_in_and_out_and_refuses_other_origins(client, incident, database_url):
    wrong = client.post(
        "/api/session", json={"email": "ada@acme-health.example", "password": "nope nope"}
    )
    assert wrong.status_code == 401
    secret = enrol(database_url, "ada@acme-health.example")
    signed_in = client.post(
        "/api/session",
        json={
            "email": "ada@acme-health.example",
            "password": PASSWORD,
            "code": twofactor.current_code(secret, time.time() + 30),  # the enrolment's is used
        },
    )
    assert signed_in.status_code == 204
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/api/me").json()["email"] == "ada@acme-health.example"

    phoned = {"name": "Caller", "message": "phoned in"}
    elsewhere = client.post(
        f"/api/incidents/{incident}/inquiries",
        json=phoned,
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    here = client.post(
        f"/api/incidents/{incident}/inquiries",
        json=phoned,
        headers={"Origin": "http://127.0.0.1:8000"},
    )
    assert here.status_code == 201 and here.json()["ticket"].startswith("Q-")

    assert client.delete("/api/session").status_code == 204
    assert client.get("/api/me").status_code == 401
