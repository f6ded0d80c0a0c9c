"""The public portal, as a customer uses it: the notice page, checking a notice is
genuine, looking up their own notice, and asking a question."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import func, select

from breachdesk.db import Database
from breachdesk.desk.models import Inquiry, InquirySource
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.people.references import display
from tests.delivery.conftest import WITH_EMAIL

PAGES = ("/", "/genuine", "/lookup", "/ask")


def lee(database_url, keyring, number: int) -> tuple[str, Contact]:
    """Ann Lee<number>'s printed reference code and contact record."""
    database = Database(database_url)
    with database.session() as session:
        for person in session.execute(select(AffectedPerson)).scalars():
            contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
            if contact.last_name == f"Lee{number}":
                return display(person.reference), contact
    raise LookupError(number)


@pytest.fixture
def keyring(settings_env):
    from breachdesk.config import get_settings
    from breachdesk.security.crypto import load_keyring

    return load_keyring(get_settings())


def test_the_notice_page_shows_the_published_facts_and_their_history(notified, client):
    english = client.get("/")
    assert english.status_code == 200
    assert "Someone copied part of our customer database." in english.text
    assert "Social Security number" in english.text
    assert "History of this notice" in english.text and "+1 800 555 0199" in english.text

    spanish = client.get("/?lang=es")
    assert '<html lang="es">' in spanish.text
    assert "Historial de este aviso" in spanish.text and "número de Seguro Social" in spanish.text


def test_before_anything_is_published_the_portal_says_so(incident, client):
    assert "No notice has been published here yet." in client.get("/").text


@pytest.mark.parametrize("path", PAGES)
def test_every_page_forbids_scripts_and_framing_and_works_in_both_languages(notified, client, path):
    for language in ("en", "es"):
        page = client.get(f"{path}?lang={language}")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script" not in policy and "unsafe" not in policy
        assert "<script" not in page.text
        assert page.headers["x-content-type-options"] == "nosniff"
        assert f'<html lang="{language}">' in page.text
        assert '<main id="main">' in page.text  # the skip link's target landmark


def test_a_sent_notice_is_confirmed_genuine_with_nothing_personal(
    notified, client, database_url, keyring
):
    reference, contact = lee(database_url, keyring, 1)
    answer = client.post("/api/portal/verify", json={"reference": reference.lower()})
    assert answer.status_code == 200
    body = answer.json()
    assert body["issued"] is True and body["notices"][0]["channel"] == "email"
    assert contact.last_name not in answer.text and "example.com" not in answer.text

    page = client.post("/genuine", data={"reference": reference})
    assert "Yes. We issued a notice with this code" in page.text
    assert contact.last_name not in page.text


def test_an_unknown_code_is_reported_as_possibly_not_ours(notified, client):
    page = client.post("/genuine?lang=es", data={"reference": "ABCD-2345-EFGH"})
    assert "No tenemos constancia de un aviso con este código" in page.text
    assert client.post("/api/portal/verify", json={"reference": "nonsense"}).json() == {
        "issued": False,
        "notices": [],
    }


def test_the_holder_of_a_code_with_matching_details_sees_their_notice(
    notified, client, database_url, keyring
):
    reference, _contact = lee(database_url, keyring, 2)
    answer = client.post(
        "/api/portal/lookup",
        json={"reference": reference, "last_name": "Lee2", "postcode": "78701"},
    )
    assert answer.status_code == 200, answer.text
    notice = answer.json()
    assert notice["found"] is True and notice["first_name"] == "Ann"
    assert set(notice["elements"]) == {"name", "ssn", "medical"}
    assert notice["issued"][0]["channel"] == "email"
    assert notice["notice"]["title"] and notice["notice"]["sections"]
    assert answer.headers["cache-control"] == "no-store"

    page = client.post(
        "/lookup", data={"reference": reference, "last_name": "lee2", "postcode": "78701"}
    )
    assert page.status_code == 200 and page.url.path == "/me"
    assert "Hello Ann." in page.text and "Social Security number" in page.text
    assert notice["notice"]["title"] in page.text

    client.post("/me/leave")
    assert client.get("/me", follow_redirects=False).status_code == 303


def test_details_are_matched_the_way_people_type_them(notified, client, database_url, keyring):
    reference, _contact = lee(database_url, keyring, 3)
    for last_name, postcode in (("LEE3", "78701-1234"), (" lee 3 ", "78701"), ("Lée3", "78701")):
        answer = client.post(
            "/api/portal/lookup",
            json={"reference": reference.replace("-", " "), "last_name": last_name,
                  "postcode": postcode},
        )  # fmt: skip
        assert answer.status_code == 200, (last_name, postcode)


def test_an_unknown_code_and_wrong_details_get_byte_identical_answers_in_the_same_time(
    notified, client, database_url, keyring, monkeypatch
):
    reference, _contact = lee(database_url, keyring, 4)
    portal = client.app.state.portal
    # Lift the rate limits: this test makes hundreds of look-ups on purpose.
    monkeypatch.setattr(portal.by_client, "retry_after", lambda key: 0.0)
    monkeypatch.setattr(portal.by_reference, "retry_after", lambda key: 0.0)
    wrong_details = {"reference": reference, "last_name": "Smith", "postcode": "78701"}
    unknown_code = {"reference": "ABCD-2345-EFGH", "last_name": "Lee4", "postcode": "78701"}

    answers = [
        client.post("/api/portal/lookup", json=body) for body in (wrong_details, unknown_code)
    ]
    assert answers[0].status_code == answers[1].status_code == 404
    assert answers[0].content == answers[1].content
    assert sorted(answers[0].headers.items()) == sorted(answers[1].headers.items())
    pages = [client.post("/lookup", data=body) for body in (wrong_details, unknown_code)]
    assert pages[0].content == pages[1].content

    timings: dict[str, list[float]] = {"wrong": [], "unknown": []}
    for _ in range(150):
        for name, body in (("wrong", wrong_details), ("unknown", unknown_code)):
            start = time.perf_counter()
            client.post("/api/portal/lookup", json=body)
            timings[name].append(time.perf_counter() - start)
    difference = abs(statistics.median(timings["wrong"]) - statistics.median(timings["unknown"]))
    assert difference < 0.001, f"medians differ by {difference * 1000:.3f} ms"


def test_lookups_are_rate_limited_per_client_and_per_code(
    notified, client, database_url, keyring, monkeypatch
):
    reference, _contact = lee(database_url, keyring, 5)
    portal = client.app.state.portal
    for attempt in range(5):  # the default: five tries of one code an hour
        answer = client.post(
            "/api/portal/lookup",
            json={"reference": reference, "last_name": f"Wrong{attempt}", "postcode": "1"},
        )
        assert answer.status_code == 404
    blocked = client.post(
        "/api/portal/lookup",
        json={"reference": reference, "last_name": "Lee5", "postcode": "78701"},
    )
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0

    monkeypatch.setattr(portal.by_reference, "retry_after", lambda key: 0.0)
    codes = [f"ABCD-2345-{suffix}" for suffix in ("EFGH", "EFGJ", "EFGK", "EFGM", "EFGN")]
    statuses = [
        client.post(
            "/api/portal/verify" if n % 2 else "/api/portal/lookup",
            json={"reference": codes[n % 5], "last_name": "x", "postcode": "1"},
        ).status_code
        for n in range(12)
    ]
    assert 429 in statuses  # ten look-ups a minute from one address, by default
    page = client.post(
        "/lookup", data={"reference": reference, "last_name": "Lee5", "postcode": "78701"}
    )
    assert page.status_code == 429 and "Too many attempts" in page.text


def test_asking_a_question_gives_a_ticket_at_once_and_keeps_it(notified, client, database_url):
    page = client.post(
        "/ask?lang=es",
        data={"name": "Ana", "email": "ana@example.com", "message": "¿Qué pasó con mis datos?"},
    )
    assert page.status_code == 200
    assert "Su número de caso es Q-" in page.text
    answer = client.post(
        "/api/portal/inquiries",
        json={"name": "Bo", "email": "bo@example.com", "message": "Was my SSN taken?"},
    )
    assert answer.status_code == 201 and answer.json()["ticket"].startswith("Q-")

    database = Database(database_url)
    with database.session() as session:
        stored = session.execute(select(Inquiry.ticket, Inquiry.language, Inquiry.source)).all()
    database.dispose()
    assert {(row.language, row.source) for row in stored} == {
        ("es", InquirySource.PORTAL),
        ("en", InquirySource.PORTAL),
    }
    assert answer.json()["ticket"] in {row.ticket for row in stored}


def test_the_question_form_says_what_to_fix_in_the_visitors_language(notified, client):
    page = client.post(
        "/ask?lang=es", data={"name": "", "email": "not-an-email", "message": "Hola"}
    )
    assert page.status_code == 422
    assert "Corrija lo siguiente" in page.text and "Este campo es obligatorio." in page.text
    assert 'aria-invalid="true"' in page.text
    api = client.post("/api/portal/inquiries", json={"name": "Bo", "email": "nope", "message": "x"})
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "email"


def test_a_forged_or_expired_portal_session_shows_nothing(notified, client, database_url):
    client.cookies.set("bd_portal", "1.1.99999999999.0000")
    assert client.get("/me", follow_redirects=False).headers["location"].startswith("/lookup")
    database = Database(database_url)
    with database.session() as session:
        assert session.execute(select(func.count()).select_from(AffectedPerson)).scalar_one() == (
            WITH_EMAIL + 2
        )
    database.dispose()
