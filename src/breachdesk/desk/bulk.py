"""Suggesting approved answers for inquiries, and answering many inquiries at once.

In a surge most questions are the same few questions. A bulk reply sends one approved
answer to every open inquiry whose best suggestion it is; each inquiry still gets its
own reply on record and its own audit event, tied together by the bulk id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.desk import answers
from breachdesk.desk import service as desk
from breachdesk.desk.events import BulkReplySent
from breachdesk.desk.models import ApprovedAnswer, Inquiry, InquiryStatus, MessageDirection
from breachdesk.desk.schemas import ReplyIn
from breachdesk.desk.suggest import Candidate, Ranker
from breachdesk.inputs import InputError
from breachdesk.security.crypto import Keyring
from breachdesk.security.models import StaffUser


@dataclass(frozen=True)
class Suggested:
    answer: ApprovedAnswer
    score: float


def inquiry_text(*, keyring: Keyring, inquiry: Inquiry) -> str:
    """What the customer wrote: the subject and their messages, for matching."""
    parts = [desk.subject_of(keyring=keyring, inquiry=inquiry)]
    parts += [
        desk.message_body(keyring=keyring, message=message)
        for message in inquiry.messages
        if message.direction == MessageDirection.IN
    ]
    return "\n".join(parts)


def suggest(
    *,
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    ranker: Ranker,
    limit: int = 3,
    library: list[ApprovedAnswer] | None = None,
) -> list[Suggested]:
    """The approved answers in the inquiry's language that best fit it, best first."""
    library = library if library is not None else _library(db_session, inquiry)
    by_id = {answer.id: answer for answer in library}
    candidates = [
        Candidate(a.id, a.question, a.answer, a.language, also_asked=tuple(a.also_asked))
        for a in library
    ]
    ranked = ranker.rank(inquiry_text(keyring=keyring, inquiry=inquiry), candidates, limit=limit)
    return [Suggested(by_id[item.candidate_id], item.score) for item in ranked]


def bulk_matches(
    *,
    db_session: Session,
    keyring: Keyring,
    answer: ApprovedAnswer,
    ranker: Ranker,
    min_score: float,
    limit: int = 5_000,
) -> list[tuple[Inquiry, float]]:
    """The open inquiries whose best suggestion is ``answer``, scoring at least
    ``min_score``: what a bulk reply with it would answer."""
    _require_approved(answer)
    library = answers.approved_answers(
        db_session=db_session, incident_id=answer.incident_id, language=answer.language
    )
    matched = []
    for inquiry in desk.queue(db_session=db_session, incident_id=answer.incident_id, limit=limit):
        if inquiry.language != answer.language:
            continue
        best = suggest(
            db_session=db_session, keyring=keyring, inquiry=inquiry, ranker=ranker, limit=1,
            library=library,
        )  # fmt: skip
        if best and best[0].answer.id == answer.id and best[0].score >= min_score:
            matched.append((inquiry, best[0].score))
    return matched


def bulk_reply(
    *,
    db_session: Session,
    keyring: Keyring,
    answer: ApprovedAnswer,
    inquiry_ids: list[int],
    agent: StaffUser,
    resolve: bool = True,
) -> tuple[str, int]:
    """Send ``answer`` to each listed inquiry that is still open (one already answered
    since the preview is skipped); returns the bulk id and how many were answered."""
    _require_approved(answer)
    bulk = "B-" + secrets.token_hex(6)
    answered = 0
    for inquiry_id in dict.fromkeys(inquiry_ids):
        inquiry = desk.get_inquiry(db_session=db_session, inquiry_id=inquiry_id)
        if inquiry.incident_id != answer.incident_id:
            raise InputError(f"inquiry {inquiry_id} belongs to another incident")
        if inquiry.status != InquiryStatus.OPEN:
            continue
        desk.reply(
            db_session=db_session,
            keyring=keyring,
            inquiry=inquiry,
            reply_in=ReplyIn(answer_id=answer.id, resolve=resolve),
            agent=agent,
            bulk=bulk,
        )
        answered += 1
    audit.record(
        db_session=db_session,
        event=BulkReplySent(
            incident=answer.incident_id, bulk=bulk, answer=answer.id, inquiries=answered,
            resolved=resolve,
        ),
        actor=agent.email,
    )  # fmt: skip
    return bulk, answered


def _library(db_session: Session, inquiry: Inquiry) -> list[ApprovedAnswer]:
    return answers.approved_answers(
        db_session=db_session, incident_id=inquiry.incident_id, language=inquiry.language
    )


def _require_approved(answer: ApprovedAnswer) -> None:
    if not answers.is_approved(answer):
        raise InputError(
            f"answer {answer.key} version {answer.version} is not approved: it cannot be sent"
        )
