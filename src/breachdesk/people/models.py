"""Affected people, the imports that brought them in, and what each import set aside.

breachdesk keeps the least personal data that lets it notify people: contact details
are encrypted at rest as one record per person, equality look-ups go through keyed
blind indexes, and the stolen values themselves (SSNs, card numbers) are never
stored, only which kinds of data were exposed for whom.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.db import Base, UTCDateTime, utcnow, value_enum

BLIND_INDEX_LENGTH = 32  # hex characters: 128 bits of HMAC-SHA256


class JurisdictionSource(enum.StrEnum):
    """How a person's residence jurisdiction was determined."""

    STATED = "stated"
    ADDRESS = "address"
    POSTCODE = "postcode"
    UNKNOWN = "unknown"


class ImportStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"


class IssueAction(enum.StrEnum):
    """What an import did about a problem in a row."""

    QUARANTINED = "quarantined"  # the row was set aside and counted
    VALUE_DROPPED = "value_dropped"  # one value was unusable; the row was kept without it
    FLAGGED = "flagged"  # kept as given, but someone should look (a state/ZIP conflict)


class PersonImport(Base):
    """One file imported into one incident; re-importing the same bytes is a no-op."""

    __tablename__ = "person_import"
    __table_args__ = (UniqueConstraint("incident_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    file_name: Mapped[str] = mapped_column(String(500), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    file_format: Mapped[str] = mapped_column(String(16), nullable=False)
    # the column mapping used, as {source column: target}
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[ImportStatus] = mapped_column(
        value_enum(ImportStatus, "import_status"), nullable=False
    )
    # The highest source row committed: an interrupted import resumes after it.
    rows_through: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    people_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_merged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    near_duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    values_dropped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(320), nullable=False)

    COUNTS = (
        "rows_read",
        "people_created",
        "rows_merged",
        "rows_quarantined",
        "near_duplicates",
        "values_dropped",
    )

    def counts(self) -> dict[str, int]:
        """The import's tallies, as its summary and its audit event report them."""
        return {name: getattr(self, name) for name in self.COUNTS}


class AffectedPerson(Base):
    __tablename__ = "affected_person"
    __table_args__ = (
        UniqueConstraint("incident_id", "reference"),
        Index("ix_affected_person_external_id", "incident_id", "external_id"),
        Index("ix_affected_person_email_index", "incident_id", "email_index"),
        Index("ix_affected_person_identity_index", "incident_id", "identity_index"),
        Index("ix_affected_person_address_index", "incident_id", "address_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), nullable=False
    )
    # Printed on the person's notice; with last name and postcode it opens their page.
    reference: Mapped[str] = mapped_column(String(16), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(120))
    # Names, emails, phones and postal address, encrypted as one record (see contact.py).
    contact: Mapped[str] = mapped_column(Text, nullable=False, info={"encrypted": True})
    jurisdiction: Mapped[str | None] = mapped_column(String(8))
    jurisdiction_source: Mapped[JurisdictionSource] = mapped_column(
        value_enum(JurisdictionSource, "jurisdiction_source"), nullable=False
    )
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    # Exposed data elements as a bit set over DataElement; null means the incident's
    # current facts apply to this person.
    elements: Mapped[int | None] = mapped_column(Integer)
    minor: Mapped[bool] = mapped_column(Boolean, nullable=False)
    deceased: Mapped[bool] = mapped_column(Boolean, nullable=False)
    no_contact: Mapped[bool] = mapped_column(Boolean, nullable=False)
    has_email: Mapped[bool] = mapped_column(Boolean, nullable=False)
    has_phone: Mapped[bool] = mapped_column(Boolean, nullable=False)
    has_postal: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # Blind indexes. Every index below costs import speed; name_postcode_index needs no
    # B-tree because the portal finds a person by reference code, then compares it.
    email_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH))
    name_postcode_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH))
    identity_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH))
    address_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH))
    import_id: Mapped[int] = mapped_column(
        ForeignKey("person_import.id", ondelete="RESTRICT"), nullable=False
    )
    source_row: Mapped[int] = mapped_column(Integer, nullable=False)


class PersonMerge(Base):
    """A row recognised as a person already on the list, and merged into them."""

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("person_import.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    source_row: Mapped[int] = mapped_column(Integer, nullable=False)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # which keys matched: "email", "external id,email", "same person in file"…
    matched_on: Mapped[str] = mapped_column(String(80), nullable=False)


class NearDuplicate(Base):
    """Two people who may be one (same address, similar name): for a person to decide."""

    __tablename__ = "near_duplicate"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("person_import.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), nullable=False
    )
    other_person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_person.id", ondelete="RESTRICT"), nullable=False
    )
    reason: Mapped[str] = mapped_column(String(200), nullable=False)


class ImportIssue(Base):
    """A problem an import found in a row, and what it did about it."""

    __tablename__ = "import_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("person_import.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    source_row: Mapped[int] = mapped_column(Integer, nullable=False)
    source_column: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[IssueAction] = mapped_column(
        value_enum(IssueAction, "issue_action"), nullable=False
    )
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    # The offending value, encrypted (it may be personal data); null when sensitive.
    value: Mapped[str | None] = mapped_column(Text, info={"encrypted": True})
