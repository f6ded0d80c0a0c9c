"""The people pages: finding a person by reference code or email (blind-index look-ups,
each on the audit record), a person's page with their notices, and the rows an import
set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.audit import service as audit
from breachdesk.config import get_settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import ChannelPolicy
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import MaildirSender
from breachdesk.people import references
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import load_keyring
from tests.console.conftest import text_of
from tests.delivery.conftest import approve_default_template, everyone, import_people
from tests.people.conftest import person

ANONYMOUS_ROW = person(9, customer_id="", first_name="", last_name="", email="")


@pytest.fixture
def people(run_cli, incident: int, tmp_path: Path, database_url: str) -> dict[str, tuple]:
    """Ann Lee1 … Ann Lee8 imported, and one row no one can be found from: each person's
    (id, reference code) by last name."""
    import_people(run_cli, tmp_path, incident, [*everyone(), ANONYMOUS_ROW])
    database = Database(database_url)
    keyring = load_keyring(get_settings())
    found = {}
    with database.session() as session:
        rows = session.scalars(select(AffectedPerson).where(AffectedPerson.incident_id == incident))
        for row in rows:
            contact = Contact.decode(keyring.decrypt(row.contact, context=CONTEXT))
            found[contact.last_name] = (row.id, references.display(row.reference))
    database.dispose()
    return found


def send_notices(run_cli, incident: int, tmp_path: Path, database_url: str, data_dir: Path):
    """Approve the shipped template, queue everyone's initial notice by email and send it
    to the embedded mode's capture folder; the campaign's id."""
    approve_default_template(run_cli, tmp_path)
    database = Database(database_url)
    with database.session() as session:
        campaign = delivery.create_campaign(
            db_session=session, incident_id=incident, kind="initial",
            channel_policy=ChannelPolicy.EMAIL, actor="lena@acme-health.example",
        )  # fmt: skip
        delivery.schedule_wave(
            db_session=session, campaign_id=campaign.id, starts_at=utcnow(), actor="lena"
        )
        campaign_id = campaign.id
    run_campaign(
        database=database, keyring=load_keyring(get_settings()), campaign_id=campaign_id,
        sender=MaildirSender(data_dir / "mail-capture"), actor="lena@acme-health.example",
    )  # fmt: skip
    database.dispose()
    return campaign_id


def views_recorded(database_url: str, incident: int) -> list[dict]:
    database = Database(database_url)
    with database.session() as session:
        rows = audit.events_for_incident(
            db_session=session, incident_id=incident, event_type="people.viewed"
        )
        views = [{"actor": row.actor, "payload": row.payload} for row in rows]
    database.dispose()
    return views


def test_a_person_is_found_by_the_reference_code_on_their_notice(
    as_persona, incident, people, database_url
):
    person_id, reference = people["Lee3"]
    typed = reference.replace("-", "").lower()  # as someone reads it out on the phone
    found = as_persona("ada").get(f"/console/incidents/{incident}/people", params={"q": typed})
    assert found.status_code == 200
    text = text_of(found)
    assert "1 person found" in text
    assert f"Ann Lee3 {reference} ann.lee3@example.com US-TX" in text
    assert f'href="/console/incidents/{incident}/people/{person_id}"' in found.text
    [view] = views_recorded(database_url, incident)
    assert view["actor"] == "ada@acme-health.example" and reference in view["payload"]


def test_a_person_is_found_by_email_in_any_case(as_persona, incident, people):
    found = as_persona("ada").get(
        f"/console/incidents/{incident}/people", params={"q": " Ann.Lee5@Example.com "}
    )
    assert "Ann Lee5" in text_of(found) and "Ann Lee6" not in text_of(found)


def test_a_wrong_code_or_email_finds_no_one(as_persona, incident, people, database_url):
    ada = as_persona("ada")
    for wrong in ("ABCD-2345-EFGH", "ann.lee99@example.com"):
        answer = ada.get(f"/console/incidents/{incident}/people", params={"q": wrong})
        assert answer.status_code == 200
        assert "No one found" in text_of(answer) and "Ann Lee" not in text_of(answer)
    nonsense = ada.get(f"/console/incidents/{incident}/people", params={"q": "Lee"})
    assert nonsense.status_code == 422
    assert "type a reference code from the notice" in text_of(nonsense)
    assert views_recorded(database_url, incident) == []  # no one was shown


def test_the_person_page_shows_contact_obligations_and_the_notice_sent(
    as_persona, run_cli, incident, people, tmp_path, database_url, data_dir
):
    campaign = send_notices(run_cli, incident, tmp_path, database_url, data_dir)
    person_id, reference = people["Lee2"]
    page = as_persona("lena").get(f"/console/incidents/{incident}/people/{person_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Ann Lee2" in text and reference in text
    assert "ann.lee2@example.com" in text and "2 MAIN ST AUSTIN TX 78701" in text
    assert "Residence US-TX (from the postal address)" in text
    assert "name, Social Security number, medical information" in text
    assert "US-TX yes medical information notice is owed" in text  # what the law requires
    assert f"initial notice (campaign {campaign}) email sent 1" in text  # sent from revision 1
    assert "No questions from this person." in text
    assert "Has not taken a credit-monitoring code." in text
    assert views_recorded(database_url, incident)[-1]["actor"] == "lena@acme-health.example"


def test_a_person_of_another_incident_or_none_is_not_found(as_persona, incident, people):
    answer = as_persona("ada").get(f"/console/incidents/{incident}/people/999999")
    assert answer.status_code == 404
    assert "has no affected person 999999" in text_of(answer)


def test_the_quarantine_lists_rows_set_aside_with_their_reasons(as_persona, incident, people):
    page = as_persona("ada").get(f"/console/incidents/{incident}/people/quarantine")
    assert page.status_code == 200
    text = text_of(page)
    assert "1 row set aside" in text
    assert "people.csv" in text
    assert "10 whole row no name, email or id: cannot tell who this is" in text


def test_approvers_may_not_look_people_up(as_persona, incident):
    for persona in ("lou", "cam", "root"):
        refused = as_persona(persona).get(f"/console/incidents/{incident}/people?q=x@y.example")
        assert refused.status_code == 403
