"""Audit events of the rules domain."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class PersonAssessmentExplained(AuditEvent):
    """A staff member looked up why the law does or does not require notice to one
    person (their residence and exposed elements were shown, not their contact details)."""

    event_type = "assessment.person_explained"
    incident: int
    reference: str
