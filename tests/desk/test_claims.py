"""Reimbursement claims: evidence kept safe and checked for what it really is, decisions
only by those allowed to make them, and a status page only for the claimant."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit.models import AuditEventRow
from breachdesk.desk import claims
from breachdesk.desk.claims import ClaimIn, Upload
from breachdesk.desk.models import Claim, ClaimStatus
from breachdesk.inputs import InputError, parse_model
from breachdesk.security.crypto import Keyring
from tests.desk.conftest import person_with
from tests.factories import PASSWORD

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
CLAIM = {
    "amount": "129.95",
    "charged_on": "2026-10-02",
    "description": "A charge at ELECTRO-WORLD I never made.",
}


@pytest.fixture
def evidence_dir(data_dir: Path) -> Path:
    """Where the CLI looks too: the data dir's claim-evidence folder."""
    return data_dir / claims.EVIDENCE_DIR_NAME


def submit(
    session: Session,
    keyring: Keyring,
    incident: int,
    person: int,
    evidence_dir: Path,
    *uploads: Upload,
    **changes,
) -> Claim:
    return claims.submit_claim(
        db_session=session,
        keyring=keyring,
        incident_id=incident,
        person_id=person,
        claim_in=ClaimIn.model_validate(CLAIM | changes),
        evidence=list(uploads),
        evidence_dir=evidence_dir,
        actor="portal",
    )


def person_id(session, keyring, incident, last_name: str = "Lee1") -> int:
    return person_with(session, keyring, incident, last_name)[0].id


def events(session: Session, event_type: str) -> list[dict]:
    return [
        json.loads(payload)
        for payload in session.execute(
            select(AuditEventRow.payload).where(AuditEventRow.event_type == event_type)
        ).scalars()
    ]


def test_a_claim_keeps_its_pdf_under_the_evidence_dir_readable_only_by_breachdesk(
    session, keyring, listed, evidence_dir
):
    ann = person_id(session, keyring, listed)
    claim = submit(session, keyring, listed, ann, evidence_dir, Upload("../../statement.pdf", PDF))
    assert claim.number.startswith("C-") and len(claim.number) == 11
    assert (claim.status, claim.amount_cents, claim.currency) == (
        ClaimStatus.SUBMITTED,
        12995,
        "USD",
    )
    [evidence] = claim.evidence
    stored = evidence_dir / evidence.stored_as
    assert stored.parent == evidence_dir and len(evidence.stored_as) == 32
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(evidence_dir.stat().st_mode) == 0o700
    assert stored.read_bytes() == PDF
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF))
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert claims.evidence_bytes(evidence_dir=evidence_dir, evidence=evidence) == PDF
    # The claimant's own name for the file, without its folders; encrypted, like the text.
    assert claims.evidence_file_name(keyring=keyring, evidence=evidence) == "statement.pdf"
    assert "statement" not in evidence.file_name and "ELECTRO" not in claim.description
    assert events(session, "desk.claim_submitted") == [
        {"incident": listed, "claim": claim.id, "number": claim.number, "person": ann,
         "amount_cents": 12995, "currency": "USD", "evidence_files": 1}
    ]  # fmt: skip


def test_a_file_named_pdf_that_is_really_a_program_is_refused(
    session, keyring, listed, evidence_dir
):
    ann = person_id(session, keyring, listed)
    with pytest.raises(InputError) as refused:
        submit(
            session, keyring, listed, ann, evidence_dir,
            Upload("receipt.png", PNG), Upload("statement.pdf", WINDOWS_PROGRAM),
        )  # fmt: skip
    assert "statement.pdf is not a PDF, PNG or JPEG file, whatever its name says" in str(
        refused.value
    )
    assert not evidence_dir.exists() or not list(evidence_dir.iterdir())  # nothing stored


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message(
    session, keyring, listed, evidence_dir
):
    ann = person_id(session, keyring, listed)
    too_big = Upload("scan.pdf", PDF + b"0" * (2 * 1024 * 1024))
    with pytest.raises(InputError, match=r"scan.pdf is 2 MB; the limit is 1 MB a file"):
        claims.submit_claim(
            db_session=session,
            keyring=keyring,
            incident_id=listed,
            person_id=ann,
            claim_in=ClaimIn.model_validate(CLAIM),
            evidence=[too_big],
            evidence_dir=evidence_dir,
            max_evidence_bytes=1024 * 1024,
            actor="portal",
        )
    with pytest.raises(InputError, match="the file is empty"):
        submit(session, keyring, listed, ann, evidence_dir, Upload("empty.pdf", b""))


@time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), tick=False)
def test_a_charge_date_in_the_future_is_refused():
    with pytest.raises(InputError, match="charged_on: 2026-11-26 is in the future"):
        parse_model(ClaimIn, CLAIM | {"charged_on": "2026-11-26"}, source="claim")
    # Already the 25th west of the date line's other side (UTC+14): not the future there.
    assert ClaimIn.model_validate(CLAIM | {"charged_on": "2026-11-25"}).charged_on == date(
        2026, 11, 25
    )


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("0", "greater than 0"),
        ("12.345", "no more than 2 decimal places"),
        ("1000000.01", "less than or equal to 1000000"),
        ("lots", "valid decimal"),
    ],
)
def test_an_amount_that_is_not_a_sum_of_money_is_refused(amount, problem):
    with pytest.raises(InputError, match=problem):
        parse_model(ClaimIn, CLAIM | {"amount": amount}, source="claim")


def test_amounts_come_as_numbers_or_decimal_text_and_are_kept_in_cents():
    assert ClaimIn.model_validate(CLAIM | {"amount": 19.9, "currency": "eur"}).amount_cents == 1990
    assert ClaimIn.model_validate(CLAIM | {"amount": "1000000"}).amount_cents == 100_000_000
    with pytest.raises(InputError, match="currency"):
        parse_model(ClaimIn, CLAIM | {"currency": "EURO"}, source="claim")


@pytest.mark.parametrize(
    ("persona", "decision", "allowed"),
    [
        ("lena", "approved", True),
        ("lou", "rejected", True),
        ("root", "approved", True),
        ("ada", "needs_info", True),
        ("ada", "approved", False),
        ("cam", "approved", False),
        ("otto", "needs_info", False),
    ],
)
def test_who_may_decide_a_claim_depends_on_their_role(
    session, keyring, listed, evidence_dir, staff, persona, decision, allowed
):
    claim = submit(session, keyring, listed, person_id(session, keyring, listed), evidence_dir)
    decide = {
        "db_session": session, "keyring": keyring, "claim": claim, "status": decision,
        "note": "Thank you; see the note.", "reviewer": staff[persona],
    }  # fmt: skip
    if not allowed:
        with pytest.raises(PermissionError, match=f"is {staff[persona].role.value}; only"):
            claims.decide(**decide)
        assert claim.status == ClaimStatus.SUBMITTED
        return
    claims.decide(**decide)
    assert (claim.status.value, claim.decided_by) == (decision, staff[persona].email)
    assert events(session, "desk.claim_decided") == [
        {"incident": listed, "claim": claim.id, "number": claim.number, "status": decision,
         "previous": "submitted"}
    ]  # fmt: skip


def test_an_approved_claim_is_final(session, keyring, listed, evidence_dir, staff):
    claim = submit(session, keyring, listed, person_id(session, keyring, listed), evidence_dir)
    claims.decide(
        db_session=session, keyring=keyring, claim=claim, status="approved",
        note="We will refund $129.95 within 10 days.", reviewer=staff["lena"],
    )  # fmt: skip
    with pytest.raises(InputError, match=r"was approved by lena@acme-health\.example on .*final"):
        claims.decide(
            db_session=session, keyring=keyring, claim=claim, status="rejected",
            note="Changed my mind.", reviewer=staff["root"],
        )  # fmt: skip
    with pytest.raises(InputError, match="a decided claim takes no more evidence"):
        claims.add_evidence(
            db_session=session, keyring=keyring, claim=claim, upload=Upload("more.pdf", PDF),
            evidence_dir=evidence_dir, actor="portal",
        )  # fmt: skip
    assert claim.status == ClaimStatus.APPROVED


def test_a_claim_waiting_for_more_is_submitted_again_when_evidence_comes(
    session, keyring, listed, evidence_dir, staff
):
    claim = submit(session, keyring, listed, person_id(session, keyring, listed), evidence_dir)
    claims.decide(
        db_session=session, keyring=keyring, claim=claim, status=ClaimStatus.NEEDS_INFO,
        note="Please send the statement that shows the charge.", reviewer=staff["ada"],
    )  # fmt: skip
    added = claims.add_evidence(
        db_session=session, keyring=keyring, claim=claim, upload=Upload("photo", PNG),
        evidence_dir=evidence_dir, actor="portal",
    )  # fmt: skip
    assert claim.status == ClaimStatus.SUBMITTED and added.content_type == "image/png"
    assert [e["sha256"] for e in events(session, "desk.claim_evidence_added")] == [
        hashlib.sha256(PNG).hexdigest()
    ]


def test_a_claims_status_is_shown_only_to_its_own_claimant(
    session, keyring, listed, evidence_dir, staff
):
    ann = person_id(session, keyring, listed)
    claim = submit(session, keyring, listed, ann, evidence_dir, Upload("s.pdf", PDF))
    claims.decide(
        db_session=session, keyring=keyring, claim=claim, status="needs_info",
        note="Please send the statement.", reviewer=staff["ada"],
    )  # fmt: skip
    view = claims.claim_status(
        db_session=session, keyring=keyring, number=claim.number.lower(), person_id=ann
    )
    assert (view.number, view.status, view.amount, view.currency) == (
        claim.number, "needs_info", Decimal("129.95"), "USD",
    )  # fmt: skip
    assert view.decision_note == "Please send the statement." and view.evidence_files == 1
    bob = person_id(session, keyring, listed, "Lee2")
    for number, person in ((claim.number, bob), ("C-AAAA-AAAA", ann)):
        assert (
            claims.claim_status(
                db_session=session, keyring=keyring, number=number, person_id=person
            )
            is None
        )


def test_evidence_changed_on_disk_is_not_handed_out(session, keyring, listed, evidence_dir):
    claim = submit(
        session, keyring, listed, person_id(session, keyring, listed), evidence_dir,
        Upload("s.pdf", PDF),
    )  # fmt: skip
    [evidence] = claim.evidence
    (evidence_dir / evidence.stored_as).write_bytes(PDF + b"tampered")
    with pytest.raises(claims.EvidenceDamaged, match="changed after it was uploaded"):
        claims.evidence_bytes(evidence_dir=evidence_dir, evidence=evidence)


def test_the_cli_lists_decides_and_hands_out_evidence(
    run_cli, session, keyring, listed, evidence_dir, staff, tmp_path
):
    ann = person_id(session, keyring, listed)
    claim = submit(
        session, keyring, listed, ann, evidence_dir,
        Upload("Bank statement.pdf", PDF), Upload("card.png", PNG),
    )  # fmt: skip
    number = claim.number
    session.commit()

    listed_claims = json.loads(run_cli("claims", "list", "--incident", listed, "--json").output)
    assert [
        (c["number"], c["status"], c["amount"], c["evidence_files"]) for c in listed_claims
    ] == [(number, "submitted", "129.95", 2)]
    text = run_cli("claims", "list", "--incident", listed, "--status", "submitted").output
    assert number in text and "129.95 USD" in text
    assert (
        "no claims"
        in run_cli("claims", "list", "--incident", listed, "--status", "approved").output
    )

    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    decide = ["claims", "decide", number, "--note", "Refund on its way.", "--password-file", secret]
    refused = run_cli(*decide, "--status", "approved", "--user", "ada@acme-health.example")
    assert refused.exit_code == 2 and "ada@acme-health.example is agent; only" in refused.output
    wrong = tmp_path / "wrong"
    wrong.write_text("not it")
    denied = run_cli(
        *decide[:-1], wrong, "--status", "approved", "--user", "lena@acme-health.example"
    )
    assert denied.exit_code == 2 and "wrong email or password" in denied.output
    decided = run_cli(*decide, "--status", "approved", "--user", "lena@acme-health.example")
    assert decided.exit_code == 0, decided.output
    assert f"claim {number} is now approved" in decided.output
    final = run_cli(*decide, "--status", "rejected", "--user", "lou@acme-health.example")
    assert final.exit_code == 2 and "final" in final.output

    out = tmp_path / "evidence"
    handed = run_cli("claims", "evidence", number.lower(), "--out", out)
    assert handed.exit_code == 0, handed.output
    files = sorted(out.iterdir())
    assert [path.name for path in files] == [
        f"{number}-1-Bank_statement.pdf",
        f"{number}-2-card.png",
    ]
    assert [path.read_bytes() for path in files] == [PDF, PNG]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)

    next(evidence_dir.iterdir()).write_bytes(b"%PDF-tampered")
    damaged = run_cli("claims", "evidence", number, "--out", out)
    assert damaged.exit_code == 2 and "restore it from a backup" in damaged.output
