"""Staff accounts and data-key rotation: the only way to change them."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, select, update
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.config import Settings
from breachdesk.db import Base, utcnow
from breachdesk.inputs import InputError
from breachdesk.security.crypto import CIPHERTEXT_VERSION, Keyring
from breachdesk.security.events import (
    DataKeysRotated,
    StaffLockedOut,
    StaffPasswordChanged,
    StaffSignInFailed,
    StaffUnlocked,
    StaffUserAdded,
)
from breachdesk.security.models import StaffUser
from breachdesk.security.schemas import StaffUserCreate

_hasher = PasswordHasher()


class StaffUserExists(ValueError):
    pass


def get_by_email(*, db_session: Session, email: str) -> StaffUser | None:
    return db_session.execute(
        select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).scalar_one_or_none()


def list_users(*, db_session: Session) -> list[StaffUser]:
    return list(db_session.execute(select(StaffUser).order_by(StaffUser.email)).scalars())


def create_user(*, db_session: Session, user_in: StaffUserCreate, actor: str) -> StaffUser:
    if get_by_email(db_session=db_session, email=user_in.email):
        raise StaffUserExists(f"a staff account for {user_in.email} already exists")
    user = StaffUser(
        email=user_in.email, role=user_in.role, password_hash=_hasher.hash(user_in.password)
    )
    db_session.add(user)
    db_session.flush()
    audit.record(
        db_session=db_session,
        event=StaffUserAdded(user=user.id, email=user.email, role=user.role.value),
        actor=actor,
    )
    return user


def set_password(*, db_session: Session, user: StaffUser, password: str, actor: str) -> None:
    user.password_hash = _hasher.hash(password)
    audit.record(
        db_session=db_session,
        event=StaffPasswordChanged(user=user.id, email=user.email),
        actor=actor,
    )


@dataclass(frozen=True)
class Lockout:
    """How many wrong passwords or codes in a row lock an account, and for how long."""

    failures: int = 5
    minutes: float = 15

    @classmethod
    def from_settings(cls, settings: Settings) -> Lockout:
        return cls(settings.staff_lockout_failures, settings.staff_lockout_minutes)


class AccountLocked(InputError):
    """Sign-in refused: the account is locked after too many failed attempts."""

    def __init__(self, user: StaffUser, now: datetime) -> None:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        super().__init__(
            f"{user.email} is locked after too many failed sign-ins: try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask an admin to run "
            f"`breachdesk user unlock {user.email}`"
        )


def authenticate(
    *,
    db_session: Session,
    email: str,
    password: str,
    lockout: Lockout = Lockout(),  # frozen, so one shared default is safe
    now: datetime | None = None,
) -> StaffUser | None:
    """The active account with this email and password, or None; AccountLocked while the
    account is locked.

    An unknown email costs the same hash work as a wrong password, so response times do
    not reveal which accounts exist. A wrong password counts towards the lock-out; the
    caller commits, so the count survives the refusal.
    """
    now = now or utcnow()
    user = get_by_email(db_session=db_session, email=email)
    stored = user.password_hash if user and user.active else _dummy_hash()
    try:
        _hasher.verify(stored, password)
        right = True
    except (VerificationError, InvalidHashError):
        right = False
    if user is None or not user.active:
        return None
    if is_locked(user, now):
        raise AccountLocked(user, now)
    if not right:
        record_failure(
            db_session=db_session, user=user, factor="password", lockout=lockout, now=now
        )
        return None
    return user


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def record_failure(
    *, db_session: Session, user: StaffUser, factor: str, lockout: Lockout, now: datetime
) -> None:
    """Count a wrong password or code; at ``lockout.failures`` in a row, lock the account."""
    user.failed_sign_ins += 1
    audit.record(
        db_session=db_session,
        event=StaffSignInFailed(
            user=user.id, email=user.email, factor=factor, failures=user.failed_sign_ins
        ),
        actor=user.email,
    )
    if user.failed_sign_ins >= lockout.failures:
        user.locked_until = now + timedelta(minutes=lockout.minutes)
        user.failed_sign_ins = 0
        audit.record(
            db_session=db_session,
            event=StaffLockedOut(
                user=user.id, email=user.email, until=user.locked_until.isoformat()
            ),
            actor=user.email,
        )


def record_success(*, user: StaffUser) -> None:
    """Every factor proved: the count of failures starts again."""
    user.failed_sign_ins = 0
    user.locked_until = None


def unlock(*, db_session: Session, user: StaffUser, actor: str) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record(
        db_session=db_session, event=StaffUnlocked(user=user.id, email=user.email), actor=actor
    )


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account; made on first use, since
    hashing takes a fifth of a second and most commands never sign anyone in."""
    return _hasher.hash("breachdesk: no such account")


def encrypted_columns() -> list[Column]:
    """Every column declared with ``info={"encrypted": True}``, for key rotation."""
    from breachdesk.models import import_all_models

    import_all_models()
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.info.get("encrypted")
    ]


def reencrypt_batch(
    *, db_session: Session, keyring: Keyring, column: Column, batch_size: int = 1000
) -> int:
    """Re-encrypt up to ``batch_size`` values of ``column`` still under a retired key.

    Returns how many were re-encrypted; 0 means the column is done. Safe to stop and
    run again at any point: a value is rewritten only when its key is not the active one.
    """
    table = column.table
    (primary_key,) = table.primary_key.columns
    context = f"{table.name}.{column.name}"
    prefix = f"{CIPHERTEXT_VERSION}:{keyring.active_id}:"
    rows = db_session.execute(
        select(primary_key, column)
        .where(column.is_not(None), ~column.startswith(prefix, autoescape=True))
        .order_by(primary_key)
        .limit(batch_size)
    ).all()
    for key, token in rows:
        plaintext = keyring.decrypt(token, context=context)
        db_session.execute(
            update(table)
            .where(primary_key == key)
            .values({column.name: keyring.encrypt(plaintext, context=context)})
        )
    return len(rows)


def record_rotation(
    *,
    db_session: Session,
    keyring: Keyring,
    retired: list[str],
    counts: dict[str, int],
    actor: str,
) -> None:
    audit.record(
        db_session=db_session,
        event=DataKeysRotated(active_key=keyring.active_id, retired_keys=retired, values=counts),
        actor=actor,
    )
