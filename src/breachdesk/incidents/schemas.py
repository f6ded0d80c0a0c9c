"""The shapes of organisation, incident and facts files, with the checks they must pass.

Dates may be written as ``2026-11-02`` (taken as 00:00 UTC) or as ISO 8601 date-times;
a date-time without a zone is taken as UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from breachdesk.db import utcnow
from breachdesk.incidents.models import DataElement, IncidentStatus, Protection
from breachdesk.inputs import to_utc

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@([^@\s]+)$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")


UTCTime = Annotated[datetime, BeforeValidator(to_utc)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_future(value: datetime | None, field: str) -> None:
    if value is not None and value > utcnow():
        raise ValueError(f"{field} ({value.isoformat()}) is in the future")


def _domain_of(email: str, field: str) -> str:
    match = EMAIL_PATTERN.match(email)
    if not match:
        raise ValueError(f"{field} {email!r} is not an email address")
    return match.group(1).lower()


def _on_domains(domain: str, domains: list[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


class Domains(Strict):
    owned: list[str] = Field(min_length=1)
    sending: list[str] = Field(min_length=1)

    @field_validator("owned", "sending")
    @classmethod
    def _valid_domains(cls, values: list[str]) -> list[str]:
        cleaned = [value.strip().lower().rstrip(".") for value in values]
        for value in cleaned:
            if not DOMAIN_PATTERN.match(value):
                raise ValueError(f"{value!r} is not a domain name like example.com")
        return cleaned

    @model_validator(mode="after")
    def _sending_is_owned(self) -> Domains:
        for domain in self.sending:
            if not _on_domains(domain, self.owned):
                raise ValueError(
                    f"sending domain {domain} is not one of the owned domains: notices must "
                    "come from the organisation's own domains, never a vendor's"
                )
        return self


class SenderIdentity(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str
    purpose: str = Field(default="notices", min_length=1, max_length=80)


class Support(Strict):
    phone: str = Field(min_length=3, max_length=40)
    email: str | None = None
    postal_address: str = Field(min_length=1)


class Signatory(Strict):
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200)


class Sectors(Strict):
    hipaa_covered_entity: bool = False
    hipaa_business_associate: bool = False
    glba_financial_institution: bool = False
    sec_registrant: bool = False


class OrganisationCreate(Strict):
    slug: str
    legal_name: str = Field(min_length=1, max_length=300)
    display_name: str = Field(min_length=1, max_length=200)
    domains: Domains
    senders: list[SenderIdentity] = Field(min_length=1)
    support: Support
    signatory: Signatory
    sectors: Sectors = Sectors()
    established_in: list[str] = Field(min_length=1)

    @field_validator("slug")
    @classmethod
    def _valid_slug(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError("must be lowercase letters, digits and hyphens, like northwind")
        return value

    @field_validator("established_in")
    @classmethod
    def _country_codes(cls, values: list[str]) -> list[str]:
        for value in values:
            if not COUNTRY_PATTERN.match(value):
                raise ValueError(f"{value!r} is not an ISO 3166 two-letter country code like US")
        return values

    @model_validator(mode="after")
    def _senders_on_sending_domains(self) -> OrganisationCreate:
        for sender in self.senders:
            domain = _domain_of(sender.email, "sender email")
            if not _on_domains(domain, self.domains.sending):
                raise ValueError(
                    f"sender {sender.email} is not on a sending domain "
                    f"({', '.join(self.domains.sending)})"
                )
        if self.support.email:
            domain = _domain_of(self.support.email, "support email")
            if not _on_domains(domain, self.domains.owned):
                raise ValueError(f"support email {self.support.email} is not on an owned domain")
        return self


class ElementExposure(Strict):
    element: DataElement
    protection: Protection = Protection.CLEAR
    key_compromised: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # "- ssn" is short for an element taken in clear.
        return {"element": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _key_only_for_protected(self) -> ElementExposure:
        if self.key_compromised and self.protection == Protection.CLEAR:
            raise ValueError("key_compromised only applies to encrypted or hashed elements")
        return self

    @property
    def effective_protection(self) -> Protection:
        """Encryption or keyed hashing whose key was also taken protects nothing."""
        return Protection.CLEAR if self.key_compromised else self.protection


class TimelineEntry(Strict):
    at: UTCTime
    what: str = Field(min_length=1)


class FactsIn(Strict):
    """One revision of the facts, as written in a facts file."""

    elements: list[ElementExposure] = Field(min_length=1)
    people_affected: int = Field(ge=0)
    occurred_from: UTCTime | None = None
    occurred_to: UTCTime | None = None
    timeline: list[TimelineEntry] = []
    public_description: str = Field(min_length=1)
    internal_description: str = ""

    @field_validator("elements")
    @classmethod
    def _each_element_once(cls, values: list[ElementExposure]) -> list[ElementExposure]:
        seen: set[DataElement] = set()
        for value in values:
            if value.element in seen:
                raise ValueError(f"element {value.element.value} is listed twice")
            seen.add(value.element)
        return values

    @model_validator(mode="after")
    def _window_in_order(self) -> FactsIn:
        if self.occurred_from and self.occurred_to and self.occurred_from > self.occurred_to:
            raise ValueError("occurred_from is after occurred_to")
        _not_future(self.occurred_from, "occurred_from")
        self.timeline.sort(key=lambda entry: entry.at)
        return self

    def stored_elements(self) -> list[dict[str, Any]]:
        return [
            {
                "element": item.element.value,
                "protection": item.protection.value,
                "key_compromised": item.key_compromised,
            }
            for item in self.elements
        ]


class LawEnforcementDelay(Strict):
    requested_by: str = Field(min_length=1, max_length=300)
    until: UTCTime


class IncidentCreate(Strict):
    organisation: str
    title: str = Field(min_length=1, max_length=300)
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    discovered_at: UTCTime
    determined_at: UTCTime | None = None
    contained_at: UTCTime | None = None
    law_enforcement_delay: LawEnforcementDelay | None = None
    facts: FactsIn
    reason: str = Field(default="Initial facts", min_length=1)

    @model_validator(mode="after")
    def _dates_in_order(self) -> IncidentCreate:
        _not_future(self.discovered_at, "discovered_at")
        _not_future(self.determined_at, "determined_at")
        _not_future(self.contained_at, "contained_at")
        if self.determined_at and self.determined_at < self.discovered_at:
            raise ValueError("determined_at is before discovered_at")
        delay = self.law_enforcement_delay
        if delay and delay.until < self.discovered_at:
            raise ValueError("law_enforcement_delay.until is before discovered_at")
        check_window_against_discovery(self.facts, self.discovered_at)
        return self


def check_window_against_discovery(facts: FactsIn, discovered_at: datetime) -> None:
    if facts.occurred_from and facts.occurred_from > discovered_at:
        raise ValueError("occurred_from is after discovered_at: a breach starts before it is found")


# What the CLI's --json and, later, the web API show.


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def revision_read(revision: Any) -> dict[str, Any]:
    return {
        "number": revision.number,
        "created_at": _iso(revision.created_at),
        "created_by": revision.created_by,
        "reason": revision.reason,
        "elements": revision.elements,
        "people_affected": revision.people_affected,
        "occurred_from": _iso(revision.occurred_from),
        "occurred_to": _iso(revision.occurred_to),
        "timeline": revision.timeline,
        "public_description": revision.public_description,
        "internal_description": revision.internal_description,
        "disclosed_at": _iso(revision.disclosed_at),
        "disclosure": revision.disclosure.value if revision.disclosure else None,
        "expands_revision": revision.expands_revision,
    }


def incident_summary(incident: Any) -> dict[str, Any]:
    current = incident.current_revision
    return {
        "id": incident.id,
        "title": incident.title,
        "organisation": incident.organisation.slug,
        "status": incident.status.value,
        "discovered_at": _iso(incident.discovered_at),
        "current_revision": current.number,
        "people_affected": current.people_affected,
        "scope_expansion": current.expands_revision is not None,
    }


def incident_detail(incident: Any) -> dict[str, Any]:
    return {
        **incident_summary(incident),
        "organisation_name": incident.organisation.display_name,
        "determined_at": _iso(incident.determined_at),
        "contained_at": _iso(incident.contained_at),
        "occurred_from": _iso(incident.occurred_from),
        "occurred_to": _iso(incident.occurred_to),
        "law_enforcement_delay": (
            {
                "requested_by": incident.law_enforcement_delay_requested_by,
                "until": _iso(incident.law_enforcement_delay_until),
            }
            if incident.law_enforcement_delay_requested_by
            else None
        ),
        "revisions": [revision_read(revision) for revision in incident.revisions],
    }


def organisation_read(organisation: Any) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "slug": organisation.slug,
        "legal_name": organisation.legal_name,
        "display_name": organisation.display_name,
        "owned_domains": organisation.owned_domains,
        "sending_domains": organisation.sending_domains,
        "senders": organisation.sender_identities,
        "established_in": organisation.established_in,
    }
