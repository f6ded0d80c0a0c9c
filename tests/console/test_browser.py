"""A whole response in the console, in a real browser (Debian's Chromium driven by
Playwright, JavaScript on), as the demo's personas: the lead signs in with two-factor
and revises the facts; legal and comms sign off a new template version; the lead
launches a wave; an agent answers an inquiry with a suggested answer; the auditor
verifies the chain. Each role is refused what it may not do, a replaced phone is
enrolled from the QR code page, and every page is photographed.

Screenshots go to $BREACHDESK_SCREENSHOTS when set
(``BREACHDESK_SCREENSHOTS=/tmp/console .venv/bin/pytest tests/console/test_browser.py``),
else into the test's tmp_path: look at them after changing a page.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from breachdesk.config import get_settings
from breachdesk.console.access import ALLOWED, Can
from breachdesk.db import Database
from breachdesk.main import create_app
from breachdesk.security import service as security
from breachdesk.security import twofactor
from breachdesk.security.models import Role
from tests.console.conftest import console_routes, demo_copy, demo_logins, demo_parameters
from tests.portal.browser import CHROMIUM, CHROMIUM_ARGS, serving

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
)
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: apt-get install chromium (.ci/run does); never `playwright install`",
)

SCREEN = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    key: str


@dataclass
class Story:
    base: str
    logins: dict[str, Login]  # by role
    shots: Path
    data_dir: Path
    # The last 30-second step whose code each role used: a code works only once.
    used_steps: dict[str, int]

    def next_code(self, role: str) -> str:
        """The first code the server will still accept, waiting for it if need be."""
        step = max(int(time.time() // 30) - 1, self.used_steps[role] + 1)
        while step > int(time.time() // 30) + 1:  # only one step ahead is accepted
            time.sleep(1)
        self.used_steps[role] = step
        return twofactor.current_code(self.logins[role].key, step * 30)


@pytest.fixture(scope="module")
def story(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """A copy of the demo's story, served until the module ends."""
    directory = tmp_path_factory.mktemp("console-story")
    with pytest.MonkeyPatch.context() as environment:
        data_dir = demo_copy(demo_template, directory, environment)
        logins = {role: Login(*login) for role, login in demo_logins(data_dir).items()}
        chosen = os.environ.get("BREACHDESK_SCREENSHOTS")
        shots = Path(chosen) if chosen else directory / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        # The demo's enrolment used a code when the template was built, before now.
        built = int(time.time() // 30)
        with serving() as base:
            yield Story(base, logins, shots, data_dir, used_steps=dict.fromkeys(logins, built))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Persona:
    """One staff member's browser tab, signed in through the real sign-in pages."""

    def __init__(self, browser: Any, story: Story, role: str) -> None:
        self.story = story
        self.role = role
        self.context = browser.new_context(base_url=story.base, viewport=SCREEN)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.refusals: set[str] = set()  # pages this persona is meant to be refused
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: Any) -> None:
        refused_on_purpose = "403" in message.text and self.page.url in self.refusals
        if message.type == "error" and not refused_on_purpose:
            self.errors.append(f"{self.page.url}: {message.text}")

    def sign_in(self) -> None:
        login = self.story.logins[self.role]
        page = self.page
        page.goto("/console/")
        assert page.url.endswith("/console/login?next=/console/")
        page.get_by_label("Email").fill(login.email)
        page.get_by_label("Password").fill(login.password)
        page.get_by_role("button", name="Continue").click()
        assert "/console/login/code" in page.url
        self.shot("sign-in-code")
        page.get_by_label("Six-digit code").fill(self.story.next_code(self.role))
        page.get_by_role("button", name="Sign in").click()
        assert "/console/login" not in page.url, self.text()
        assert login.email in self.text()

    def go(self, link: str) -> None:
        self.page.get_by_role("navigation", name="Console").get_by_role(
            "link", name=link, exact=True
        ).click()

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def flash(self) -> str:
        return self.page.get_by_role("status").first.inner_text()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.story.shots / f"{self.role}-{name}.png", full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture
def persona(browser, story) -> Iterator[Any]:
    opened: list[Persona] = []

    def open_as(role: str) -> Persona:
        someone = Persona(browser, story, role)
        opened.append(someone)
        someone.sign_in()
        return someone

    yield open_as
    for someone in opened:
        someone.close()


def test_a_whole_response_as_the_demo_personas(persona):
    lead = persona("lead")
    lead.shot("dashboard")
    assert "Scorecard" in lead.text() or "scorecard" in lead.text()

    # The lead revises the facts: the form starts from the current ones.
    lead.go("Facts")
    lead.shot("facts")
    lead.page.get_by_role("link", name=re.compile("Record new facts")).click()
    people = lead.page.get_by_label("People affected")
    assert people.input_value().replace(",", "") == "70000000"
    people.fill("71000000")
    lead.page.get_by_label("Why the facts changed").fill("Forensics counted 1 million more.")
    lead.shot("facts-new")
    lead.page.get_by_role("button", name="Save as revision 3").click()
    assert "revision 3" in lead.text().lower()
    lead.shot("facts-saved")

    # The widened scope needs a supplemental notice: the lead saves its wording, which
    # no campaign may send until both approvers sign it off.
    lead.go("Notices")
    lead.shot("notices")
    lead.page.get_by_role("button", name="Save the shipped wording as version 1").first.click()
    assert "Not approved yet" in lead.text()
    lead.shot("notice-saved")
    new_version = lead.page.url

    # Legal, then comms, sign off that exact version.
    for role, title in (("legal_approver", "legal approver"), ("comms_approver", "comms approver")):
        approver = persona(role)
        approver.page.goto(new_version)
        approver.shot("notice-version")
        approver.page.get_by_role("button", name=re.compile(f"as {title}")).click()
        approver.shot("notice-signed")
    lead.page.goto(new_version)
    assert "Approved: both approvers signed this exact wording" in lead.text()

    # The lead launches the next wave and sends it.
    lead.go("Campaigns")
    lead.shot("campaigns")
    lead.page.get_by_role("link", name=re.compile("Campaign 1|initial", re.I)).first.click()
    sent_before = _sent(lead.text())
    lead.page.get_by_label("At most this many people").fill("40")
    lead.page.get_by_role("button", name="Schedule the wave").click()
    lead.shot("campaign-wave")
    lead.page.get_by_role("button", name="Send the due notices now").click()
    deadline = time.monotonic() + 60
    while _sent(lead.text()) <= sent_before:
        assert time.monotonic() < deadline, lead.text()
        time.sleep(1)
        lead.page.reload()
    lead.shot("campaign-sent")

    # An agent answers an inquiry with a suggested approved answer.
    agent = persona("agent")
    agent.go("Desk")
    agent.shot("desk")
    agent.page.locator("table a[href*='/desk/']").first.click()
    agent.shot("inquiry")
    agent.page.get_by_role("button", name="Use this answer").first.click()
    reply = agent.page.get_by_label(re.compile("Your reply to"))
    sync_api.expect(reply).not_to_have_value("")  # htmx swaps the answer in
    agent.page.get_by_role("button", name="Send the approved answer").click()
    agent.shot("inquiry-answered")
    assert "sent" in agent.flash().lower() or "recorded" in agent.flash().lower()

    # The auditor verifies the chain.
    auditor = persona("auditor")
    auditor.go("Audit")
    auditor.shot("audit")
    auditor.page.get_by_role("button", name="Check the chain is intact").click()
    assert "intact" in auditor.text().lower()
    auditor.shot("audit-verified")


def _sent(text: str) -> int:
    found = re.search(r"([\d,]+)\s+sent", text)
    return int(found.group(1).replace(",", "")) if found else 0


REFUSALS = [
    ("agent", "/console/incidents/1/facts/new", "revise the facts"),
    ("legal_approver", "/console/incidents/1/people", "look people up"),
    ("comms_approver", "/console/incidents/1/campaigns", "see campaigns"),
    ("auditor", "/console/incidents/1/desk", "answer inquiries"),
    ("agent", "/console/audit", "read and verify the audit trail"),
    ("admin", "/console/incidents/1/facts/new", "revise the facts"),
]


def test_each_role_is_refused_what_it_may_not_do(persona):
    signed: dict[str, Persona] = {}
    for role, path, what in REFUSALS:
        someone = signed.get(role) or signed.setdefault(role, persona(role))
        someone.refusals.add(someone.story.base + path)
        answer = someone.page.goto(path)
        assert answer.status == 403
        assert f"may not {what}" in someone.text()
        someone.shot("refused-" + path.strip("/").replace("/", "-"))


# Routes that are not pages: files, downloads and the fragments htmx swaps into a page.
NOT_PAGES = re.compile(
    r"\.(svg|pdf|json|\{kind\})$|/(html|email|panels|queue|status|preview)$|/evidence/|/static/"
)
# Who photographs each page: the first of these roles that may see it.
PHOTOGRAPHERS = ("lead", "legal_approver", "agent", "auditor", "admin", "comms_approver")


def test_every_page_renders_in_the_browser_without_a_policy_violation(persona, story):
    """Every console page, as someone allowed to see it: it loads (200), its scripts and
    styles obey the Content-Security-Policy (any violation is a console error), it has
    one h1, and it is photographed."""
    app = create_app(get_settings())
    parameters = demo_parameters(app.state.database, story.data_dir)
    pages = [
        (path, permission)
        for method, path, permission in console_routes(app)
        if method == "GET" and permission and not NOT_PAGES.search(path)
    ]
    app.state.database.dispose()
    assert len(pages) >= 20, pages
    signed: dict[str, Persona] = {}
    for path, permission in pages:
        role = next(r for r in PHOTOGRAPHERS if Role(r) in ALLOWED[Can[permission]])
        someone = signed.get(role) or signed.setdefault(role, persona(role))
        answer = someone.page.goto(path.format(**parameters))
        assert answer.status == 200, (role, path, answer.status)
        assert someone.page.locator("h1").count() == 1, (role, path)
        name = re.sub(r"[{}]", "", path.removeprefix("/console/")).replace("/", "-") or "home"
        someone.shot("page-" + name)


def test_a_replaced_phone_is_enrolled_from_the_qr_code_page(browser, story):
    """After `breachdesk user reset-2fa`, the next sign-in shows a QR code and the key;
    the code from them turns two-factor sign-in on again."""
    login = story.logins["admin"]
    database = Database.from_settings(get_settings())
    with database.session() as session:
        user = security.get_by_email(db_session=session, email=login.email)
        twofactor.reset(db_session=session, user=user, actor="test")
    database.dispose()
    admin = Persona(browser, story, "admin")
    page = admin.page
    page.goto("/console/login")
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Continue").click()
    assert "/console/login/enrol" in page.url
    assert page.locator("figure.qr svg").count() == 1
    admin.shot("enrol")
    key = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Six-digit code").fill(twofactor.current_code(key))
    page.get_by_role("button", name="Turn on and sign in").click()
    assert login.email in admin.text() and "/console/login" not in page.url
    story.logins["admin"] = Login(login.email, login.password, key)
    story.used_steps["admin"] = int(time.time() // 30)
    admin.close()
