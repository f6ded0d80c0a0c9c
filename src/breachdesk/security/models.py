"""Staff accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # Two-factor sign-in (RFC 6238 TOTP): the shared secret, encrypted like personal data;
    # set but unconfirmed while the staff member is enrolling.
    totp_secret: Mapped[str | None] = mapped_column(String(255), info={"encrypted": True})
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: a code works once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Wrong passwords or codes in a row; at the limit the account locks for a while.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the JSON API, acting as one staff account with its role.

    Only a hash of the token is kept: the token itself is shown once, when it is made.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # SHA-256 of the token: the token is 256 random bits, so no salt or slow hash is needed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The first characters of the token, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff_user: Mapped[StaffUser] = relationship()


class StaffSession(Base):
    """A signed-in staff member's browser session; the cookie holds the only copy of the
    session key, the database its hash."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the second factor was proved; until then the session only lets its holder
    # give their code (or enrol), and expires within minutes.
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff_user: Mapped[StaffUser] = relationship()
