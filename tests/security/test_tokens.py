"""Staff reach the JSON API with an API token or a signed-in session, and every call
checks their role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.main import create_app
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


def test_a_session_signs_in_and_out_and_refuses_other_origins(client, incident):
    wrong = client.post(
        "/api/session", json={"email": "ada@acme-health.example", "password": "nope nope"}
    )
    assert wrong.status_code == 401
    signed_in = client.post(
        "/api/session", json={"email": "ada@acme-health.example", "password": PASSWORD}
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
