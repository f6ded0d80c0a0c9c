"""What the public portal may tell, and to whom.

- Anyone with a reference code may learn whether a notice with that code was issued,
  when and by which channel, and nothing personal ("Is this notice genuine?").
- Only the holder of a reference code *and* the matching last name and postcode sees
  the person's own notice ("Was I affected?"). Every other combination gets one generic
  answer, after the same work: the person row is looked up, a contact record decrypted
  and the details compared whether or not the code exists, so neither the response nor
  its timing tells an unknown code from a known one with the wrong details.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, joinedload, selectinload

from breachdesk.db import Database
from breachdesk.desk import claims
from breachdesk.desk.claims import ClaimView
from breachdesk.desk.models import Claim, CodePool
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError
from breachdesk.notices.context import NoticeBatch
from breachdesk.notices.render import RenderedNotice
from breachdesk.notices.templates import template_to_use
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.records import US_AREAS, bits_to_elements, elements_to_bits
from breachdesk.security.crypto import Keyring

PORTAL_SESSION_CONTEXT = "portal.session"
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class Issued:
    """A notice issued under a reference code: the channel and the day, nothing more."""

    channel: str
    sent_on: date


class Query:
    """SQL for the look-ups' hot path, run on the driver's own cursor: SQLAlchemy's
    statement machinery costs several times what these indexed reads do. Written with
    ``:name`` parameters (SQLite's style) and turned into ``%(name)s`` for psycopg."""

    def __init__(self, sql: str) -> None:
        self.sqlite = sql
        self.pyformat = re.sub(r":(\w+)", r"%(\1)s", sql)

    def rows(self, connection: Connection, **params: Any) -> list[tuple[Any, ...]]:
        statement = self.sqlite if connection.dialect.name == "sqlite" else self.pyformat
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(statement, params)
            return cursor.fetchall()
        finally:
            cursor.close()


_ISSUED = Query(
    "SELECT o.channel, o.sent_at FROM outbox_message o "
    "JOIN affected_person p ON p.id = o.person_id "
    "WHERE p.incident_id = :incident AND p.reference = :reference "
    "AND o.state = 'sent' AND o.channel != 'substitute' ORDER BY o.sent_at"
)


def verify_reference(
    *, connection: Connection, incident_id: int, given: str
) -> list[Issued] | None:
    """The notices issued under ``given``, or None when no notice was ever issued under
    it (including text that cannot be a reference code at all)."""
    reference = references.parse(given)
    if reference is None:
        return None
    rows = _ISSUED.rows(connection, incident=incident_id, reference=reference)
    issued = [Issued(channel, _day(sent_at)) for channel, sent_at in rows if sent_at]
    return issued or None


def _day(value: datetime | str) -> date:
    # Raw reads get SQLite's text timestamps as they are stored (UTC).
    return value.date() if isinstance(value, datetime) else date.fromisoformat(value[:10])


def fold_name(text: str) -> str:
    """A last name as compared: case, accents, spaces, hyphens and apostrophes ignored, so
    "O'Brien-García" matches "obrien garcia"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed.casefold() if char.isalnum())


def fold_postcode(text: str, *, us: bool) -> str:
    """A postcode as compared: spaces and dashes ignored; a US ZIP by its first five digits,
    so "78701-1234" matches "78701"."""
    folded = "".join(char for char in text.upper() if char.isalnum())
    return folded[:5] if us else folded


@dataclass(frozen=True)
class Found:
    """A person a look-up matched: what their page needs, and nothing else."""

    person_id: int
    incident_id: int
    reference: str
    contact: Contact
    jurisdiction: str | None
    language: str
    elements: int | None  # bits over DataElement; None: the incident's facts apply


_PERSON = Query(
    "SELECT id, contact, jurisdiction, language, elements FROM affected_person "
    "WHERE incident_id = :incident AND reference = :reference"
)
_PERSON_BY_ID = Query(
    "SELECT id, contact, jurisdiction, language, elements, reference FROM affected_person "
    "WHERE incident_id = :incident AND id = :id"
)


class LookupResolver:
    """Finds a person by reference code and checks their details, in constant time.

    The decoy is a real ciphertext, made once, that the failure path decrypts in place of
    a person's record, so an unknown code costs what a known one does.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._decoy = keyring.encrypt(
            Contact(last_name="\x00", postcode="\x00").encode(), context=CONTEXT
        )

    def find(
        self, *, connection: Connection, incident_id: int, reference: str, last_name: str,
        postcode: str,
    ) -> Found | None:  # fmt: skip
        code = references.parse(reference) or ""
        found = _PERSON.rows(connection, incident=incident_id, reference=code)
        row = found[0] if found else None
        record = row[1] if row is not None else self._decoy
        contact = Contact.decode(self._keyring.decrypt(record, context=CONTEXT))
        us = contact.country is None or contact.country in US_AREAS
        given = f"{fold_name(last_name)}\x1f{fold_postcode(postcode, us=us)}"
        stored = f"{fold_name(contact.last_name or '')}\x1f"
        stored += fold_postcode(contact.postcode or "", us=us)
        # Both sides hashed to equal length first, so the comparison time does not
        # depend on where the strings differ or how long they are.
        matches = hmac.compare_digest(
            self._keyring.blind_index(given, context=PORTAL_SESSION_CONTEXT),
            self._keyring.blind_index(stored, context=PORTAL_SESSION_CONTEXT),
        )
        if row is None or not matches or not (contact.last_name and contact.postcode):
            return None
        person_id, _contact, jurisdiction, language, elements = row
        return Found(person_id, incident_id, code, contact, jurisdiction, language, elements)

    def by_id(self, *, connection: Connection, incident_id: int, person_id: int) -> Found | None:
        """The person a portal session names."""
        found = _PERSON_BY_ID.rows(connection, incident=incident_id, id=person_id)
        if not found:
            return None
        _id, record, jurisdiction, language, elements, reference = found[0]
        contact = Contact.decode(self._keyring.decrypt(record, context=CONTEXT))
        return Found(person_id, incident_id, reference, contact, jurisdiction, language, elements)


@dataclass
class Snapshot:
    """The incident as the portal shows it, loaded once and shared by every request of a
    web process for SNAPSHOT_SECONDS: a change of facts or templates shows within that."""

    incident: Incident  # detached, with its organisation and revisions loaded
    facts_bits: int
    revisions: list[dict[str, Any]]
    batches: dict[str, NoticeBatch | None]  # by language; None: no approved template yet
    loaded_at: float
    today: date


SNAPSHOT_SECONDS = 30.0


class Snapshots:
    """The current snapshot of each incident, refreshed when it is older than
    SNAPSHOT_SECONDS or the day has changed (notices are dated)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._snapshots: dict[int, Snapshot] = {}
        self._lock = threading.Lock()

    def get(self, incident_id: int) -> Snapshot | None:
        now, today = time.monotonic(), datetime.now(UTC).date()
        current = self._snapshots.get(incident_id)
        if current and now - current.loaded_at < SNAPSHOT_SECONDS and current.today == today:
            return current
        with self._lock:
            current = self._snapshots.get(incident_id)
            if current and now - current.loaded_at < SNAPSHOT_SECONDS and current.today == today:
                return current
            with self._database.session() as db_session:
                loaded = _load_snapshot(db_session, incident_id, now, today)
            if loaded is not None:
                self._snapshots[incident_id] = loaded
            return loaded


def _load_snapshot(
    db_session: Session, incident_id: int, now: float, today: date
) -> Snapshot | None:
    incident = db_session.get(
        Incident,
        incident_id,
        options=[selectinload(Incident.revisions), joinedload(Incident.organisation)],
    )
    if incident is None:
        return None
    batches: dict[str, NoticeBatch | None] = {}
    for language in LANGUAGES:
        try:
            template, version = template_to_use(
                db_session=db_session,
                organisation=incident.organisation,
                kind="initial",
                language=language,
            )
        except InputError:  # saved, but no version approved yet
            version = None
        batches[language] = (
            NoticeBatch(
                template=template, organisation=incident.organisation, incident=incident,
                today=today,
            )
            if version is not None  # never the shipped default: it was not approved
            else None
        )  # fmt: skip
    db_session.expunge_all()
    return Snapshot(
        incident=incident,
        facts_bits=elements_to_bits(incident.current_revision.element_names),
        revisions=published_revisions(incident),
        batches=batches,
        loaded_at=now,
        today=today,
    )


@dataclass(frozen=True)
class PersonalNotice:
    """What the person's own page shows."""

    reference: str
    first_name: str | None
    elements: list[str]
    language: str
    notice: RenderedNotice | None  # None until a notice template is approved
    issued: list[Issued]


def personal_notice(*, connection: Connection, snapshot: Snapshot, found: Found) -> PersonalNotice:
    language = (found.language or "en")[:2]
    language = language if language in LANGUAGES else "en"
    elements = bits_to_elements(snapshot.facts_bits if found.elements is None else found.elements)
    person = {
        "first_name": found.contact.first_name,
        "last_name": found.contact.last_name,
        "reference": references.display(found.reference),
        "jurisdiction": found.jurisdiction,
        "elements": elements,
    }
    batch = snapshot.batches[language]
    issued = verify_reference(
        connection=connection, incident_id=found.incident_id, given=found.reference
    )
    return PersonalNotice(
        reference=person["reference"],
        first_name=found.contact.first_name,
        elements=elements,
        language=language,
        notice=batch.render(person) if batch is not None else None,
        issued=issued or [],
    )


def published_revisions(incident: Incident) -> list[dict[str, Any]]:
    """Every fact revision made public, oldest first, with the day it was published."""
    return [
        {
            "number": revision.number,
            "published_on": revision.disclosed_at.date(),
            "description": revision.public_description.strip(),
            "elements": revision.element_names,
            "people_affected": revision.people_affected,
            "expands": revision.expands_revision,
        }
        for revision in incident.revisions
        if revision.disclosed_at is not None
    ]


def session_token(keyring: Keyring, *, incident_id: int, person_id: int, expires: datetime) -> str:
    """A portal visitor's proof, for a while, that they passed the look-up."""
    body = f"{incident_id}.{person_id}.{int(expires.timestamp())}"
    return f"{body}.{keyring.blind_index(body, context=PORTAL_SESSION_CONTEXT)}"


def session_person(keyring: Keyring, token: str, *, now: datetime) -> tuple[int, int] | None:
    """(incident id, person id) of a valid, unexpired token, else None."""
    parts = token.split(".")
    if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]):
        return None
    body = ".".join(parts[:3])
    expected = keyring.blind_index(body, context=PORTAL_SESSION_CONTEXT)
    if not hmac.compare_digest(expected, parts[3]) or int(parts[2]) < now.timestamp():
        return None
    return int(parts[0]), int(parts[1])


def offers_codes(*, db_session: Session, incident_id: int) -> bool:
    """Whether the incident offers credit monitoring (it has a pool of codes)."""
    return (
        db_session.execute(
            select(CodePool.id).where(CodePool.incident_id == incident_id).limit(1)
        ).first()
        is not None
    )


def claims_of(*, db_session: Session, keyring: Keyring, person_id: int) -> list[ClaimView]:
    """The person's own claims, oldest first, as their status page shows them."""
    numbers = db_session.execute(
        select(Claim.number).where(Claim.person_id == person_id).order_by(Claim.id)
    ).scalars()
    views = (
        claims.claim_status(
            db_session=db_session, keyring=keyring, number=number, person_id=person_id
        )
        for number in numbers
    )
    return [view for view in views if view is not None]
