"""Submissions of regulator and credit-bureau notices: who sent which notice, when, how,
and what the regulator gave back as its reference.

A notice is named as the rule files name it: a jurisdiction code and a regulator notice
id (``US-MA`` ``ag``), or the id ``cra`` for the notice to the consumer reporting
agencies. The first submission of a notice is number 1; an amended or supplemental one
(after the scope grew, say) is the next number, and every one is kept.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.db import Base, UTCDateTime, utcnow, value_enum


class SubmissionMethod(enum.StrEnum):
    WEB_FORM = "web_form"
    EMAIL = "email"
    POST = "post"
    OTHER = "other"  # fax, a phone call, a filing system: say which in the reference


class RegulatorSubmission(Base):
    __tablename__ = "regulator_submission"
    # One row per submission number: two people recording the same first submission at
    # once leave one row and one refusal.
    __table_args__ = (UniqueConstraint("incident_id", "jurisdiction", "notice", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    jurisdiction: Mapped[str] = mapped_column(String(16), nullable=False)
    notice: Mapped[str] = mapped_column(String(64), nullable=False)  # a notice id, or "cra"
    agency: Mapped[str] = mapped_column(String(300), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 1, then amendments
    method: Mapped[SubmissionMethod] = mapped_column(
        value_enum(SubmissionMethod, "submission_method"), nullable=False
    )
    reference: Mapped[str] = mapped_column(String(200), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(320), nullable=False)
    # The SHA-256 of the document sent, when the file was given, and its name.
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(300))
    # The incident's fact revision when the submission was recorded.
    fact_revision: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
