"""Factories for the records tests need, with personas rather than anonymous rows.

The organisation is Acme Health Supply; its staff personas are Lena (lead), Lou
(legal approver), Cam (comms approver), Ada (agent) and Otto (auditor).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from breachdesk.incidents import service as incidents
from breachdesk.incidents.models import Disclosure, FactRevision, Incident, Organisation
from breachdesk.incidents.schemas import FactsIn, IncidentCreate, OrganisationCreate
from breachdesk.security import service as security
from breachdesk.security.models import Role, StaffUser
from breachdesk.security.schemas import StaffUserCreate

ACTOR = "test:lena@acme-health.example"
PASSWORD = "correct horse battery staple"

PERSONAS = {
    "lena": Role.LEAD,
    "lou": Role.LEGAL_APPROVER,
    "cam": Role.COMMS_APPROVER,
    "ada": Role.AGENT,
    "otto": Role.AUDITOR,
    "root": Role.ADMIN,
}

ORGANISATION = {
    "slug": "acme",
    "legal_name": "Acme Health Supply, LLC",
    "display_name": "Acme Health Supply",
    "domains": {"owned": ["acme-health.example"], "sending": ["mail.acme-health.example"]},
    "senders": [{"name": "Acme Health Supply", "email": "notice@mail.acme-health.example"}],
    "support": {
        "phone": "+1 800 555 0199",
        "email": "privacy@acme-health.example",
        "postal_address": "Acme Health Supply\n1 Main St\nAustin, TX 78701",
    },
    "signatory": {"name": "Rosa Diaz", "title": "Chief Executive Officer"},
    "sectors": {"hipaa_business_associate": True},
    "established_in": ["US"],
}

FACTS = {
    "elements": [
        "name",
        {"element": "ssn", "protection": "encrypted"},
        {"element": "medical", "protection": "hashed"},
    ],
    "people_affected": 1000,
    "occurred_from": "2026-09-01",
    "occurred_to": "2026-09-10",
    "timeline": [{"at": "2026-09-12T09:00:00Z", "what": "Alert from monitoring"}],
    "public_description": "Someone copied part of our customer database.",
    "internal_description": "Exposed backup bucket.",
}

INCIDENT = {
    "organisation": "acme",
    "title": "Customer database copied",
    "discovered_at": "2026-09-12T09:00:00Z",
    "determined_at": "2026-09-15",
    "facts": FACTS,
}


def merged(base: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data.update(overrides)
    return data


def facts(**overrides: Any) -> dict[str, Any]:
    return merged(FACTS, **overrides)


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def make_organisation(db_session: Session, **overrides: Any) -> Organisation:
    return incidents.create_organisation(
        db_session=db_session,
        organisation_in=OrganisationCreate.model_validate(merged(ORGANISATION, **overrides)),
        actor=ACTOR,
    )


def make_incident(db_session: Session, **overrides: Any) -> Incident:
    if incidents.get_organisation(db_session=db_session, slug="acme") is None:
        make_organisation(db_session)
    return incidents.create_incident(
        db_session=db_session,
        incident_in=IncidentCreate.model_validate(merged(INCIDENT, **overrides)),
        actor=ACTOR,
    )


def revise(db_session: Session, incident: Incident, **overrides: Any) -> FactRevision:
    return incidents.revise_facts(
        db_session=db_session,
        incident=incident,
        facts_in=FactsIn.model_validate(facts(**overrides)),
        reason="new findings",
        actor=ACTOR,
    )


def disclose(db_session: Session, incident: Incident, number: int | None = None) -> FactRevision:
    return incidents.disclose(
        db_session=db_session,
        incident=incident,
        disclosure=Disclosure.NOTICE,
        actor=ACTOR,
        number=number,
    )


def make_staff(db_session: Session, persona: str) -> StaffUser:
    return security.create_user(
        db_session=db_session,
        user_in=StaffUserCreate(
            email=f"{persona}@acme-health.example", role=PERSONAS[persona], password=PASSWORD
        ),
        actor=ACTOR,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
