"""Organisations, incidents and fact revisions.

A fact revision is the one statement of what was lost, for whom and when; every
notice is rendered from a numbered revision. Revisions are never edited: new facts
make a new revision. Only the disclosure marks and the scope-expansion flag of a
revision change after it is written, and only through the service functions.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from breachdesk.db import Base, UTCDateTime, utcnow, value_enum


class DataElement(enum.StrEnum):
    """The vocabulary of exposed data; rules, people and notices all speak it."""

    NAME = "name"
    ADDRESS = "address"
    EMAIL = "email"
    PHONE = "phone"
    DATE_OF_BIRTH = "date_of_birth"
    SSN = "ssn"
    DRIVERS_LICENSE = "drivers_license"
    STATE_ID = "state_id"
    PASSPORT = "passport"
    TAX_ID = "tax_id"
    FINANCIAL_ACCOUNT = "financial_account"
    PAYMENT_CARD = "payment_card"
    CARD_SECURITY_CODE = "card_security_code"
    PIN = "pin"
    ACCOUNT_CREDENTIALS = "account_credentials"
    MEDICAL = "medical"
    HEALTH_INSURANCE = "health_insurance"
    BIOMETRIC = "biometric"
    GENETIC = "genetic"
    PRECISE_GEOLOCATION = "precise_geolocation"
    OTHER = "other"


class Protection(enum.StrEnum):
    """How an element was held when it was taken, weakest first."""

    CLEAR = "clear"
    HASHED = "hashed"
    ENCRYPTED = "encrypted"


class IncidentStatus(enum.StrEnum):
    INVESTIGATING = "investigating"
    NOTIFYING = "notifying"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Disclosure(enum.StrEnum):
    """How a fact revision first reached the public."""

    NOTICE = "notice"
    PUBLIC_STATEMENT = "public_statement"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    legal_name: Mapped[str] = mapped_column(String(300), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    owned_domains: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    sending_domains: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    # [{"name": ..., "email": ..., "purpose": ...}]; every email on a sending domain.
    sender_identities: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)
    support_phone: Mapped[str] = mapped_column(String(40), nullable=False)
    support_email: Mapped[str | None] = mapped_column(String(320))
    support_postal_address: Mapped[str] = mapped_column(Text, nullable=False)
    signatory_name: Mapped[str] = mapped_column(String(200), nullable=False)
    signatory_title: Mapped[str] = mapped_column(String(200), nullable=False)
    hipaa_covered_entity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hipaa_business_associate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    glba_financial_institution: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sec_registrant: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    established_in: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    incidents: Mapped[list[Incident]] = relationship(back_populates="organisation")


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[IncidentStatus] = mapped_column(
        value_enum(IncidentStatus, "incident_status"), nullable=False
    )
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    determined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    law_enforcement_delay_requested_by: Mapped[str | None] = mapped_column(String(300))
    law_enforcement_delay_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="incidents")
    revisions: Mapped[list[FactRevision]] = relationship(
        back_populates="incident", order_by="FactRevision.number"
    )

    @property
    def current_revision(self) -> FactRevision:
        return self.revisions[-1]

    @property
    def occurred_from(self) -> datetime | None:
        return self.current_revision.occurred_from

    @property
    def occurred_to(self) -> datetime | None:
        return self.current_revision.occurred_to


class FactRevision(Base):
    __tablename__ = "fact_revision"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{"element": "ssn", "protection": "encrypted", "key_compromised": false}]
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    people_affected: Mapped[int] = mapped_column(Integer, nullable=False)
    occurred_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurred_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"at": ISO 8601, "what": "..."}], oldest first
    timeline: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)
    public_description: Mapped[str] = mapped_column(Text, nullable=False)
    internal_description: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)
    disclosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disclosed_by: Mapped[str | None] = mapped_column(String(320))
    disclosure: Mapped[Disclosure | None] = mapped_column(value_enum(Disclosure, "disclosure"))
    # Set when this revision widens the scope of an earlier, disclosed one.
    expands_revision: Mapped[int | None] = mapped_column(Integer)

    incident: Mapped[Incident] = relationship(back_populates="revisions")

    @property
    def element_names(self) -> list[str]:
        return [item["element"] for item in self.elements]


# The columns a revision may still change; everything else is the record of the facts.
_REVISION_MUTABLE = {"disclosed_at", "disclosed_by", "disclosure", "expands_revision"}


@event.listens_for(FactRevision, "before_update")
def _refuse_fact_edits(_mapper: Any, _connection: Any, revision: FactRevision) -> None:
    state = inspect(revision)
    changed = (
        {attr.key for attr in state.attrs if attr.history.has_changes()}
        - _REVISION_MUTABLE
        - {"incident"}
    )
    if changed:
        raise ValueError(
            f"fact revision {revision.number} is immutable ({', '.join(sorted(changed))} "
            "changed): record new facts as a new revision"
        )
