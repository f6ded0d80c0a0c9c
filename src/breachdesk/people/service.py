"""Looking people up: decrypts their contact record, so every look-up is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.events import PeopleViewed
from breachdesk.people.models import AffectedPerson, ImportIssue, IssueAction, PersonImport
from breachdesk.people.records import bits_to_elements, elements_to_bits
from breachdesk.security.crypto import Keyring

MAX_AUDITED_REFERENCES = 1000


def person_read(person: AffectedPerson, contact: Contact, facts_bits: int) -> dict[str, Any]:
    follows_facts = person.elements is None
    return {
        "reference": references.display(person.reference),
        "external_id": person.external_id,
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "suffix": contact.suffix,
        "email": contact.emails[0] if contact.emails else None,
        "emails": contact.emails,
        "phones": contact.phones,
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "city": contact.city,
        "subdivision": contact.subdivision,
        "postcode": contact.postcode,
        "country": contact.country,
        "jurisdiction": person.jurisdiction,
        "jurisdiction_source": person.jurisdiction_source.value,
        "language": person.language,
        "elements": bits_to_elements(facts_bits if follows_facts else person.elements),
        "elements_from": "incident facts" if follows_facts else "import",
        "minor": person.minor,
        "deceased": person.deceased,
        "no_contact": person.no_contact,
        "import_id": person.import_id,
        "source_row": person.source_row,
    }


def list_people(
    *, db_session: Session, keyring: Keyring, incident_id: int, limit: int, actor: str
) -> list[dict[str, Any]]:
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    people = (
        db_session.execute(
            select(AffectedPerson)
            .where(AffectedPerson.incident_id == incident_id)
            .order_by(AffectedPerson.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return _read_and_audit(db_session, keyring, incident, list(people), actor)


def show_person(
    *,
    db_session: Session,
    keyring: Keyring,
    reference: str,
    actor: str,
    incident_id: int | None = None,
) -> dict[str, Any]:
    person = find_person(db_session=db_session, reference=reference, incident_id=incident_id)
    incident = incidents.get_incident(db_session=db_session, incident_id=person.incident_id)
    return _read_and_audit(db_session, keyring, incident, [person], actor)[0]


def find_person(
    *, db_session: Session, reference: str, incident_id: int | None = None
) -> AffectedPerson:
    """The person with a reference code (as printed, any case, with or without dashes)."""
    code = references.parse(reference)
    if code is None:
        raise InputError(
            f"REF: {reference!r} is not a reference code (12 letters and digits, like "
            f"{references.display('ABCD2345EFGH')})"
        )
    query = select(AffectedPerson).where(AffectedPerson.reference == code)
    if incident_id is not None:
        query = query.where(AffectedPerson.incident_id == incident_id)
    found = db_session.execute(query).scalars().all()
    if not found:
        raise NotFound(f"no affected person has the reference {references.display(code)}")
    if len(found) > 1:
        raise InputError(
            f"REF: {references.display(code)} exists in incidents "
            f"{', '.join(str(p.incident_id) for p in found)}; add --incident ID"
        )
    return found[0]


def _read_and_audit(
    db_session: Session, keyring: Keyring, incident: Any, people: list[AffectedPerson], actor: str
) -> list[dict[str, Any]]:
    facts_bits = elements_to_bits(incident.current_revision.element_names)
    shown = [
        person_read(
            person, Contact.decode(keyring.decrypt(person.contact, context=CONTEXT)), facts_bits
        )
        for person in people
    ]
    if shown:
        audit.record(
            db_session=db_session,
            event=PeopleViewed(
                incident=incident.id,
                references=[item["reference"] for item in shown[:MAX_AUDITED_REFERENCES]],
                count=len(shown),
            ),
            actor=actor,
        )
    return shown


# --- the console's look-ups ----------------------------------------------------------

EMAIL_CONTEXT = "affected_person.email"  # the blind-index context imports write
SEARCH_LIMIT = 50


def email_index(keyring: Keyring, email: str) -> str:
    """The blind index of an email address, as an import stores it for the first one."""
    return keyring.blind_index(email.strip().lower(), context=EMAIL_CONTEXT)


def search_people(
    *, db_session: Session, keyring: Keyring, incident_id: int, query: str, actor: str
) -> list[dict[str, Any]]:
    """The incident's people with this reference code or (first) email address.

    Both are equality look-ups (the reference column, the email's blind index): no
    decrypted data is ever scanned. The people found are decrypted and audited.
    """
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    text = query.strip()
    person = AffectedPerson
    if references.parse(text) is not None:
        condition = person.reference == references.parse(text)
    elif "@" in text:
        condition = person.email_index == email_index(keyring, text)
    else:
        raise InputError(
            "q: type a reference code from the notice (like "
            f"{references.display('ABCD2345EFGH')}) or an email address"
        )
    found = list(
        db_session.execute(
            select(person)
            .where(person.incident_id == incident_id, condition)
            .order_by(person.id)
            .limit(SEARCH_LIMIT)
        ).scalars()
    )
    shown = _read_and_audit(db_session, keyring, incident, found, actor)
    return [{"id": row.id, **item} for row, item in zip(found, shown, strict=True)]


def get_person(*, db_session: Session, incident_id: int, person_id: int) -> AffectedPerson:
    person = db_session.get(AffectedPerson, person_id)
    if person is None or person.incident_id != incident_id:
        raise NotFound(f"incident {incident_id} has no affected person {person_id}")
    return person


def view_person(
    *, db_session: Session, keyring: Keyring, incident_id: int, person_id: int, actor: str
) -> dict[str, Any]:
    """One person, decrypted; the view is on the audit record (people.viewed)."""
    person = get_person(db_session=db_session, incident_id=incident_id, person_id=person_id)
    incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
    return {"id": person.id, **_read_and_audit(db_session, keyring, incident, [person], actor)[0]}


def list_imports(*, db_session: Session, incident_id: int) -> list[PersonImport]:
    """The incident's imports, oldest first, with their counts."""
    return list(
        db_session.execute(
            select(PersonImport)
            .where(PersonImport.incident_id == incident_id)
            .order_by(PersonImport.id)
        ).scalars()
    )


@dataclass(frozen=True)
class QuarantinedRow:
    import_id: int
    file_name: str
    source_row: int
    source_column: str | None
    reason: str


def quarantined_rows(
    *, db_session: Session, incident_id: int, offset: int = 0, limit: int = 50
) -> tuple[list[QuarantinedRow], int]:
    """One page of the rows the incident's imports set aside, by import and row, and how
    many there are in all. The values themselves stay encrypted (they may be personal
    data); the issues report in the data dir has them."""
    quarantined = (ImportIssue.action == IssueAction.QUARANTINED) & (
        PersonImport.incident_id == incident_id
    )
    joined = select(ImportIssue).join(PersonImport, ImportIssue.import_id == PersonImport.id)
    total = db_session.execute(
        select(func.count())
        .select_from(ImportIssue)
        .join(PersonImport, ImportIssue.import_id == PersonImport.id)
        .where(quarantined)
    ).scalar_one()
    rows = db_session.execute(
        joined.add_columns(PersonImport.file_name)
        .where(quarantined)
        .order_by(ImportIssue.import_id, ImportIssue.source_row, ImportIssue.id)
        .offset(max(offset, 0))
        .limit(limit)
    ).all()
    return [
        QuarantinedRow(
            import_id=issue.import_id,
            file_name=file_name,
            source_row=issue.source_row,
            source_column=issue.source_column,
            reason=issue.reason,
        )
        for issue, file_name in rows
    ], total
