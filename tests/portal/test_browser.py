"""The public portal in a real browser: Debian's Chromium, driven by Playwright with
JavaScript turned off, walks every page in English and in Spanish, error states
included, and checks on every page what a visitor would notice (see browser.py).

Every state visited is photographed, full page, into $BREACHDESK_SCREENSHOTS when set
(``BREACHDESK_SCREENSHOTS=/tmp/shots .venv/bin/pytest tests/portal/test_browser.py``),
else into the test's tmp_path: look at them after changing a page.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from breachdesk.cli import app
from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.incidents.models import Incident
from breachdesk.portal.text import element_name, translator
from breachdesk.security.crypto import load_keyring
from tests.delivery.conftest import approve_default_template
from tests.desk.test_cli import approve_all
from tests.factories import FACTS, disclose, make_incident, make_staff, revise
from tests.people.conftest import HEADER, import_json, person, write_csv
from tests.portal.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Visitor, serving
from tests.portal.test_portal import lee

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
)
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: apt-get install chromium (.ci/run does); never `playwright install`",
)

POSTGRES_REASON = (
    "browser tests run on SQLite only: the pages' logic is the same on both databases, "
    "and the HTTP-level portal tests cover PostgreSQL"
)
LANGUAGES = ("en", "es")
# Who each test looks up, so that tests sharing the published incident never share a
# person: English speakers first, Spanish speakers after.
PEOPLE = {"en": {"genuine": 1, "lookup": 2}, "es": {"genuine": 4, "lookup": 5}}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STATEMENT = """\
- key: statement
  language: en
  question: A statement from our chief executive.
  answer: |-
    I am sorry. We have closed the gap that let this happen.

    We will keep this page up to date as we learn more.
- key: statement
  language: es
  question: Declaración de nuestra directora ejecutiva.
  answer: |-
    Lo siento. Cerramos la brecha que permitió que esto sucediera.

    Mantendremos esta página actualizada a medida que sepamos más.
"""


@dataclass
class Published:
    """An incident whose facts were published twice (the second widening the first),
    whose notices went out by email to Ann Lee1..Lee3 (English) and Lee4..Lee6
    (Spanish), with an approved FAQ, a statement and activation codes."""

    incident: int
    references: dict[int, str]  # Lee<number> -> printed reference code


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skip(reason=POSTGRES_REASON))],
)
def published(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Published]:
    """Set up once for the module (it takes seconds); each test gets its own server."""
    directory = tmp_path_factory.mktemp("published")
    data_dir = directory / "data"
    data_dir.mkdir()
    url = f"sqlite:///{directory / 'breachdesk.sqlite3'}"
    shutil.copy(sqlite_template, directory / "breachdesk.sqlite3")
    with pytest.MonkeyPatch.context() as environment:
        for name in list(os.environ):
            keep = ("BREACHDESK_TEST_DATABASE_URL", "BREACHDESK_SCREENSHOTS")
            if name.startswith("BREACHDESK_") and name not in keep:
                environment.delenv(name)
        environment.setenv("BREACHDESK_DATABASE_URL", url)
        environment.setenv("BREACHDESK_DATA_DIR", str(data_dir))
        yield _publish(url, directory)


def _run(*args: Any) -> Result:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


def _publish(url: str, directory: Path) -> Published:
    database = Database(url)
    with database.session() as session:
        incident = make_incident(session).id
        for approver in ("lou", "cam"):  # who signs off the answers
            make_staff(session, approver)
    for language in LANGUAGES:
        approve_default_template(_run, directory, language)
    rows = [[*person(n), "en" if n <= 3 else "es"] for n in range(1, 7)]
    code, summary = import_json(
        _run, write_csv(directory / "people.csv", [*HEADER, "language"], rows), incident
    )
    assert code == 0, summary
    campaign = _run("campaign", "create", "--incident", incident).output.strip()
    _run("campaign", "wave", campaign)
    _run("campaign", "run", campaign)
    with database.session() as session:
        record = session.get(Incident, incident)
        disclose(session, record)
        revise(
            session, record, elements=[*FACTS["elements"], "date_of_birth"],
            people_affected=1200,
            public_description="Someone copied part of our customer database.\n\n"
            "We have since found that dates of birth were copied too.",
        )  # fmt: skip
        disclose(session, record)
    _run("desk", "answer", "save", "--incident", incident)
    statement = directory / "statement.yaml"
    statement.write_text(STATEMENT, encoding="utf-8")
    _run("desk", "answer", "save", statement, "--incident", incident)
    approve_all(_run, directory, incident)
    codes = directory / "codes.csv"
    codes.write_text("activation_code\n" + "".join(f"KX{n:06d}\n" for n in range(6)))
    _run(
        "codes", "import", codes, "--incident", incident, "--pool", "experian",
        "--vendor", "Experian IdentityWorks",
        "--enrol-url", "https://www.experianidworks.com/3bcredit", "--months", "24",
    )  # fmt: skip
    keyring = load_keyring(get_settings())
    references = {n: lee(url, keyring, n)[0] for n in range(1, 7)}
    database.dispose()
    return Published(incident=incident, references=references)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def portal(published: Published) -> Iterator[str]:
    """The portal's base URL, served for this test alone (so its limits start afresh)."""
    with serving() as base:
        yield base


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    chosen = os.environ.get("BREACHDESK_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def visitor(browser, portal: str, screenshots: Path, language: str) -> Iterator[Visitor]:
    """A browser tab with JavaScript off, on the notice page in ``language``: reached in
    Spanish through the language switch, as a visitor would."""
    context = browser.new_context(
        java_script_enabled=False, base_url=portal, locale="en-US",
        viewport=DESKTOP,
    )  # fmt: skip
    visitor = Visitor(page=context.new_page(), language=language, shots=screenshots)
    visitor.listen()
    visitor.page.goto("/")
    if language != "en":
        visitor.page.get_by_role("link", name=translator("en")("switch")).click()
        assert visitor.page.url.endswith(f"/?lang={language}")
    yield visitor
    context.close()
    assert not visitor.console, visitor.console


def go(visitor: Visitor, key: str) -> Any:
    """Follow the navigation link to the page titled ``t(key)``."""
    t = translator(visitor.language)
    visitor.page.get_by_role("navigation").get_by_role("link", name=t(key), exact=True).click()
    assert visitor.page.get_by_role("heading", level=1).inner_text() == t(key)
    return visitor.page


def matches(wording: str, text: str) -> bool:
    """Whether ``text`` is ``wording`` with a number, code or date ("24 de noviembre de
    2026") where it has "§"."""
    filler = r"\w[\w ,.-]*"
    return re.fullmatch(re.escape(wording).replace("§", filler), text.strip()) is not None


def submit_is_blocked(visitor: Visitor, button: str, field: str) -> None:
    """The browser's own check of a required field stops the form: nothing is sent (a
    form posting to its own address would leave the URL as it was, so loads count)."""
    page, url, loads = visitor.page, visitor.page.url, visitor.loads
    page.get_by_role("button", name=button).click()
    page.wait_for_timeout(300)
    assert page.url == url and visitor.loads == loads
    assert page.locator(f"#{field}:invalid").count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_page_shows_the_facts_history_answers_and_contacts(visitor, language):
    t, page = translator(language), visitor.page
    assert page.get_by_role("heading", level=1).inner_text() == t("notice")
    happened = page.locator("section", has=page.locator("#happened"))
    assert "dates of birth were copied too" in happened.inner_text()
    involved = page.locator("section", has=page.locator("#involved")).inner_text()
    assert element_name("date_of_birth", language) in involved and "1,200" in involved
    faq = page.locator("section", has=page.locator("#faq"))
    assert faq.locator("dt").count() >= 5
    genuine = {"en": "Is the notice I received really from you", "es": "¿El aviso que recibí"}
    assert genuine[language] in faq.inner_text()
    contacts = page.locator("section", has=page.locator("#contacts")).inner_text()
    assert "+1 800 555 0199" in contacts and "privacy@acme-health.example" in contacts
    statement = page.locator("section", has=page.locator("#statement")).inner_text()
    assert "Rosa Diaz" in statement
    assert {"en": "I am sorry.", "es": "Lo siento."}[language] in statement
    history = page.locator("section", has=page.locator("#history"))
    assert history.locator("ol > li").count() == 2
    assert t("expands", n=1) in history.inner_text()
    visitor.look("notice", keyboard=True, phone=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_checks_whether_a_notice_is_genuine(visitor, language, published):
    t = translator(language)
    page = go(visitor, "genuine")
    visitor.look("genuine", keyboard=True)

    submit_is_blocked(visitor, t("check"), "reference")

    reference = published.references[PEOPLE[language]["genuine"]]
    page.get_by_label(t("reference"), exact=True).fill(reference.lower())
    page.get_by_role("button", name=t("check")).click()
    result = page.get_by_role("status")
    assert t("genuine_yes") in result.inner_text()
    assert matches(t("channel_email", day="§"), result.locator("li").inner_text())
    assert "Lee" not in result.inner_text() and "@" not in result.inner_text()
    visitor.look("genuine-yes")

    page.get_by_label(t("reference"), exact=True).fill("ZZZZ-9999-ZZZZ")
    page.get_by_role("button", name=t("check")).click()
    assert t("genuine_no") in page.get_by_role("status").inner_text()
    assert page.get_by_label(t("reference"), exact=True).input_value() == "ZZZZ-9999-ZZZZ"
    visitor.look("genuine-not-ours")

    for _ in range(get_settings().portal_lookups_per_minute):  # until the limit answers
        page.get_by_role("button", name=t("check")).click()
        if page.get_by_role("alert").count():
            break
    assert matches(t("too_many", seconds="§"), page.get_by_role("alert").inner_text())
    visitor.look("genuine-too-many", status=429)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_looks_up_their_notice_takes_a_code_and_claims(
    visitor, language, published, tmp_path
):
    t = translator(language)
    number = PEOPLE[language]["lookup"]
    page = go(visitor, "lookup")
    visitor.look("lookup", keyboard=True)

    submit_is_blocked(visitor, t("show_notice"), "reference")
    page.get_by_label(t("reference"), exact=True).fill(published.references[number])
    page.get_by_label(t("last_name")).fill("Smith")
    page.get_by_label(t("postcode")).fill("78701")
    page.get_by_role("button", name=t("show_notice")).click()
    assert page.get_by_role("alert").inner_text() == t("lookup_failed")
    visitor.look("lookup-failed")

    page.get_by_label(t("reference"), exact=True).fill(published.references[number])
    page.get_by_label(t("last_name")).fill(f"lee{number}")
    page.get_by_label(t("postcode")).fill("78701-1234")
    page.get_by_role("button", name=t("show_notice")).click()
    assert page.url.endswith(f"/me?lang={language}")
    assert t("hello", name="Ann") in page.locator("main").inner_text()
    visitor.look("person", keyboard=True, phone=True)

    page.get_by_role("button", name=t("get_code")).click()
    code = page.locator(".code").inner_text()
    assert code.startswith("KX")
    assert t("your_code", months=24, vendor="Experian IdentityWorks") in page.inner_text("main")
    visitor.look("person-code")

    page.get_by_label(t("amount")).fill("lots")
    page.get_by_label(t("charged_on")).fill("2099-01-01")
    page.get_by_label(t("description")).fill("Two charges I did not make.")
    page.get_by_role("button", name=t("submit_claim")).click()
    errors = page.locator(".errors").inner_text()
    assert t("invalid_amount") in errors and t("invalid_date") in errors
    assert page.get_by_label(t("amount")).input_value() == "lots"
    assert page.get_by_label(t("charged_on")).input_value() == "2099-01-01"
    assert page.get_by_label(t("description")).input_value() == "Two charges I did not make."
    assert page.get_by_label(t("amount")).get_attribute("aria-invalid") == "true"
    visitor.look("claim-errors", status=422, phone=True)

    charged = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    page.get_by_label(t("amount")).fill("129.95")
    page.get_by_label(t("charged_on")).fill(charged)
    evidence = page.get_by_label(t("evidence", mb=get_settings().portal_evidence_max_bytes >> 20))
    not_a_pdf = tmp_path / "statement.pdf"
    not_a_pdf.write_bytes(b"MZ\x90\x00 a program, not a statement")
    evidence.set_input_files(not_a_pdf)
    page.get_by_role("button", name=t("submit_claim")).click()
    assert "PDF, PNG" in page.locator(".errors").inner_text()  # in English: reported
    assert evidence.get_attribute("aria-invalid") == "true"
    visitor.look("claim-bad-file", status=422)

    statement = tmp_path / "bank-statement.pdf"
    statement.write_bytes(PDF)
    evidence.set_input_files(statement)
    page.get_by_role("button", name=t("submit_claim")).click()
    received = page.get_by_role("status").inner_text()
    assert matches(t("claim_received", number="§"), received)
    claim = re.search(r"\bC-[\w-]+", received)[0]
    row = page.get_by_role("row", name=claim).inner_text()
    assert "129.95 USD" in row and t("status_submitted") in row
    visitor.look("claim-received")

    page.get_by_role("button", name=t("sign_out")).click()
    assert page.url.endswith(f"/?lang={language}")
    visitor.look("left")
    page.goto(f"/me?lang={language}")  # the session is over
    assert page.get_by_role("alert").inner_text() == t("session_over")
    visitor.look("session-over")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_asks_a_question_and_gets_a_ticket_number(visitor, language):
    t = translator(language)
    page = go(visitor, "ask")
    visitor.look("ask", keyboard=True)

    page.get_by_label(t("message")).fill("Was my card number involved?")
    submit_is_blocked(visitor, t("send"), "name")

    # The browser accepts "a@b" in a type="email" field; the server's check does not.
    page.get_by_label(t("name")).fill("Ann Lee3")
    page.get_by_label(t("email")).fill("a@b")
    page.get_by_role("button", name=t("send")).click()
    errors = page.locator(".errors")
    assert f"{t('email')}: {t('invalid_email')}" in errors.inner_text()
    errors.get_by_role("link").click()  # each error leads to its field
    assert page.url.endswith("#email")
    assert page.get_by_label(t("email")).input_value() == "a@b"
    assert page.get_by_label(t("message")).input_value() == "Was my card number involved?"
    visitor.look("ask-errors", status=422, phone=True)

    page.get_by_label(t("email")).fill("ann.lee3@example.com")
    page.get_by_role("button", name=t("send")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("ticket_title")
    body = page.get_by_role("status").inner_text()
    hours = int(get_settings().desk_first_response_hours)
    assert matches(t("ticket_body", ticket="§", hours=hours), body)
    assert re.search(r"\bQ-[\w-]+", body)
    visitor.look("ticket", keyboard=True)


@pytest.mark.parametrize("language", ["es"])
def test_an_unknown_address_gets_a_page_in_the_visitors_language(visitor, language):
    visitor.page.goto(f"/no-such-page?lang={language}")
    visitor.photograph("not-found", full_page=False)
    assert visitor.page.get_by_role("heading", level=1).count() == 1
    assert translator(language)("not_found") in visitor.page.locator("main").inner_text()
    visitor.look("not-found", status=404)
