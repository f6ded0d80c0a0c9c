"""Audit events of the security domain."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffUserAdded(AuditEvent):
    """A staff account was created with a role. The password is never recorded."""

    event_type = "staff.user_added"
    user: int
    email: str
    role: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffPasswordChanged(AuditEvent):
    """A staff account's password was set anew. The password is never recorded."""

    event_type = "staff.password_changed"
    user: int
    email: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DataKeysRotated(AuditEvent):
    """Encrypted personal data was re-encrypted under the active data key.

    ``values`` counts the re-encrypted values per ``table.column``; key ids are
    fingerprints, never the keys themselves.
    """

    event_type = "keys.rotated"
    active_key: str
    retired_keys: list[str]
    values: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiTokenCreated(AuditEvent):
    """An API token was made for a staff account; it acts with that account's role. Only
    its first characters (``prefix``) are recorded, never the token."""

    event_type = "staff.api_token_created"
    token: int
    user: int
    email: str
    prefix: str
    label: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiTokenRevoked(AuditEvent):
    """An API token was revoked; calls with it are refused from now on."""

    event_type = "staff.api_token_revoked"
    token: int
    user: int
    prefix: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffSignedIn(AuditEvent):
    """A staff member signed in to a browser session."""

    event_type = "staff.signed_in"
    user: int
    email: str
    session: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffSignedOut(AuditEvent):
    """A staff member's browser session was ended."""

    event_type = "staff.signed_out"
    user: int
    session: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffSignInFailed(AuditEvent):
    """A wrong password or two-factor code was given for a staff account (``factor`` is
    ``password`` or ``code``); ``failures`` counts them in a row. Neither is recorded.
    Attempts on emails with no account are not recorded: they would name no one."""

    event_type = "staff.sign_in_failed"
    user: int
    email: str
    factor: str
    failures: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffLockedOut(AuditEvent):
    """Too many failed sign-ins in a row: the account refuses sign-in until ``until``."""

    event_type = "staff.locked_out"
    user: int
    email: str
    until: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffUnlocked(AuditEvent):
    """An administrator lifted a staff account's lock-out (``breachdesk user unlock``)."""

    event_type = "staff.unlocked"
    user: int
    email: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffTwoFactorEnrolled(AuditEvent):
    """A staff member turned on two-factor sign-in by confirming a code from their
    authenticator app. The secret is never recorded."""

    event_type = "staff.two_factor_enrolled"
    user: int
    email: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffTwoFactorReset(AuditEvent):
    """A staff account's two-factor secret was forgotten (``breachdesk user reset-2fa``,
    for a lost phone); they enrol again at their next sign-in."""

    event_type = "staff.two_factor_reset"
    user: int
    email: str
