"""The approved-answer library: versions saved by the desk lead, signed off like notice
templates, and the latest approved version of each entry offered to agents."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from breachdesk.audit import service as audit
from breachdesk.desk.events import AnswerApproved, AnswerSaved
from breachdesk.desk.models import AnswerApproval, AnswerPurpose, ApprovedAnswer
from breachdesk.desk.schemas import AnswerIn
from breachdesk.incidents.models import Incident
from breachdesk.security.approvals import both_signed, check_sign_off
from breachdesk.security.models import StaffUser

# The key of the library answer the portal publishes as the executive statement.
STATEMENT_KEY = "statement"


def is_approved(answer: ApprovedAnswer) -> bool:
    """Signed off by a legal and a communications approver, as two different accounts."""
    return both_signed(answer.approvals)


def content_hash(answer_in: AnswerIn) -> str:
    """What approvers sign off. The other phrasings of the question are part of it, so a
    changed list is a new version; without any, the hash is what it was before they
    existed, so saving an unchanged older entry again makes no new version."""
    parts = [answer_in.purpose.value, answer_in.category.value, answer_in.question]
    parts += [answer_in.answer, *answer_in.also_asked]
    wording = "\x1f".join(parts)
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def save_answer(
    *, db_session: Session, incident: Incident, answer_in: AnswerIn, actor: str
) -> ApprovedAnswer:
    """A new version of the entry ``key`` in ``language``; saving the same wording as the
    latest version changes nothing and returns that version."""
    versions = _versions(db_session, incident.id, answer_in.key, answer_in.language)
    digest = content_hash(answer_in)
    if versions and versions[-1].content_hash == digest and versions[-1].public == answer_in.public:
        return versions[-1]
    answer = ApprovedAnswer(
        incident_id=incident.id,
        key=answer_in.key,
        language=answer_in.language,
        version=(versions[-1].version + 1) if versions else 1,
        purpose=answer_in.purpose,
        category=answer_in.category,
        question=answer_in.question,
        also_asked=answer_in.also_asked,
        answer=answer_in.answer,
        content_hash=digest,
        public=answer_in.public,
        created_by=actor,
    )
    db_session.add(answer)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=AnswerSaved(
            incident=incident.id,
            answer=answer.id,
            key=answer.key,
            language=answer.language,
            version=answer.version,
            content_hash=digest,
        ),
        actor=actor,
    )
    return answer


def approve_answer(
    *, db_session: Session, answer: ApprovedAnswer, approver: StaffUser, actor: str
) -> None:
    """The approver's sign-off of this exact version, in their role."""
    role = check_sign_off(answer.approvals, approver, what="an answer", version=answer.version)
    approval = AnswerApproval(answer_id=answer.id, role=role.value, staff_user_id=approver.id)
    db_session.add(approval)
    answer.approvals.append(approval)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=AnswerApproved(
            incident=answer.incident_id,
            answer=answer.id,
            version=answer.version,
            content_hash=answer.content_hash,
            role=role.value,
            approver=approver.email,
            usable=is_approved(answer),
        ),
        actor=actor,
    )


def get_answer(*, db_session: Session, answer_id: int) -> ApprovedAnswer | None:
    return db_session.get(ApprovedAnswer, answer_id)


def library(*, db_session: Session, incident_id: int) -> list[ApprovedAnswer]:
    """Every version of every entry, newest version of each entry first within its key."""
    return list(
        db_session.execute(
            select(ApprovedAnswer)
            .where(ApprovedAnswer.incident_id == incident_id)
            .options(selectinload(ApprovedAnswer.approvals))
            .order_by(ApprovedAnswer.key, ApprovedAnswer.language, ApprovedAnswer.version.desc())
        ).scalars()
    )


def approved_answers(
    *,
    db_session: Session,
    incident_id: int,
    language: str | None = None,
    purpose: AnswerPurpose = AnswerPurpose.FAQ,
) -> list[ApprovedAnswer]:
    """The latest approved version of each entry (a newer version awaiting approval
    leaves the approved one in use), in key order."""
    query = (
        select(ApprovedAnswer)
        .where(ApprovedAnswer.incident_id == incident_id, ApprovedAnswer.purpose == purpose)
        .options(selectinload(ApprovedAnswer.approvals))
        .order_by(ApprovedAnswer.key, ApprovedAnswer.version.desc())
    )
    if language is not None:
        query = query.where(ApprovedAnswer.language == language)
    chosen: dict[tuple[str, str], ApprovedAnswer] = {}
    for answer in db_session.execute(query).scalars():
        if (answer.key, answer.language) not in chosen and is_approved(answer):
            chosen[(answer.key, answer.language)] = answer
    return list(chosen.values())


def acknowledgement(
    *, db_session: Session, incident_id: int, language: str
) -> ApprovedAnswer | None:
    """The approved acknowledgement wording in ``language``, else in English."""
    for wanted in dict.fromkeys((language, "en")):
        found = approved_answers(
            db_session=db_session,
            incident_id=incident_id,
            language=wanted,
            purpose=AnswerPurpose.ACKNOWLEDGEMENT,
        )
        if found:
            return found[0]
    return None


def _versions(
    db_session: Session, incident_id: int, key: str, language: str
) -> list[ApprovedAnswer]:
    return list(
        db_session.execute(
            select(ApprovedAnswer)
            .where(
                ApprovedAnswer.incident_id == incident_id,
                ApprovedAnswer.key == key,
                ApprovedAnswer.language == language,
            )
            .order_by(ApprovedAnswer.version)
        ).scalars()
    )
