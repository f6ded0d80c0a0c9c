"""Staff accounts and data-key rotation: the only way to change them."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, select, update
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import Base
from breachdesk.security.crypto import CIPHERTEXT_VERSION, Keyring
from breachdesk.security.events import (
    DataKeysRotated,
    StaffPasswordChanged,
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


def authenticate(*, db_session: Session, email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None.

    An unknown email costs the same hash work as a wrong password, so response
    times do not reveal which accounts exist.
    """
    user = get_by_email(db_session=db_session, email=email)
    stored = user.password_hash if user and user.active else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


_DUMMY_HASH = _hasher.hash("breachdesk: no such account")


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
