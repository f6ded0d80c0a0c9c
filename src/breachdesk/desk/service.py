"""Inquiries: received from anywhere, acknowledged at once, answered, and timed.

The only way to change an inquiry. Every function takes the session, never commits,
and writes its audit event in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from breachdesk.audit import service as audit
from breachdesk.config import Settings
from breachdesk.db import utcnow
from breachdesk.desk import answers
from breachdesk.desk.events import InquiryFollowUp, InquiryReceived, InquiryReplied, InquiryUpdated
from breachdesk.desk.mail import queue_mail
from breachdesk.desk.models import (
    ApprovedAnswer,
    Inquiry,
    InquiryCategory,
    InquiryMessage,
    InquirySource,
    InquiryStatus,
    MessageDirection,
)
from breachdesk.desk.schemas import Clocks, InquiryChange, InquiryIn, ReplyIn
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError, NotFound
from breachdesk.people import references
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring
from breachdesk.security.models import Role, StaffUser

CONTACT_CONTEXT = "inquiry.contact"
EMAIL_CONTEXT = "inquiry.email"
# Who may release a reply written in an agent's own words to the customer.
RELEASING_ROLES = (Role.LEGAL_APPROVER, Role.COMMS_APPROVER, Role.LEAD)
ANSWERING_ROLES = (Role.AGENT, Role.LEAD, Role.LEGAL_APPROVER, Role.COMMS_APPROVER, Role.ADMIN)


def new_number(prefix: str) -> str:
    """A ticket or claim number, Q-7K3M-9XWP: random, so numbers say nothing about how
    many inquiries there are, in the same look-alike-free alphabet as reference codes."""
    code = references.new_references(1)[0][:8]
    return f"{prefix}-{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Inquirer:
    name: str
    email: str | None
    phone: str | None

    def encode(self) -> str:
        return json.dumps([self.name, self.email, self.phone], ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> Inquirer:
        name, email, phone = json.loads(text)
        return cls(name, email, phone)


def inquirer(*, keyring: Keyring, inquiry: Inquiry) -> Inquirer:
    return Inquirer.decode(keyring.decrypt(inquiry.contact, context=CONTACT_CONTEXT))


def subject_of(*, keyring: Keyring, inquiry: Inquiry) -> str:
    return keyring.decrypt(inquiry.subject, context="inquiry.subject")


def message_body(*, keyring: Keyring, message: InquiryMessage) -> str:
    return keyring.decrypt(message.body, context="inquiry_message.body")


def email_index(keyring: Keyring, email: str) -> str:
    return keyring.blind_index(email.strip().lower(), context=EMAIL_CONTEXT)


def receive_inquiry(
    *,
    db_session: Session,
    keyring: Keyring,
    incident: Incident,
    inquiry_in: InquiryIn,
    source: InquirySource,
    actor: str,
    source_message_id: str | None = None,
    now: datetime | None = None,
) -> Inquiry:
    """Record a new inquiry, acknowledged as it is recorded (the ticket number shown or
    said to the inquirer is the acknowledgement), and queue the acknowledgement email
    when they gave an address and an acknowledgement wording is approved.

    A reference code links the inquiry to that person when it is theirs to give; the
    inquirer is told nothing either way.
    """
    now = now or utcnow()
    subject = inquiry_in.subject or _first_line(inquiry_in.message)
    inquiry = Inquiry(
        incident_id=incident.id,
        ticket=new_number("Q"),
        source=source,
        category=inquiry_in.category,
        status=InquiryStatus.OPEN,
        language=inquiry_in.language,
        person_id=_person_by_reference(db_session, incident.id, inquiry_in.reference),
        contact=keyring.encrypt(
            Inquirer(inquiry_in.name, inquiry_in.email, inquiry_in.phone).encode(),
            context=CONTACT_CONTEXT,
        ),
        email_index=email_index(keyring, inquiry_in.email) if inquiry_in.email else None,
        subject=keyring.encrypt(subject, context="inquiry.subject"),
        source_message_id=source_message_id,
        received_at=now,
        acknowledged_at=now,
    )
    db_session.add(inquiry)
    db_session.flush()
    _add_message(
        db_session, keyring, inquiry, MessageDirection.IN, inquiry_in.message, author=actor
    )
    wording = answers.acknowledgement(
        db_session=db_session, incident_id=incident.id, language=inquiry.language
    )
    queued = bool(inquiry_in.email and wording)
    if queued:
        queue_mail(
            db_session=db_session,
            keyring=keyring,
            inquiry=inquiry,
            incident=incident,
            recipient=inquiry_in.email,
            purpose="acknowledgement",
            text=wording.answer,
        )
    audit.record(
        db_session=db_session,
        event=InquiryReceived(
            incident=incident.id,
            inquiry=inquiry.id,
            ticket=inquiry.ticket,
            source=source.value,
            category=inquiry.category.value,
            person=inquiry.person_id,
            acknowledgement_queued=queued,
        ),
        actor=actor,
    )
    return inquiry


def add_follow_up(
    *,
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    text: str,
    actor: str,
    source_message_id: str | None = None,
) -> InquiryMessage:
    """The inquirer wrote again on the ticket; an answered or resolved inquiry reopens."""
    message = _add_message(db_session, keyring, inquiry, MessageDirection.IN, text, author=actor)
    message.source_message_id = source_message_id
    reopened = inquiry.status != InquiryStatus.OPEN
    if reopened:
        inquiry.status, inquiry.resolved_at = InquiryStatus.OPEN, None
    audit.record(
        db_session=db_session,
        event=InquiryFollowUp(
            incident=inquiry.incident_id, inquiry=inquiry.id, ticket=inquiry.ticket,
            reopened=reopened,
        ),
        actor=actor,
    )  # fmt: skip
    return message


def get_inquiry(*, db_session: Session, inquiry_id: int) -> Inquiry:
    inquiry = db_session.get(Inquiry, inquiry_id, options=[selectinload(Inquiry.messages)])
    if inquiry is None:
        raise NotFound(f"no inquiry {inquiry_id}")
    return inquiry


def find_by_ticket(*, db_session: Session, ticket: str) -> Inquiry | None:
    return db_session.execute(
        select(Inquiry).where(Inquiry.ticket == ticket.strip().upper())
    ).scalar_one_or_none()


def queue(
    *,
    db_session: Session,
    incident_id: int,
    statuses: Sequence[InquiryStatus] = (InquiryStatus.OPEN,),
    assigned_to: int | None = None,
    category: InquiryCategory | None = None,
    limit: int = 100,
) -> list[Inquiry]:
    """The agent queue: oldest first, which is also most urgent first, since every
    inquiry runs on the same clocks; ``assigned_to`` and ``category`` narrow it."""
    query = (
        select(Inquiry)
        .where(Inquiry.incident_id == incident_id, Inquiry.status.in_(list(statuses)))
        .order_by(Inquiry.received_at, Inquiry.id)
        .limit(limit)
    )
    if assigned_to is not None:
        query = query.where(Inquiry.assigned_to == assigned_to)
    if category is not None:
        query = query.where(Inquiry.category == category)
    return list(db_session.execute(query).scalars())


@dataclass(frozen=True)
class ServiceLevels:
    """How long the desk has for each step, and how early to warn."""

    first_response: timedelta
    resolution: timedelta
    warning: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceLevels:
        return cls(
            first_response=timedelta(hours=settings.desk_first_response_hours),
            resolution=timedelta(hours=settings.desk_resolution_hours),
            warning=timedelta(hours=settings.desk_sla_warning_hours),
        )

    def clocks(self, inquiry: Inquiry, now: datetime) -> Clocks:
        first_due = inquiry.received_at + self.first_response
        resolution_due = inquiry.received_at + self.resolution
        return Clocks(
            acknowledged_at=inquiry.acknowledged_at,
            first_response_at=inquiry.first_response_at,
            first_response_due=first_due,
            resolved_at=inquiry.resolved_at,
            resolution_due=resolution_due,
            state=self._state(inquiry, now, first_due, resolution_due),
        )

    def _state(
        self, inquiry: Inquiry, now: datetime, first_due: datetime, resolution_due: datetime
    ) -> str:
        answered, resolved = inquiry.first_response_at, inquiry.resolved_at
        if (answered or now) > first_due or (resolved or now) > resolution_due:
            return "breached"
        if resolved:
            return "met"
        next_due = resolution_due if answered else first_due
        return "warning" if next_due - now <= self.warning else "ok"


def reply(
    *,
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    reply_in: ReplyIn,
    agent: StaffUser,
    bulk: str | None = None,
    now: datetime | None = None,
) -> InquiryMessage:
    """Answer an inquiry from an approved answer (sent at once) or in the agent's own
    words (held until an approver releases it: nothing unapproved reaches a customer)."""
    _require_role(agent, ANSWERING_ROLES, "answer inquiries")
    now = now or utcnow()
    if (reply_in.answer_id is None) == (not reply_in.text):
        raise InputError("give answer_id (an approved answer) or text (your own words), not both")
    answer = None
    if reply_in.answer_id is not None:
        answer = _usable_answer(db_session, inquiry, reply_in.answer_id)
        text = answer.answer
    else:
        text = reply_in.text or ""
    message = _add_message(
        db_session, keyring, inquiry, MessageDirection.OUT, text, author=agent.email,
        answer=answer, now=now,
    )  # fmt: skip
    emailed = False
    if answer is not None:
        emailed = _release(db_session, keyring, inquiry, message, agent.email, now)
    if reply_in.resolve:
        inquiry.status, inquiry.resolved_at = InquiryStatus.RESOLVED, now
    elif inquiry.status == InquiryStatus.OPEN:
        inquiry.status = InquiryStatus.ANSWERED
    audit.record(
        db_session=db_session,
        event=InquiryReplied(
            incident=inquiry.incident_id,
            inquiry=inquiry.id,
            ticket=inquiry.ticket,
            answer=answer.id if answer else None,
            emailed=emailed,
            resolved=reply_in.resolve,
            bulk=bulk,
        ),
        actor=agent.email,
    )
    return message


def release_reply(
    *,
    db_session: Session,
    keyring: Keyring,
    message: InquiryMessage,
    approver: StaffUser,
    now: datetime | None = None,
) -> bool:
    """An approver releases a held reply to the customer; True when it was emailed."""
    _require_role(approver, RELEASING_ROLES, "release replies")
    if message.direction != MessageDirection.OUT or message.released_at is not None:
        raise InputError("only a held reply can be released")
    if message.author == approver.email:
        raise InputError("a reply must be released by someone other than its author")
    inquiry = db_session.get(Inquiry, message.inquiry_id)
    emailed = _release(db_session, keyring, inquiry, message, approver.email, now or utcnow())
    audit.record(
        db_session=db_session,
        event=InquiryUpdated(
            incident=inquiry.incident_id,
            inquiry=inquiry.id,
            ticket=inquiry.ticket,
            changes={"released_reply": message.id, "emailed": int(emailed)},
        ),
        actor=approver.email,
    )
    return emailed


def held_message(*, db_session: Session, message_id: int) -> InquiryMessage:
    message = db_session.get(InquiryMessage, message_id)
    if message is None:
        raise NotFound(f"no reply {message_id}")
    return message


def held_replies(*, db_session: Session, incident_id: int) -> list[InquiryMessage]:
    return list(
        db_session.execute(
            select(InquiryMessage)
            .join(Inquiry, Inquiry.id == InquiryMessage.inquiry_id)
            .where(
                Inquiry.incident_id == incident_id,
                InquiryMessage.direction == MessageDirection.OUT,
                InquiryMessage.released_at.is_(None),
            )
            .order_by(InquiryMessage.id)
        ).scalars()
    )


def update_inquiry(
    *,
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    change: InquiryChange,
    agent: StaffUser,
    now: datetime | None = None,
) -> None:
    _require_role(agent, ANSWERING_ROLES, "change inquiries")
    now = now or utcnow()
    changes: dict[str, str | int | None] = {}
    if change.category is not None and change.category != inquiry.category:
        inquiry.category = change.category
        changes["category"] = change.category.value
    if change.status is not None and change.status != inquiry.status:
        inquiry.status = change.status
        inquiry.resolved_at = now if change.status == InquiryStatus.RESOLVED else None
        changes["status"] = change.status.value
    if change.assign_to is not None:
        assignee = _staff_by_email(db_session, change.assign_to) if change.assign_to else None
        inquiry.assigned_to = assignee.id if assignee else None
        changes["assigned_to"] = assignee.email if assignee else None
    if change.note:
        _add_message(
            db_session, keyring, inquiry, MessageDirection.NOTE, change.note, author=agent.email
        )
        changes["note"] = "added"
    if not changes:
        return
    audit.record(
        db_session=db_session,
        event=InquiryUpdated(
            incident=inquiry.incident_id, inquiry=inquiry.id, ticket=inquiry.ticket,
            changes=changes,
        ),
        actor=agent.email,
    )  # fmt: skip


def _release(
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    message: InquiryMessage,
    by: str,
    now: datetime,
) -> bool:
    message.released_by, message.released_at = by, now
    if inquiry.first_response_at is None:
        inquiry.first_response_at = now
    contact = inquirer(keyring=keyring, inquiry=inquiry)
    if not contact.email:
        return False
    queue_mail(
        db_session=db_session,
        keyring=keyring,
        inquiry=inquiry,
        incident=db_session.get(Incident, inquiry.incident_id),
        recipient=contact.email,
        purpose="reply",
        text=message_body(keyring=keyring, message=message),
    )
    return True


def _usable_answer(db_session: Session, inquiry: Inquiry, answer_id: int) -> ApprovedAnswer:
    answer = answers.get_answer(db_session=db_session, answer_id=answer_id)
    if answer is None or answer.incident_id != inquiry.incident_id:
        raise NotFound(f"answer_id: no answer {answer_id} for this incident")
    if not answers.is_approved(answer):
        raise InputError(
            f"answer {answer.key} version {answer.version} is not approved yet: it needs a "
            "legal and a communications approval before it can be sent"
        )
    return answer


def _add_message(
    db_session: Session,
    keyring: Keyring,
    inquiry: Inquiry,
    direction: MessageDirection,
    text: str,
    *,
    author: str,
    answer: ApprovedAnswer | None = None,
    now: datetime | None = None,
) -> InquiryMessage:
    message = InquiryMessage(
        inquiry_id=inquiry.id,
        direction=direction,
        body=keyring.encrypt(text, context="inquiry_message.body"),
        approved_answer_id=answer.id if answer else None,
        author=author,
        created_at=now or utcnow(),
    )
    db_session.add(message)
    db_session.flush()
    return message


def _person_by_reference(db_session: Session, incident_id: int, given: str | None) -> int | None:
    reference = references.parse(given) if given else None
    if reference is None:
        return None
    return db_session.execute(
        select(AffectedPerson.id).where(
            AffectedPerson.incident_id == incident_id, AffectedPerson.reference == reference
        )
    ).scalar_one_or_none()


def _staff_by_email(db_session: Session, email: str) -> StaffUser:
    user = db_session.execute(
        select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active:
        raise NotFound(f"assign_to: no active staff account {email}")
    return user


def _require_role(user: StaffUser, roles: Sequence[Role], doing: str) -> None:
    if Role(user.role) not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise PermissionError(f"{user.email} is {user.role.value}; only {allowed} may {doing}")


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:120]
