"""The console's claims review: reimbursement claims for fraudulent charges, their
evidence (downloaded, never shown in the console, and each download on the record), and
the decisions. ``claim_id`` in the URLs is the claim's number, C-XXXX-XXXX, as the
claimant quotes it. The service (desk/claims.py) checks roles again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from breachdesk.console.access import Can
from breachdesk.console.desk import (
    USER_ERRORS,
    incident_view,
    problem,
    staff_user,
    status_for,
    when,
)
from breachdesk.console.web import (
    PREFIX,
    Form,
    Staff,
    page,
    page_headers,
    redirect,
    signed_in,
    transaction,
)
from breachdesk.desk import claims
from breachdesk.desk.models import Claim, ClaimStatus
from breachdesk.inputs import InputError, NotFound

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CLAIMS = "/incidents/{incident_id}/claims"
CLAIM = CLAIMS + "/{claim_id}"
STATUS_WORDS = {
    ClaimStatus.SUBMITTED: "waiting for review",
    ClaimStatus.NEEDS_INFO: "asked the claimant for more",
    ClaimStatus.APPROVED: "approved",
    ClaimStatus.REJECTED: "rejected",
}


def _claim(db_session: Session, incident_id: int, claim_id: str) -> Claim:
    claim = claims.get_claim(db_session=db_session, number=claim_id)
    if claim.incident_id != incident_id:
        raise NotFound(f"no claim {claim_id} in this incident")
    return claim


def _row(claim: Claim) -> dict[str, Any]:
    return {
        "number": claim.number, "status": claim.status.value,
        "status_words": STATUS_WORDS[claim.status], "open": claim.status in claims.OPEN,
        "amount": f"{claims.amount_of(claim):,.2f} {claim.currency}",
        "charged_on": claim.charged_on.isoformat(), "submitted": when(claim.submitted_at),
        "evidence": len(claim.evidence), "decided_by": claim.decided_by or "",
    }  # fmt: skip


@router.get(CLAIMS, response_class=HTMLResponse)
def claim_list(
    incident_id: int,
    request: Request,
    status: str = "",
    staff: Staff = Depends(signed_in(Can.REVIEW_CLAIMS)),
) -> Response:
    """The incident's claims, oldest first; ``?status=submitted`` for the ones to review."""
    try:
        with transaction(request) as db_session:
            incident = incident_view(db_session, incident_id)
            found = claims.list_claims(
                db_session=db_session, incident_id=incident_id, status=status or None
            )
            rows = [_row(claim) for claim in found]
    except USER_ERRORS as error:
        return problem(
            request, staff, error, incident_id=incident_id, back=f"{PREFIX}/incidents/"
            f"{incident_id}/claims",
        )  # fmt: skip
    return page(
        request, "claims.html", staff=staff, incident=incident, rows=rows, chosen=status,
        statuses=STATUS_WORDS, base=f"{PREFIX}/incidents/{incident_id}/claims",
    )  # fmt: skip


def _show(
    request: Request, staff: Staff, incident_id: int, claim_id: str, *, error: str = "",
    note: str = "", form: str = "", status: int = 200,
) -> Response:  # fmt: skip
    keyring = request.app.state.keyring
    base = f"{PREFIX}/incidents/{incident_id}/claims"
    try:
        with transaction(request) as db_session:
            incident = incident_view(db_session, incident_id)
            claim = _claim(db_session, incident_id, claim_id)
            values = _row(claim) | {
                "person": claim.person_id,
                "description": claims.description_of(keyring=keyring, claim=claim),
                "decision_note": claims.decision_note_of(keyring=keyring, claim=claim),
                "decided": when(claim.decided_at),
                "files": [
                    {"id": item.id, "size": _size(item.size),
                     "name": claims.evidence_file_name(keyring=keyring, evidence=item),
                     "type": item.content_type.split("/")[-1].upper()}
                    for item in claim.evidence
                ],
            }  # fmt: skip
    except USER_ERRORS as failed:
        return problem(request, staff, failed, incident_id=incident_id, back=base)
    return page(
        request, "claims_claim.html", staff=staff, incident=incident, status=status,
        claim=values, base=base, error=error, note=note, form=form,
    )  # fmt: skip


def _size(size: int) -> str:
    if size < 10_000:
        return f"{size:,} bytes"
    return f"{size / 1024:,.0f} KB" if size < 10_000_000 else f"{size / 1024 / 1024:,.1f} MB"


@router.get(CLAIM, response_class=HTMLResponse)
def claim_page(
    incident_id: int,
    claim_id: str,
    request: Request,
    staff: Staff = Depends(signed_in(Can.REVIEW_CLAIMS)),
) -> Response:
    """One claim: what the claimant says, the evidence, and the decision forms."""
    return _show(request, staff, incident_id, claim_id)


@router.get(CLAIM + "/evidence/{evidence_id}")
def evidence(
    incident_id: int,
    claim_id: str,
    evidence_id: int,
    request: Request,
    staff: Staff = Depends(signed_in(Can.REVIEW_CLAIMS)),
) -> Response:
    """One evidence file, downloaded as an attachment (checked against its hash); each
    download is on the audit record."""
    back = f"{PREFIX}/incidents/{incident_id}/claims/{claim_id}"
    try:
        with transaction(request) as db_session:
            claim = _claim(db_session, incident_id, claim_id)
            item = next((e for e in claim.evidence if e.id == evidence_id), None)
            if item is None:
                raise NotFound(f"claim {claim.number} has no evidence file {evidence_id}")
            try:
                data = claims.evidence_bytes(
                    evidence_dir=request.app.state.settings.data_dir / claims.EVIDENCE_DIR_NAME,
                    evidence=item,
                )
            except claims.EvidenceDamaged as damaged:
                raise InputError(str(damaged)) from damaged
            claims.record_evidence_read(
                db_session=db_session, claim=claim, files=1, actor=staff.email,
                how=f"downloaded evidence {item.id} in the console",
            )  # fmt: skip
            name = f"{claim.number}-evidence-{item.id}{claims.extension_for(item.content_type)}"
    except USER_ERRORS as error:
        return problem(request, staff, error, incident_id=incident_id, back=back)
    return Response(
        data,
        media_type=item.content_type,
        headers=page_headers()
        | {
            "content-disposition": f'attachment; filename="{name}"',
            "x-content-type-options": "nosniff",
        },
    )


def _decide(
    request: Request, staff: Staff, incident_id: int, claim_id: str, decision: str, note: str
) -> Response:
    try:
        with transaction(request) as db_session:
            claim = _claim(db_session, incident_id, claim_id)
            claims.decide(
                db_session=db_session, keyring=request.app.state.keyring, claim=claim,
                status=decision, note=note, reviewer=staff_user(db_session, staff),
            )  # fmt: skip
    except USER_ERRORS as error:
        if isinstance(error, NotFound):
            return problem(request, staff, error, incident_id=incident_id, back=f"{PREFIX}/")
        return _show(
            request, staff, incident_id, claim_id, error=str(error), note=note,
            form="ask" if decision == ClaimStatus.NEEDS_INFO else "decide",
            status=status_for(error),
        )  # fmt: skip
    words = STATUS_WORDS[ClaimStatus(decision)]
    return redirect(
        request,
        f"{PREFIX}/incidents/{incident_id}/claims/{claim_id}",
        flash=f"Claim {claim_id}: {words}. The claimant sees your note on their status page.",
    )


@router.post(CLAIM + "/decision")
def decision(
    incident_id: int,
    claim_id: str,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.DECIDE_CLAIMS)),
) -> Response:
    """Approve or reject the claim, with a note for the claimant. Final."""
    chosen = fields.get("decision", "")
    if chosen not in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
        return _show(
            request, staff, incident_id, claim_id, note=fields.get("note", ""), status=422,
            error="choose approve or reject", form="decide",
        )  # fmt: skip
    return _decide(request, staff, incident_id, claim_id, chosen, fields.get("note", ""))


@router.post(CLAIM + "/ask")
def ask(
    incident_id: int,
    claim_id: str,
    request: Request,
    fields: dict[str, str] = Form,
    staff: Staff = Depends(signed_in(Can.REVIEW_CLAIMS)),
) -> Response:
    """Ask the claimant for more; the note says what is missing."""
    note = fields.get("note", "")
    return _decide(request, staff, incident_id, claim_id, ClaimStatus.NEEDS_INFO, note)
