"""Audit events of the people domain. Payloads name files, counts and reference codes,
never a person's name or contact details."""

from __future__ import annotations

import dataclasses
from typing import Any

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeopleImportStarted(AuditEvent):
    """An import of an affected-people file began (or resumed after an interruption).

    ``mapping`` is the column mapping used, as {source column: field}.
    """

    event_type = "people.import_started"
    incident: int
    import_id: int
    file_name: str
    file_sha256: str
    file_format: str
    mapping: dict[str, Any]
    resumed_at_row: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeopleImported(AuditEvent):
    """An import finished; the counts reconcile: rows read = people created + rows
    merged into existing people + rows quarantined."""

    event_type = "people.imported"
    incident: int
    import_id: int
    rows_read: int
    people_created: int
    rows_merged: int
    rows_quarantined: int
    near_duplicates: int
    values_dropped: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeopleViewed(AuditEvent):
    """A staff member decrypted and viewed affected people's contact details.

    ``references`` lists the reference codes shown (at most the first 1,000).
    """

    event_type = "people.viewed"
    incident: int
    references: list[str]
    count: int
