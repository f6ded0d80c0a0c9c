"""Staff review claims and watch the code pools through the API, by role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from breachdesk.config import get_settings
from breachdesk.desk import claims, codes
from breachdesk.incidents.models import Incident
from breachdesk.main import create_app
from tests.desk.conftest import person_with

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(settings_env, listed, staff, run_cli, session, keyring, data_dir, tmp_path) -> Iterator:
    """A claim by Ann Lee1 with a PDF, a pool of three codes, a client, and each
    persona's Authorization header."""
    person, _contact, _reference = person_with(session, keyring, listed, "Lee1")
    claim = claims.submit_claim(
        db_session=session, keyring=keyring, incident_id=listed, person_id=person.id,
        claim_in=claims.ClaimIn(amount="75.50", charged_on=date(2026, 10, 3),
                                description="A charge I did not make"),
        evidence=[claims.Upload(file_name="bank.pdf", data=PDF)],
        evidence_dir=data_dir / "claim-evidence", actor="portal",
    )  # fmt: skip
    pool_file = tmp_path / "codes.csv"
    pool_file.write_text("code\nAAA-1\nAAA-2\nAAA-3\n")
    codes.import_codes(
        db_session=session, keyring=keyring, incident=session.get(Incident, listed),
        pool_name="experian", vendor="Experian", enrol_url="https://example.com/enrol",
        months=24, low_water=2, path=pool_file, actor="test",
    )  # fmt: skip
    session.commit()
    headers = {}
    for persona, user in staff.items():
        made = run_cli("user", "token", user.email)
        headers[persona] = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    with TestClient(create_app(get_settings()), base_url="http://127.0.0.1:8000") as client:
        yield client, headers, claim.number


def test_the_review_queue_shows_the_claim_and_its_evidence(api, listed):
    client, headers, number = api
    queue = client.get(f"/api/incidents/{listed}/claims?status=submitted", headers=headers["ada"])
    assert [row["number"] for row in queue.json()] == [number]
    claim = queue.json()[0]
    assert claim["amount"] == "75.50" and claim["description"] == "A charge I did not make"
    evidence = claim["evidence"][0]
    assert evidence["file_name"] == "bank.pdf" and evidence["content_type"] == "application/pdf"
    download = client.get(f"/api/claims/{number}/evidence/{evidence['id']}", headers=headers["ada"])
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")


def test_an_agent_may_ask_for_more_but_only_a_lead_decides(api):
    client, headers, number = api
    asked = client.post(
        f"/api/claims/{number}/decision",
        headers=headers["ada"],
        json={"status": "needs_info", "note": "Please send the statement page with the charge."},
    )
    assert asked.status_code == 200 and asked.json()["status"] == "needs_info"
    refused = client.post(
        f"/api/claims/{number}/decision",
        headers=headers["ada"],
        json={"status": "approved", "note": "ok"},
    )
    assert refused.status_code == 403 and "may mark a claim approved" in refused.text
    approved = client.post(
        f"/api/claims/{number}/decision",
        headers=headers["lena"],
        json={"status": "approved", "note": "Refund on its way."},
    )
    assert approved.json()["decided_by"] == "lena@acme-health.example"
    final = client.post(
        f"/api/claims/{number}/decision",
        headers=headers["lena"],
        json={"status": "rejected", "note": "changed my mind"},
    )
    assert final.status_code == 422
    assert client.get(f"/api/claims/{number}", headers=headers["otto"]).json()["status"] == (
        "approved"
    )
    assert client.get("/api/claims/C-NONE-NONE", headers=headers["otto"]).status_code == 404


def test_the_pools_say_how_many_codes_are_left(api, listed):
    client, headers, _number = api
    pools = client.get(f"/api/incidents/{listed}/code-pools", headers=headers["otto"]).json()
    assert pools == [
        {"name": "experian", "vendor": "Experian", "months": 24, "total": 3, "issued": 0,
         "remaining": 3, "low_water": 2, "low": False}
    ]  # fmt: skip
