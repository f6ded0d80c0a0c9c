"""Looking people up: decrypts their contact record, so every look-up is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.events import PeopleViewed
from breachdesk.people.models import AffectedPerson
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
