"""The desk's fixtures: an incident with people on its list, the staff personas, and
the keys that open what the desk stores encrypted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring, load_keyring
from breachdesk.security.models import StaffUser
from tests.delivery.conftest import everyone, import_people
from tests.factories import PERSONAS, make_staff


@pytest.fixture
def listed(run_cli, incident: int, tmp_path) -> int:
    """The incident, with eight people imported (Ann Lee1 … Ann Lee8, Austin TX 78701)."""
    import_people(run_cli, tmp_path, incident, everyone())
    return incident


@pytest.fixture
def keyring(settings_env) -> Keyring:
    return load_keyring(get_settings())


@pytest.fixture
def session(database_url: str, settings_env) -> Iterator[Session]:
    """A session on the test's database; the test commits what it wants kept."""
    database = Database(database_url)
    db_session = database.session_factory()
    yield db_session
    db_session.rollback()
    db_session.close()
    database.dispose()


@pytest.fixture
def staff(session: Session) -> dict[str, StaffUser]:
    """Every persona's account (lena the lead, lou and cam the approvers, ada the agent,
    otto the auditor, root the admin), committed."""
    users = {persona: make_staff(session, persona) for persona in PERSONAS}
    session.commit()
    return users


def person_with(session: Session, keyring: Keyring, incident: int, last_name: str):
    """The imported person with this last name, as (person, contact, display reference)."""
    for person in session.execute(
        select(AffectedPerson).where(AffectedPerson.incident_id == incident)
    ).scalars():
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        if contact.last_name == last_name:
            return person, contact, references.display(person.reference)
    raise LookupError(last_name)
