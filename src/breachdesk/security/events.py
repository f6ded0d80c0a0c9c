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
