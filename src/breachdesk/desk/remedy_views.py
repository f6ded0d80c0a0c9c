"""The staff API for remedies: reviewing reimbursement claims and watching the
credit-monitoring code pools. Views call services; they never query."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from breachdesk.desk import claims, codes
from breachdesk.desk.models import Claim, ClaimStatus
from breachdesk.desk.views import READERS, user_errors
from breachdesk.security.models import Role, StaffUser
from breachdesk.security.views import staff, transaction

router = APIRouter(prefix="/api", tags=["remedies"])

REVIEWERS = (Role.AGENT, Role.LEAD, Role.LEGAL_APPROVER, Role.ADMIN)


class EvidenceRead(BaseModel):
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str


class ClaimRead(BaseModel):
    number: str
    person: int
    status: ClaimStatus
    amount: Decimal
    currency: str
    charged_on: date
    description: str
    submitted_at: datetime
    decision_note: str | None
    decided_by: str | None
    decided_at: datetime | None
    evidence: list[EvidenceRead]


def _claim_read(request: Request, claim: Claim) -> ClaimRead:
    keyring = request.app.state.keyring
    return ClaimRead(
        number=claim.number,
        person=claim.person_id,
        status=claim.status,
        amount=claims.amount_of(claim),
        currency=claim.currency,
        charged_on=claim.charged_on,
        description=claims.description_of(keyring=keyring, claim=claim),
        submitted_at=claim.submitted_at,
        decision_note=claims.decision_note_of(keyring=keyring, claim=claim),
        decided_by=claim.decided_by,
        decided_at=claim.decided_at,
        evidence=[
            EvidenceRead(
                id=item.id,
                file_name=claims.evidence_file_name(keyring=keyring, evidence=item),
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
            )
            for item in claim.evidence
        ],
    )


@router.get("/incidents/{incident_id}/claims")
def list_claims(
    incident_id: int,
    request: Request,
    status: ClaimStatus | None = None,
    user: StaffUser = Depends(staff(*READERS)),
) -> list[ClaimRead]:
    """The incident's claims, oldest first; ``?status=submitted`` for the review queue."""
    with transaction(request) as db_session:
        found = claims.list_claims(db_session=db_session, incident_id=incident_id, status=status)
        return [_claim_read(request, claim) for claim in found]


@router.get("/claims/{number}")
def show_claim(
    number: str, request: Request, user: StaffUser = Depends(staff(*READERS))
) -> ClaimRead:
    with transaction(request) as db_session:
        claim = user_errors(lambda: claims.get_claim(db_session=db_session, number=number))
        return _claim_read(request, claim)


class DecisionIn(BaseModel):
    status: ClaimStatus
    note: str = Field(min_length=1, max_length=5_000)


@router.post("/claims/{number}/decision")
def decide_claim(
    number: str,
    decision: DecisionIn,
    request: Request,
    user: StaffUser = Depends(staff(*REVIEWERS)),
) -> ClaimRead:
    """Approve or reject (lead, legal approver, admin), or ask the claimant for more
    (agents too); the note is what the claimant reads on their status page."""
    with transaction(request) as db_session:
        claim = user_errors(lambda: claims.get_claim(db_session=db_session, number=number))
        user_errors(
            lambda: claims.decide(
                db_session=db_session,
                keyring=request.app.state.keyring,
                claim=claim,
                status=decision.status,
                note=decision.note,
                reviewer=user,
            )
        )
        return _claim_read(request, claim)


@router.get("/claims/{number}/evidence/{evidence_id}")
def claim_evidence(
    number: str,
    evidence_id: int,
    request: Request,
    user: StaffUser = Depends(staff(*REVIEWERS)),
) -> Response:
    """One evidence file, as the claimant uploaded it (checked against its hash)."""
    with transaction(request) as db_session:
        claim = user_errors(lambda: claims.get_claim(db_session=db_session, number=number))
        item = next((e for e in claim.evidence if e.id == evidence_id), None)
        if item is None:
            raise HTTPException(404, f"claim {claim.number} has no evidence {evidence_id}")
        try:
            data = claims.evidence_bytes(
                evidence_dir=request.app.state.settings.data_dir / "claim-evidence",
                evidence=item,
            )
        except claims.EvidenceDamaged as error:
            raise HTTPException(409, str(error)) from error
        claims.record_evidence_read(
            db_session=db_session, claim=claim, files=1,
            how=f"downloaded evidence {item.id} through the API", actor=user.email,
        )  # fmt: skip
        return Response(
            data,
            media_type=item.content_type,
            headers={
                # Downloaded, never shown in the API's origin.
                "content-disposition": f'attachment; filename="evidence-{item.id}'
                f'{claims.extension_for(item.content_type)}"',
                "cache-control": "no-store",
            },
        )


class PoolRead(BaseModel):
    name: str
    vendor: str
    months: int
    total: int
    issued: int
    remaining: int
    low_water: int
    low: bool


@router.get("/incidents/{incident_id}/code-pools")
def code_pools(
    incident_id: int, request: Request, user: StaffUser = Depends(staff(*READERS))
) -> list[PoolRead]:
    """Each credit-monitoring code pool: codes issued, left, and whether it runs low."""
    with transaction(request) as db_session:
        return [
            PoolRead.model_validate(status, from_attributes=True)
            for status in codes.pool_status(db_session=db_session, incident_id=incident_id)
        ]
