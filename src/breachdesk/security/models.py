"""Staff accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a staff member may do in breachdesk."""

    ADMIN = "admin"
    LEAD = "lead"
    LEGAL_APPROVER = "legal_approver"
    COMMS_APPROVER = "comms_approver"
    AGENT = "agent"
    AUDITOR = "auditor"


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="staff_role", values_callable=lambda roles: [r.value for r in roles]),
        nullable=False,
    )
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
