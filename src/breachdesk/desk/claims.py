"""Reimbursement claims for fraudulent charges, and the evidence that comes with them.

An affected person files a claim on the portal with its evidence (statements, receipts:
PDF, PNG or JPEG, told apart by their first bytes, never by the name or the type the
browser claims). Each file is written to the evidence folder in the data dir, outside
any web root, under a random name, before its row is saved: a transaction that fails
afterwards leaves at most an orphan file nothing points to. The database keeps the
file's own name (encrypted), type, size and SHA-256, which is checked on every read.

A reviewer decides: a lead, a legal approver or an admin may approve or reject, and an
agent may also ask the claimant for more (``needs_info``); the claim is ``submitted``
again when evidence is added. Approval and rejection are final.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.desk.events import (
    ClaimDecided,
    ClaimEvidenceAdded,
    ClaimEvidenceRead,
    ClaimSubmitted,
)
from breachdesk.desk.models import Claim, ClaimEvidence, ClaimStatus
from breachdesk.desk.service import new_number
from breachdesk.inputs import InputError, NotFound
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring
from breachdesk.security.models import Role, StaffUser

EVIDENCE_DIR_NAME = "claim-evidence"  # under the data dir
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10  # per claim
MAX_AMOUNT = Decimal(1_000_000)
DESCRIPTION_LIMIT = 5_000
NOTE_LIMIT = 2_000
# The file types accepted as evidence, by their first bytes: (signature, type, extension).
EVIDENCE_TYPES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
ACCEPTED = "PDF, PNG or JPEG"
DECIDING_ROLES = (Role.LEAD, Role.LEGAL_APPROVER, Role.ADMIN)  # approve, reject
ASKING_ROLES = (*DECIDING_ROLES, Role.AGENT)  # ask the claimant for more
FINAL = (ClaimStatus.APPROVED, ClaimStatus.REJECTED)
OPEN = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO)


class EvidenceDamaged(Exception):
    """A stored evidence file is missing or no longer matches the hash taken on upload."""


class ClaimIn(BaseModel):
    """A claim as the claimant gives it on the portal."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # A decimal string ("129.95") or a number; at most two decimal places.
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False)
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    charged_on: date
    description: str = Field(min_length=1, max_length=DESCRIPTION_LIMIT)

    @field_validator("currency")
    @classmethod
    def _upper_case(cls, value: str) -> str:
        return value.upper()

    @field_validator("charged_on")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        # Today somewhere on Earth: the earliest time zone is UTC+14.
        if value > (utcnow() + timedelta(hours=14)).date():
            raise ValueError(
                f"{value.isoformat()} is in the future: give the date the charge was made"
            )
        return value

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)


@dataclass(frozen=True)
class Upload:
    """A file as the claimant sent it; its name and claimed type are not trusted."""

    file_name: str
    data: bytes


@dataclass(frozen=True)
class ClaimView:
    """What the portal's status page shows the claimant."""

    number: str
    status: str
    submitted_at: datetime
    amount: Decimal
    currency: str
    charged_on: date
    evidence_files: int
    decision_note: str | None
    decided_at: datetime | None


def submit_claim(
    *,
    db_session: Session,
    keyring: Keyring,
    incident_id: int,
    person_id: int,
    claim_in: ClaimIn,
    evidence: list[Upload],
    evidence_dir: Path,
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES,
    actor: str,
) -> Claim:
    """File the person's claim with its evidence; every file is checked before any is
    stored, and stored before the claim's rows are written."""
    _check_person(db_session, incident_id, person_id)
    if len(evidence) > MAX_EVIDENCE_FILES:
        raise InputError(
            f"evidence: {len(evidence)} files; at most {MAX_EVIDENCE_FILES} can go with a "
            "claim: combine pages into one PDF"
        )
    kinds = [_check_upload(upload, max_evidence_bytes) for upload in evidence]
    claim = Claim(
        incident_id=incident_id,
        number=new_number("C"),
        person_id=person_id,
        amount_cents=claim_in.amount_cents,
        currency=claim_in.currency,
        charged_on=claim_in.charged_on,
        description=keyring.encrypt(claim_in.description, context="claim.description"),
        status=ClaimStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    for upload, content_type in zip(evidence, kinds, strict=True):
        claim.evidence.append(_store(keyring, evidence_dir, upload, content_type))
    db_session.add(claim)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=ClaimSubmitted(
            incident=incident_id,
            claim=claim.id,
            number=claim.number,
            person=person_id,
            amount_cents=claim.amount_cents,
            currency=claim.currency,
            evidence_files=len(evidence),
        ),
        actor=actor,
    )
    return claim


def add_evidence(
    *,
    db_session: Session,
    keyring: Keyring,
    claim: Claim,
    upload: Upload,
    evidence_dir: Path,
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES,
    actor: str,
) -> ClaimEvidence:
    """Add a file to a claim that is still open; a claim waiting for more information
    is ``submitted`` again. The caller checks the claim is the claimant's own (see
    ``find_claim``)."""
    _lock(db_session, claim)
    if claim.status not in OPEN:
        raise InputError(
            f"claim {claim.number} is {claim.status.value}: a decided claim takes no more "
            "evidence; write to the desk instead"
        )
    if len(claim.evidence) >= MAX_EVIDENCE_FILES:
        raise InputError(
            f"claim {claim.number} already has {MAX_EVIDENCE_FILES} files, the most a claim "
            "can have; combine pages into one PDF"
        )
    content_type = _check_upload(upload, max_evidence_bytes)
    stored = _store(keyring, evidence_dir, upload, content_type)
    claim.evidence.append(stored)
    if claim.status == ClaimStatus.NEEDS_INFO:
        claim.status = ClaimStatus.SUBMITTED
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=ClaimEvidenceAdded(
            incident=claim.incident_id,
            claim=claim.id,
            number=claim.number,
            sha256=stored.sha256,
            size=stored.size,
        ),
        actor=actor,
    )
    return stored


def decide(
    *,
    db_session: Session,
    keyring: Keyring,
    claim: Claim,
    status: ClaimStatus | str,
    note: str,
    reviewer: StaffUser,
) -> None:
    """Approve or reject the claim (lead, legal_approver, admin), or ask the claimant for
    more (those, and agents). ``note`` is what the claimant is told on the status page.
    Approval and rejection are final."""
    try:
        decision = ClaimStatus(status)
    except ValueError:
        decision = None
    if decision is None or decision == ClaimStatus.SUBMITTED:
        raise InputError(
            f"status: {status!r} is not a decision; give approved, rejected or needs_info"
        )
    roles = ASKING_ROLES if decision == ClaimStatus.NEEDS_INFO else DECIDING_ROLES
    role = Role(reviewer.role)
    if role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise PermissionError(
            f"{reviewer.email} is {role.value}; only {allowed} may mark a claim {decision.value}"
        )
    note = note.strip()
    if not 1 <= len(note) <= NOTE_LIMIT:
        raise InputError(
            f"note: tell the claimant why, in 1 to {NOTE_LIMIT} characters (it is shown on "
            "their status page)"
        )
    _lock(db_session, claim)
    if claim.status in FINAL:
        when = f" on {claim.decided_at:%Y-%m-%d}" if claim.decided_at else ""
        raise InputError(
            f"claim {claim.number} was {claim.status.value} by {claim.decided_by}{when}; "
            "that decision is final"
        )
    previous = claim.status
    claim.status = decision
    claim.decision_note = keyring.encrypt(note, context="claim.decision_note")
    claim.decided_by = reviewer.email
    claim.decided_at = utcnow()
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=ClaimDecided(
            incident=claim.incident_id,
            claim=claim.id,
            number=claim.number,
            status=decision.value,
            previous=previous.value,
        ),
        actor=reviewer.email,
    )


def find_claim(*, db_session: Session, number: str, person_id: int) -> Claim | None:
    """The claim with this number when it is the person's own, else None (whether it
    does not exist or is someone else's)."""
    claim = db_session.execute(
        select(Claim)
        .where(Claim.number == _normalise_number(number))
        .options(selectinload(Claim.evidence))
    ).scalar_one_or_none()
    if claim is None or claim.person_id != person_id:
        return None
    return claim


def claim_status(
    *, db_session: Session, keyring: Keyring, number: str, person_id: int
) -> ClaimView | None:
    """For the portal's status page: the claim, only when it belongs to the person."""
    claim = find_claim(db_session=db_session, number=number, person_id=person_id)
    if claim is None:
        return None
    return ClaimView(
        number=claim.number,
        status=claim.status.value,
        submitted_at=claim.submitted_at,
        amount=amount_of(claim),
        currency=claim.currency,
        charged_on=claim.charged_on,
        evidence_files=len(claim.evidence),
        decision_note=decision_note_of(keyring=keyring, claim=claim),
        decided_at=claim.decided_at,
    )


def list_claims(
    *, db_session: Session, incident_id: int, status: ClaimStatus | str | None = None
) -> list[Claim]:
    """The incident's claims, oldest first, with their evidence rows."""
    query = (
        select(Claim)
        .where(Claim.incident_id == incident_id)
        .options(selectinload(Claim.evidence))
        .order_by(Claim.submitted_at, Claim.id)
    )
    if status is not None:
        try:
            query = query.where(Claim.status == ClaimStatus(status))
        except ValueError as error:
            allowed = ", ".join(s.value for s in ClaimStatus)
            raise InputError(f"status: {status!r} is not one of {allowed}") from error
    return list(db_session.execute(query).scalars())


def get_claim(*, db_session: Session, number: str) -> Claim:
    claim = db_session.execute(
        select(Claim)
        .where(Claim.number == _normalise_number(number))
        .options(selectinload(Claim.evidence))
    ).scalar_one_or_none()
    if claim is None:
        raise NotFound(f"no claim {number}: see `breachdesk claims list`")
    return claim


def evidence_bytes(*, evidence_dir: Path, evidence: ClaimEvidence) -> bytes:
    """The stored file, checked against the SHA-256 taken when it was uploaded."""
    path = evidence_dir / evidence.stored_as
    try:
        data = path.read_bytes()
    except OSError as error:
        raise EvidenceDamaged(
            f"evidence file {evidence.stored_as} (claim evidence {evidence.id}) cannot be "
            f"read from {evidence_dir}: {error.strerror}; restore it from a backup"
        ) from error
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise EvidenceDamaged(
            f"evidence file {path} changed after it was uploaded (its SHA-256 no longer "
            "matches); restore it from a backup"
        )
    return data


def record_evidence_read(
    *, db_session: Session, claim: Claim, files: int, how: str, actor: str
) -> None:
    """Put on the record that staff read a claim's evidence (personal data)."""
    audit.record(
        db_session=db_session,
        event=ClaimEvidenceRead(
            incident=claim.incident_id, claim=claim.id, number=claim.number, files=files,
            how=how,
        ),
        actor=actor,
    )  # fmt: skip


def evidence_file_name(*, keyring: Keyring, evidence: ClaimEvidence) -> str:
    return keyring.decrypt(evidence.file_name, context="claim_evidence.file_name")


def description_of(*, keyring: Keyring, claim: Claim) -> str:
    return keyring.decrypt(claim.description, context="claim.description")


def decision_note_of(*, keyring: Keyring, claim: Claim) -> str | None:
    if claim.decision_note is None:
        return None
    return keyring.decrypt(claim.decision_note, context="claim.decision_note")


def amount_of(claim: Claim) -> Decimal:
    return Decimal(claim.amount_cents).scaleb(-2)


def evidence_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file by its first bytes, when it is accepted."""
    for signature, content_type, extension in EVIDENCE_TYPES:
        if data.startswith(signature):
            return content_type, extension
    return None


def extension_for(content_type: str) -> str:
    return next(ext for _sig, kind, ext in EVIDENCE_TYPES if kind == content_type)


def _check_person(db_session: Session, incident_id: int, person_id: int) -> None:
    found = db_session.execute(
        select(AffectedPerson.id).where(
            AffectedPerson.id == person_id, AffectedPerson.incident_id == incident_id
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no person {person_id} in incident {incident_id}")


def _check_upload(upload: Upload, max_bytes: int) -> str:
    name = _display_name(upload.file_name)
    size = len(upload.data)
    if size == 0:
        raise InputError(f"{name}: the file is empty; send the {ACCEPTED} file itself")
    if size > max_bytes:
        raise InputError(
            f"{name} is {_megabytes(size)}; the limit is {_megabytes(max_bytes)} a file: "
            "send a smaller scan or photo, or split it"
        )
    kind = evidence_type(upload.data)
    if kind is None:
        raise InputError(
            f"{name} is not a {ACCEPTED} file, whatever its name says; evidence is "
            f"accepted as {ACCEPTED} only"
        )
    return kind[0]


def _store(
    keyring: Keyring, evidence_dir: Path, upload: Upload, content_type: str
) -> ClaimEvidence:
    """Write the file under a random name, readable by its owner only; its row, not yet
    added to the session."""
    evidence_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if evidence_dir.stat().st_mode & 0o077:
        evidence_dir.chmod(0o700)
    stored_as = secrets.token_hex(16)
    descriptor = os.open(evidence_dir / stored_as, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(upload.data)
        handle.flush()
        os.fsync(handle.fileno())
    return ClaimEvidence(
        file_name=keyring.encrypt(
            _display_name(upload.file_name), context="claim_evidence.file_name"
        ),
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        stored_as=stored_as,
        uploaded_at=utcnow(),
    )


def _lock(db_session: Session, claim: Claim) -> None:
    """Reload the claim under a row lock (PostgreSQL), so two reviewers deciding at once
    take turns and the second sees the first's decision."""
    if claim in db_session and db_session.get_bind().dialect.name == "postgresql":
        db_session.refresh(claim, with_for_update=True)


def _display_name(file_name: str) -> str:
    """The file's own name without any folder, control characters or excess length."""
    name = re.split(r"[\\/]", file_name or "")[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:200] or "unnamed file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def _normalise_number(number: str) -> str:
    return number.strip().upper()
