"""Reviewing reimbursement claims in the console: the list, one claim with its evidence
(downloaded, and on the record), asking for more, and decisions only by those allowed."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from breachdesk.audit.models import AuditEventRow
from breachdesk.desk import claims
from breachdesk.desk.claims import ClaimIn, Upload
from tests.console.conftest import text_of
from tests.desk.conftest import keyring, listed, person_with, session  # noqa: F401  (fixtures)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CLAIM = {
    "amount": "129.95",
    "charged_on": "2026-10-02",
    "description": "A charge at ELECTRO-WORLD I never made.",
}


@pytest.fixture
def claim_setup(console_app, session, keyring, listed, data_dir):  # noqa: F811
    """A claim by Ann Lee1 with one PDF statement, waiting for review."""
    person = person_with(session, keyring, listed, "Lee1")[0]
    claim = claims.submit_claim(
        db_session=session, keyring=keyring, incident_id=listed, person_id=person.id,
        claim_in=ClaimIn.model_validate(CLAIM), evidence=[Upload("statement.pdf", PDF)],
        evidence_dir=data_dir / claims.EVIDENCE_DIR_NAME, actor="portal",
    )  # fmt: skip
    setup = SimpleNamespace(
        incident=listed, session=session, keyring=keyring, number=claim.number,
        person=person.id, evidence=claim.evidence[0].id,
        claims=f"/console/incidents/{listed}/claims",
        url=f"/console/incidents/{listed}/claims/{claim.number}",
    )  # fmt: skip
    session.commit()
    return setup


def claimant_sees(setup):
    """The claim as the claimant's status page shows it."""
    view = claims.claim_status(
        db_session=setup.session, keyring=setup.keyring, number=setup.number,
        person_id=setup.person,
    )  # fmt: skip
    setup.session.rollback()
    return view


def events(setup, event_type: str) -> list[dict]:
    rows = setup.session.execute(
        select(AuditEventRow.payload, AuditEventRow.actor).where(
            AuditEventRow.event_type == event_type
        )
    ).all()
    setup.session.rollback()
    return [json.loads(payload) | {"actor": actor} for payload, actor in rows]


def test_the_list_shows_each_claim_with_its_status_amount_and_date(as_persona, claim_setup):
    ada = as_persona("ada")
    listing = ada.get(claim_setup.claims)
    assert listing.status_code == 200
    text = text_of(listing)
    assert claim_setup.number in text and "waiting for review" in text
    assert "129.95 USD" in text and "2026-10-02" in text
    assert "0 claims" in text_of(ada.get(f"{claim_setup.claims}?status=approved"))
    assert claim_setup.number in text_of(ada.get(f"{claim_setup.claims}?status=submitted"))
    wrong = ada.get(f"{claim_setup.claims}?status=paid")
    assert wrong.status_code == 422 and "is not one of" in text_of(wrong)


def test_a_claim_shows_its_description_and_its_evidence_downloads_on_the_record(
    as_persona, claim_setup
):
    ada = as_persona("ada")
    page = ada.get(claim_setup.url)
    assert page.status_code == 200
    text = text_of(page)
    assert "A charge at ELECTRO-WORLD I never made." in text and "statement.pdf" in text
    assert f"/console/incidents/{claim_setup.incident}/people/{claim_setup.person}" in page.text
    link = f"{claim_setup.url}/evidence/{claim_setup.evidence}"
    assert f'href="{link}"' in page.text

    download = ada.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    [read] = events(claim_setup, "desk.claim_evidence_read")
    assert read["number"] == claim_setup.number and read["actor"] == "ada@acme-health.example"
    assert read["how"] == f"downloaded evidence {claim_setup.evidence} in the console"
    assert ada.get(f"{claim_setup.url}/evidence/999999").status_code == 404


def test_an_agent_asks_the_claimant_for_more(as_persona, claim_setup):
    ada = as_persona("ada")
    page = text_of(ada.get(claim_setup.url))
    assert "Ask the claimant for more" in page and "Record the decision" not in page
    asked = ada.post(f"{claim_setup.url}/ask", {"note": "Please add the card statement."})
    assert asked.status_code == 303 and asked.headers["location"] == claim_setup.url
    assert "asked the claimant for more" in text_of(ada.get(claim_setup.url))
    seen = claimant_sees(claim_setup)
    assert (seen.status, seen.decision_note) == ("needs_info", "Please add the card statement.")
    [decided] = events(claim_setup, "desk.claim_decided")
    assert decided["status"] == "needs_info" and decided["actor"] == "ada@acme-health.example"


def test_an_agent_may_not_approve_a_claim(as_persona, claim_setup):
    refused = as_persona("ada").post(
        f"{claim_setup.url}/decision", {"decision": "approved", "note": "Looks fine."}
    )
    assert refused.status_code == 403
    assert "your role may not approve or reject reimbursement claims" in text_of(refused)
    assert claimant_sees(claim_setup).status == "submitted"
    assert events(claim_setup, "desk.claim_decided") == []


def test_the_lead_approves_and_the_claimant_sees_it(as_persona, claim_setup):
    lena = as_persona("lena")
    approved = lena.post(
        f"{claim_setup.url}/decision",
        {"decision": "approved", "note": "We will refund 129.95 USD within 10 days."},
    )
    assert approved.status_code == 303
    page = text_of(lena.get(claim_setup.url))
    assert "approved (lena@acme-health.example" in page
    assert "the decision is final" in page and "Record the decision" not in page
    seen = claimant_sees(claim_setup)
    assert seen.status == "approved"
    assert seen.decision_note == "We will refund 129.95 USD within 10 days."
    again = lena.post(f"{claim_setup.url}/decision", {"decision": "rejected", "note": "No."})
    assert again.status_code == 422 and "that decision is final" in text_of(again)


def test_a_decision_without_a_note_or_a_choice_is_refused_and_the_note_is_kept(
    as_persona, claim_setup
):
    lena = as_persona("lena")
    blank = lena.post(f"{claim_setup.url}/decision", {"decision": "rejected", "note": " "})
    assert blank.status_code == 422 and "tell the claimant why" in text_of(blank)
    nothing = lena.post(f"{claim_setup.url}/decision", {"note": "A reason."})
    assert nothing.status_code == 422 and "Choose approve or reject" in text_of(nothing)
    assert "A reason." in nothing.text
    assert claimant_sees(claim_setup).status == "submitted"


@pytest.mark.parametrize("persona", ["otto", "cam"])
def test_roles_without_claims_review_are_refused(as_persona, claim_setup, persona):
    client = as_persona(persona)
    assert client.get(claim_setup.claims).status_code == 403
    assert client.get(claim_setup.url).status_code == 403
    assert client.get(f"{claim_setup.url}/evidence/{claim_setup.evidence}").status_code == 403
    assert client.post(f"{claim_setup.url}/ask", {"note": "more"}).status_code == 403
    assert events(claim_setup, "desk.claim_evidence_read") == []


def test_an_unknown_claim_is_not_found(as_persona, claim_setup):
    missing = as_persona("ada").get(f"{claim_setup.claims}/C-AAAA-AAAA")
    assert missing.status_code == 404 and "No claim C-AAAA-AAAA" in text_of(missing)
