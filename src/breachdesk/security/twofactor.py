"""Two-factor sign-in with time-based one-time codes (RFC 6238, as every authenticator
app makes them): enrolment with a QR code, and code checks that accept each code once.

The shared secret is stored encrypted with the data keys, like personal data, so a copy
of the database alone cannot make codes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.inputs import InputError
from breachdesk.security.crypto import Keyring
from breachdesk.security.events import StaffTwoFactorEnrolled, StaffTwoFactorReset
from breachdesk.security.models import StaffUser

ISSUER = "breachdesk"
STEP_SECONDS = 30
# A code from the step before or after is accepted too: phones' clocks drift.
DRIFT_STEPS = 1
_SECRET_CONTEXT = "staff_user.totp_secret"  # noqa: S105 (the encryption context, not a secret)


@dataclass(frozen=True)
class Enrolment:
    """What the staff member scans or types into their authenticator app."""

    secret: str  # base32, for typing in by hand
    uri: str  # otpauth://, what the QR code holds
    qr_svg: str  # the QR code as an inline SVG element


def enrolled(user: StaffUser) -> bool:
    return user.totp_confirmed_at is not None


def begin_enrolment(*, db_session: Session, keyring: Keyring, user: StaffUser) -> Enrolment:
    """A new secret for ``user``, kept until they confirm it with a code. Asking again
    before confirming shows the same secret, so a reloaded page does not invalidate the
    code already scanned."""
    if enrolled(user):
        raise InputError(f"{user.email} already has two-factor sign-in")
    if user.totp_secret is None:
        user.totp_secret = keyring.encrypt(pyotp.random_base32(), context=_SECRET_CONTEXT)
        db_session.flush()
    secret = keyring.decrypt(user.totp_secret, context=_SECRET_CONTEXT)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, dark="#1a1a1a", light="#ffffff", omitsize=False)
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def confirm_enrolment(
    *, db_session: Session, keyring: Keyring, user: StaffUser, code: str, now: float | None = None
) -> bool:
    """Turn two-factor sign-in on when ``code`` comes from the secret being enrolled."""
    if enrolled(user) or user.totp_secret is None:
        return False
    if not _accept(keyring, user, code, now):
        return False
    user.totp_confirmed_at = utcnow()
    audit.record(
        db_session=db_session,
        event=StaffTwoFactorEnrolled(user=user.id, email=user.email),
        actor=user.email,
    )
    return True


def check_code(*, keyring: Keyring, user: StaffUser, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is the enrolled user's current code and has not been used."""
    return enrolled(user) and _accept(keyring, user, code, now)


def reset(*, db_session: Session, user: StaffUser, actor: str) -> None:
    """Forget the secret (a lost phone): the staff member enrols again at next sign-in."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    audit.record(
        db_session=db_session,
        event=StaffTwoFactorReset(user=user.id, email=user.email),
        actor=actor,
    )


def current_code(secret: str, now: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` (for tests and drills)."""
    return pyotp.TOTP(secret).at(now if now is not None else time.time())


def _accept(keyring: Keyring, user: StaffUser, code: str, now: float | None) -> bool:
    """Checks ``code`` against the steps around ``now``; a match at or before the last
    accepted step is a replay and fails. On success the step is remembered."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6) or user.totp_secret is None:
        return False
    totp = pyotp.TOTP(keyring.decrypt(user.totp_secret, context=_SECRET_CONTEXT))
    now = now if now is not None else time.time()
    step_now = int(now // STEP_SECONDS)
    for step in range(step_now - DRIFT_STEPS, step_now + DRIFT_STEPS + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            user.totp_last_step = step
            return True
    return False
