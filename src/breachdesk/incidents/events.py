"""Audit events of the incidents domain."""

from __future__ import annotations

import dataclasses
from typing import Any

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrganisationCreated(AuditEvent):
    """An organisation was set up with its domains, sender identities and signatory."""

    event_type = "organisation.created"
    organisation: int
    slug: str
    sending_domains: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentCreated(AuditEvent):
    """An incident was opened, with its dates and its first fact revision."""

    event_type = "incident.created"
    incident: int
    organisation: int
    title: str
    discovered_at: str
    determined_at: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class FactsRevised(AuditEvent):
    """A new numbered revision of an incident's facts was recorded, and why.

    ``elements`` lists the exposed data elements of the new revision.
    """

    event_type = "incident.facts_revised"
    incident: int
    revision: int
    reason: str
    elements: list[str]
    people_affected: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScopeExpanded(AuditEvent):
    """A revision widened the scope of a revision that had already been disclosed.

    People told the earlier facts hold an incomplete notice. ``diff`` says what
    widened: added or weakened elements, a wider window, a higher count.
    """

    event_type = "incident.scope_expanded"
    incident: int
    revision: int
    disclosed_revision: int
    diff: dict[str, Any]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevisionDisclosed(AuditEvent):
    """A fact revision reached the public, by the first notice sent from it or a statement."""

    event_type = "incident.revision_disclosed"
    incident: int
    revision: int
    disclosure: str
