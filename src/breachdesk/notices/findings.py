"""What the linter reports, and what a notice is checked against."""

from __future__ import annotations

from dataclasses import dataclass

from breachdesk.incidents.models import DataElement
from breachdesk.rules.schema import Jurisdiction

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    location: str
    hint: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class LintContext:
    """What the notice is checked against; every part is optional."""

    owned_domains: tuple[str, ...] = ()
    jurisdictions: tuple[Jurisdiction, ...] = ()
    # The incident's (or the person's) exposed elements, when known.
    facts_elements: frozenset[DataElement] | None = None
    signatory: str | None = None
    language: str = "en"
