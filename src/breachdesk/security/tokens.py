"""API tokens and browser sessions: how a staff member proves who they are to the web app.

Both are 256 random bits handed to the holder once; the database keeps only their
SHA-256, so a copy of the database opens nothing. A token or session acts as its staff
account, and every route checks that account's role on every call.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.inputs import InputError, NotFound
from breachdesk.security.events import (
    ApiTokenCreated,
    ApiTokenRevoked,
    StaffSignedIn,
    StaffSignedOut,
)
from breachdesk.security.models import ApiToken, StaffSession, StaffUser

TOKEN_PREFIX = "bdt_"  # noqa: S105 (a marker that makes leaked tokens easy to scan for)
SESSION_LIFETIME = timedelta(hours=12)
# Between the password and the two-factor code.
PENDING_LIFETIME = timedelta(minutes=10)
DEFAULT_IDLE = timedelta(minutes=30)  # BREACHDESK_STAFF_IDLE_MINUTES
# last_seen_at is written at most this often: idle expiry needs no finer clock.
_LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# last_used_at is written at most this often, so busy API clients do not write per call.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    *, db_session: Session, user: StaffUser, label: str, actor: str
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never shown again."""
    if not user.active:
        raise InputError(f"{user.email} is not an active account")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        staff_user_id=user.id,
        token_hash=_digest(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        label=label.strip() or "api",
        created_by=actor,
    )
    db_session.add(row)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=ApiTokenCreated(
            token=row.id, user=user.id, email=user.email, prefix=row.prefix, label=row.label
        ),
        actor=actor,
    )
    return row, token


def list_tokens(*, db_session: Session, user: StaffUser | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.staff_user_id == user.id)
    return list(db_session.execute(query).scalars())


def revoke_token(*, db_session: Session, token_id: int, actor: str) -> ApiToken:
    row = db_session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token {token_id} (see `breachdesk user tokens`)")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            db_session=db_session,
            event=ApiTokenRevoked(token=row.id, user=row.staff_user_id, prefix=row.prefix),
            actor=actor,
        )
    return row


def user_for_token(
    *, db_session: Session, token: str, now: datetime | None = None
) -> StaffUser | None:
    """The active account an unrevoked token acts as, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db_session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.staff_user.active:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.staff_user


def start_session(
    *, db_session: Session, user: StaffUser, verified: bool, now: datetime | None = None
) -> tuple[StaffSession, str]:
    """A browser session for a user who has just proved their password; returns the row
    and the session key for the cookie.

    ``verified`` when nothing more is asked of them. Otherwise the session is pending:
    it only lets its holder give their two-factor code (or enrol), and lapses after
    PENDING_LIFETIME; ``verify_session`` completes it.
    """
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    row = StaffSession(
        staff_user_id=user.id,
        key_hash=_digest(key),
        created_at=now,
        expires_at=now + (SESSION_LIFETIME if verified else PENDING_LIFETIME),
        last_seen_at=now,
    )
    db_session.add(row)
    db_session.flush()
    if verified:
        _signed_in(db_session, row, now)
    return row, key


def verify_session(*, db_session: Session, key: str, now: datetime | None = None) -> str:
    """Complete a pending session once the second factor is proved; returns its new key.

    The key changes at this point, so a key planted in a browser before sign-in (session
    fixation) never becomes a signed-in one.
    """
    now = now or utcnow()
    row = _live_session(db_session, key, now, idle=PENDING_LIFETIME)
    if row is None or row.second_factor_at is not None:
        raise InputError("the sign-in has lapsed: start again with your password")
    new_key = secrets.token_urlsafe(32)
    row.key_hash = _digest(new_key)
    row.expires_at = now + SESSION_LIFETIME
    _signed_in(db_session, row, now)
    return new_key


def _signed_in(db_session: Session, row: StaffSession, now: datetime) -> None:
    row.second_factor_at = now
    user = row.staff_user
    audit.record(
        db_session=db_session,
        event=StaffSignedIn(user=user.id, email=user.email, session=row.id),
        actor=user.email,
    )


def user_for_session(
    *,
    db_session: Session,
    key: str,
    idle: timedelta = DEFAULT_IDLE,
    now: datetime | None = None,
) -> StaffUser | None:
    """The signed-in account of a live, completed session; it lapses after ``idle``
    without a request."""
    now = now or utcnow()
    row = _live_session(db_session, key, now, idle=idle)
    if row is None or row.second_factor_at is None:
        return None
    if row.last_seen_at is None or now - row.last_seen_at > _LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    return row.staff_user


def pending_user(*, db_session: Session, key: str, now: datetime | None = None) -> StaffUser | None:
    """The account of a session still waiting for its second factor."""
    row = _live_session(db_session, key, now or utcnow(), idle=PENDING_LIFETIME)
    if row is None or row.second_factor_at is not None:
        return None
    return row.staff_user


def end_session(*, db_session: Session, key: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    row = _live_session(db_session, key, now, idle=SESSION_LIFETIME)
    if row is None:
        return
    row.ended_at = now
    if row.second_factor_at is not None:
        audit.record(
            db_session=db_session,
            event=StaffSignedOut(user=row.staff_user_id, session=row.id),
            actor=row.staff_user.email,
        )


def _live_session(
    db_session: Session, key: str, now: datetime, *, idle: timedelta
) -> StaffSession | None:
    row = db_session.execute(
        select(StaffSession).where(StaffSession.key_hash == _digest(key))
    ).scalar_one_or_none()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    if row.last_seen_at is not None and now - row.last_seen_at > idle:
        return None
    if not row.staff_user.active:
        return None
    return row
