"""The desk's tables: inquiries and their messages, outgoing desk mail, approved answers,
reimbursement claims with their evidence, and credit-monitoring code pools.

Everything a customer wrote, and every way to reach them, is encrypted at rest like the
affected people's contact records; blind indexes make the few equality look-ups the
desk needs (an inquirer's email, an activation code) without decrypting.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from breachdesk.db import Base, UTCDateTime, utcnow, value_enum
from breachdesk.people.models import BLIND_INDEX_LENGTH
from breachdesk.security.models import StaffUser


class InquirySource(enum.StrEnum):
    PORTAL = "portal"  # the "ask a question" form or POST /api/portal/inquiries
    EMAIL = "email"  # read from the inbound mail folder
    PHONE = "phone"  # entered by an agent during a call


class InquiryCategory(enum.StrEnum):
    GENERAL = "general"
    AFFECTED = "affected"  # am I affected, what was taken
    GENUINE = "genuine"  # is this notice or email real
    MONITORING = "monitoring"  # credit monitoring and its codes
    CLAIM = "claim"  # reimbursement of fraudulent charges
    COMPLAINT = "complaint"
    OTHER = "other"


class InquiryStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the desk
    ANSWERED = "answered"  # the desk replied; waiting for the customer, if anything
    RESOLVED = "resolved"  # nothing more to do


class Inquiry(Base):
    __tablename__ = "inquiry"
    __table_args__ = (
        Index("ix_inquiry_queue", "incident_id", "status", "received_at"),
        Index("ix_inquiry_email_index", "incident_id", "email_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False
    )
    # Shown to the customer at once and quoted in every reply: Q-XXXX-XXXX.
    ticket: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    source: Mapped[InquirySource] = mapped_column(
        value_enum(InquirySource, "inquiry_source"), nullable=False
    )
    category: Mapped[InquiryCategory] = mapped_column(
        value_enum(InquiryCategory, "inquiry_category"), nullable=False
    )
    status: Mapped[InquiryStatus] = mapped_column(
        value_enum(InquiryStatus, "inquiry_status"), nullable=False
    )
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    # The affected person it concerns, when a reference code or an agent says so.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), index=True
    )
    # Name, email and phone of the inquirer (see desk/contact.py), encrypted as one value.
    contact: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    email_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH))
    subject: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    # The Message-ID of an inquiry read from mail, so reading a folder twice adds nothing.
    source_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT")
    )
    # The service-level clocks.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="inquiry", order_by="InquiryMessage.id"
    )
    assignee: Mapped[StaffUser | None] = relationship()


class MessageDirection(enum.StrEnum):
    IN = "in"  # from the customer
    OUT = "out"  # from the desk
    NOTE = "note"  # an agent's internal note; never sent


class InquiryMessage(Base):
    __tablename__ = "inquiry_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiry.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    direction: Mapped[MessageDirection] = mapped_column(
        value_enum(MessageDirection, "message_direction"), nullable=False
    )
    body: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    # The approved answer version a reply was made from; free text has none.
    approved_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("approved_answer.id", ondelete="RESTRICT")
    )
    author: Mapped[str] = mapped_column(String(320), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The Message-ID of a follow-up read from mail, so reading a folder twice adds nothing.
    source_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    # A reply in an agent's own words reaches the customer only once an approver releases
    # it; a reply from an approved answer is released as it is made. Null: held.
    released_by: Mapped[str | None] = mapped_column(String(320))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")


class MailState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # refused for good; the inquiry keeps the reply on record


class DeskMail(Base):
    """An email the desk owes a customer (an acknowledgement or a reply): written in the
    same transaction as the inquiry change, sent afterwards by the mail sender."""

    __tablename__ = "desk_mail"
    __table_args__ = (Index("ix_desk_mail_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiry.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)  # acknowledgement, reply
    recipient: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    subject: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    body: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    message_id: Mapped[str] = mapped_column(String(998), nullable=False)
    state: Mapped[MailState] = mapped_column(value_enum(MailState, "desk_mail_state"))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnswerPurpose(enum.StrEnum):
    FAQ = "faq"  # answers a question; offered to agents, bulk replies and the FAQ page
    ACKNOWLEDGEMENT = "acknowledgement"  # the email every new inquiry gets at once


class ApprovedAnswer(Base):
    """One version of a library answer. Like a notice template, a version is never
    edited, and it may reach a customer only once a legal and a communications
    approver, two different accounts, have signed off that exact version."""

    __tablename__ = "approved_answer"
    __table_args__ = (UniqueConstraint("incident_id", "key", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(String(64), nullable=False)  # e.g. "ssn-involved"
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    purpose: Mapped[AnswerPurpose] = mapped_column(
        value_enum(AnswerPurpose, "answer_purpose"), nullable=False
    )
    category: Mapped[InquiryCategory] = mapped_column(
        value_enum(InquiryCategory, "inquiry_category"), nullable=False
    )
    question: Mapped[str] = mapped_column(Text, nullable=False)
    # Other ways customers ask the question: suggestion matches inquiries against them
    # too. Approved with the rest of the version; never shown to the public.
    also_asked: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # On the public FAQ once approved.
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)

    approvals: Mapped[list[AnswerApproval]] = relationship(order_by="AnswerApproval.id")


class AnswerApproval(Base):
    __tablename__ = "answer_approval"
    __table_args__ = (UniqueConstraint("answer_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("approved_answer.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)  # a Role value
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT"), nullable=False
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"  # the desk asked the claimant for more
    APPROVED = "approved"
    REJECTED = "rejected"


class Claim(Base):
    """A reimbursement claim for fraudulent charges, by an affected person."""

    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)  # C-XXXX-XXXX
    person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    charged_on: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    status: Mapped[ClaimStatus] = mapped_column(
        value_enum(ClaimStatus, "claim_status"), nullable=False
    )
    # What the desk told the claimant with its last decision (shown on the status page).
    decision_note: Mapped[str | None] = mapped_column(Text, info={"encrypted": True})
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    evidence: Mapped[list[ClaimEvidence]] = relationship(order_by="ClaimEvidence.id")


class ClaimEvidence(Base):
    """A file a claimant uploaded, kept in the data dir outside any web root under a
    random name; only its own name, type, size and hash are in the database."""

    __tablename__ = "claim_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claim.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    file_name: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    stored_as: Mapped[str] = mapped_column(String(100), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CodePool(Base):
    """Activation codes bought from a credit-monitoring vendor, for one incident."""

    __tablename__ = "code_pool"
    __table_args__ = (UniqueConstraint("incident_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    vendor: Mapped[str] = mapped_column(String(200), nullable=False)
    enrol_url: Mapped[str] = mapped_column(String(500), nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)
    # Warn when fewer codes than this are left.
    low_water: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MonitoringCode(Base):
    __tablename__ = "monitoring_code"
    __table_args__ = (
        UniqueConstraint("pool_id", "code_index"),
        # One code per person per incident: the pool belongs to one incident.
        UniqueConstraint("pool_id", "person_id"),
        Index("ix_monitoring_code_free", "pool_id", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("code_pool.id", ondelete="RESTRICT"), nullable=False
    )
    code: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    code_index: Mapped[str] = mapped_column(String(BLIND_INDEX_LENGTH), nullable=False)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT")
    )
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
