"""The facts an assessment starts from: a stored incident, or a what-if file for counsel."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, field_validator

from breachdesk.incidents.models import Incident
from breachdesk.incidents.schemas import ElementExposure, Strict, UTCTime
from breachdesk.rules.engine import Exposure, Facts
from breachdesk.rules.schema import SECTORS


def _exposures(items: Iterable[ElementExposure]) -> tuple[Exposure, ...]:
    return tuple(Exposure(item.element, item.protection, item.key_compromised) for item in items)


class WhatIfFacts(Strict):
    """A what-if file: enough about a breach to assess it without a database."""

    discovered_at: UTCTime
    determined_at: UTCTime | None = None
    law_enforcement_delay_until: UTCTime | None = None
    elements: list[ElementExposure] = Field(min_length=1)
    sectors: list[str] = Field(default_factory=list)
    established_in: list[str] = Field(default_factory=lambda: ["US"])
    no_harm_determinations: list[str] = Field(default_factory=list)

    @field_validator("sectors")
    @classmethod
    def _known_sectors(cls, values: list[str]) -> list[str]:
        unknown = sorted(set(values) - set(SECTORS))
        if unknown:
            raise ValueError(f"unknown sectors {unknown}; known: {', '.join(SECTORS)}")
        return values

    @field_validator("established_in", "no_harm_determinations")
    @classmethod
    def _upper(cls, values: list[str]) -> list[str]:
        return [value.upper() for value in values]

    def to_facts(self) -> Facts:
        return Facts(
            discovered_at=self.discovered_at,
            exposures=_exposures(self.elements),
            determined_at=self.determined_at,
            law_enforcement_delay_until=self.law_enforcement_delay_until,
            sectors=frozenset(self.sectors),
            established_in=frozenset(self.established_in),
            no_harm_determinations=frozenset(self.no_harm_determinations),
        )


def incident_facts(incident: Incident, no_harm_determinations: Iterable[str] = ()) -> Facts:
    """The facts of an incident's current revision, with its organisation's sectors."""
    organisation = incident.organisation
    revision = incident.current_revision
    sectors = [flag for flag in SECTORS if getattr(organisation, flag)]
    exposures = _exposures(ElementExposure.model_validate(item) for item in revision.elements)
    return Facts(
        discovered_at=incident.discovered_at,
        exposures=exposures,
        determined_at=incident.determined_at,
        law_enforcement_delay_until=incident.law_enforcement_delay_until,
        sectors=frozenset(sectors),
        established_in=frozenset(organisation.established_in),
        no_harm_determinations=frozenset(code.upper() for code in no_harm_determinations),
    )
