"""The console's fixtures: the app with every persona's account, and a browser-like
client per persona, already signed in (the sign-in itself is tested in test_signin.py),
whose form posts carry the CSRF token a page would give them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from breachdesk.config import get_settings
from breachdesk.console.web import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from breachdesk.db import Database
from breachdesk.delivery.models import Campaign
from breachdesk.demo import build_story
from breachdesk.desk.models import Claim, ClaimEvidence, Inquiry
from breachdesk.main import create_app
from breachdesk.notices.models import NoticeTemplate
from breachdesk.people.models import AffectedPerson
from breachdesk.reports.submissions import notice_statuses
from breachdesk.security import service, tokens, twofactor
from breachdesk.security.crypto import load_keyring
from tests.factories import PERSONAS, make_staff

BASE_URL = "http://127.0.0.1:8000"
DEMO_PEOPLE = 400  # enough for every page to have something to show


class ConsoleClient:
    """One persona's browser: cookies kept, redirects not followed (tests look at them)."""

    def __init__(self, app: FastAPI, persona: str | None) -> None:
        self.persona = persona
        self.http = TestClient(app, base_url=BASE_URL, follow_redirects=False)

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self.http.get(url, **options)

    def post(self, url: str, data: dict[str, Any] | None = None, **options: Any) -> httpx.Response:
        """Post a form as the page would: with its CSRF token."""
        return self.http.post(url, data={CSRF_FIELD: self.csrf(), **(data or {})}, **options)

    def csrf(self) -> str:
        if not self.http.cookies.get(CSRF_COOKIE):
            self.http.get("/console/login")
        console = self.http.app.state.console  # type: ignore[attr-defined]
        return console.csrf_token(self.http.cookies[CSRF_COOKIE])


def text_of(response: httpx.Response) -> str:
    """The page's text without tags and with whitespace collapsed, as a reader sees it."""
    without_tags = re.sub(r"<[^>]+>", " ", response.text)
    return " ".join(without_tags.split())


@pytest.fixture
def console_app(settings_env, database_url) -> Iterator[FastAPI]:
    """The app on this test's database, with every persona's account (lena the lead, lou
    and cam the approvers, ada the agent, otto the auditor, root the admin), each
    enrolled in two-factor sign-in."""
    database = Database(database_url)
    keyring = load_keyring(get_settings())
    with database.session() as session:
        for persona in PERSONAS:
            user = make_staff(session, persona)
            twofactor.begin_enrolment(db_session=session, keyring=keyring, user=user)
            user.totp_confirmed_at = user.created_at
    database.dispose()
    app = create_app(get_settings())
    with TestClient(app):  # runs the app's start-up once
        yield app


@pytest.fixture
def as_persona(console_app: FastAPI) -> Callable[[str], ConsoleClient]:
    """``as_persona("lena")``: a client signed in as that persona."""

    def sign_in(persona: str) -> ConsoleClient:
        client = ConsoleClient(console_app, persona)
        database: Database = console_app.state.database
        with database.session() as session:
            user = service.get_by_email(db_session=session, email=f"{persona}@acme-health.example")
            _row, key = tokens.start_session(db_session=session, user=user, verified=True)
        client.http.cookies.set(SESSION_COOKIE, key, domain="127.0.0.1", path="/console")
        return client

    return sign_in


@pytest.fixture
def anonymous(console_app: FastAPI) -> ConsoleClient:
    return ConsoleClient(console_app, None)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's story (its personas, incident, approved notices, a sent first wave,
    inquiries and claims), built once per run; copy it with ``demo_copy`` to use it."""
    data_dir = tmp_path_factory.mktemp("demo-template") / "data"
    data_dir.mkdir()
    with pytest.MonkeyPatch.context() as environment:
        for name in list(os.environ):
            if name.startswith("BREACHDESK_") and name != "BREACHDESK_SCREENSHOTS":
                environment.delenv(name)
        environment.setenv("BREACHDESK_DATA_DIR", str(data_dir))
        build_story(get_settings(), DEMO_PEOPLE)
    return data_dir


def demo_copy(template: Path, destination: Path, environment: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo's data dir, with the BREACHDESK_* settings pointing at it."""
    data_dir = destination / "data"
    shutil.copytree(template, data_dir)
    for name in list(os.environ):
        if name.startswith("BREACHDESK_") and name != "BREACHDESK_SCREENSHOTS":
            environment.delenv(name)
    environment.setenv("BREACHDESK_DATA_DIR", str(data_dir))
    return data_dir


def demo_logins(data_dir: Path) -> dict[str, tuple[str, str, str]]:
    """Each role's (email, password, two-factor key), as `make demo` prints them."""
    rows = (data_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()[1:]
    logins = {}
    for row in rows:
        email, role, password, key = row.split("\t")
        logins[role] = (email, password, key)
    return logins


def demo_parameters(database: Database, data_dir: Path) -> dict[str, str]:
    """A real value for every path parameter, from the demo's story."""
    with database.session() as session:

        def first(column: Any) -> str:
            return str(session.execute(select(column).order_by(column).limit(1)).scalar_one())

        required = next(
            status
            for status in notice_statuses(db_session=session, incident_id=1)
            if status.required and status.jurisdiction.startswith("US-")
        )
        claim, evidence = session.execute(
            select(Claim.number, ClaimEvidence.id)
            .join(ClaimEvidence, ClaimEvidence.claim_id == Claim.id)
            .limit(1)
        ).one()  # a claim with evidence, and that evidence
        return {
            "incident_id": "1",
            "person_id": first(AffectedPerson.id),
            "template_id": first(NoticeTemplate.id),
            "campaign_id": first(Campaign.id),
            "inquiry_id": first(Inquiry.id),
            "claim_id": claim,
            "evidence_id": str(evidence),
            "jurisdiction": required.jurisdiction,
            "notice": required.notice,
            "kind": "json",
            "message": sorted((data_dir / "mail-capture" / "new").iterdir())[0].name,
            "name": "console.css",
        }


def console_routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, permission name) of every console route that needs a signed-in
    staff member, however deeply its router is included."""
    found = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router: its prefix is here
                walk(route.original_router.routes, prefix + route.include_context.prefix)
                continue
            path = prefix + getattr(route, "path", "")
            if isinstance(route, APIRoute) and path.startswith("/console"):
                checks = [
                    dependency.call.can
                    for dependency in route.dependant.dependencies
                    if hasattr(dependency.call, "can")
                ]
                for method in route.methods:
                    if checks:
                        assert len(checks) == 1, f"{method} {path}: one permission"
                        found.append((method, path, checks[0].name))
                    else:
                        found.append((method, path, ""))

    walk(app.router.routes, "")
    return sorted(found, key=lambda row: (row[1], row[0]))


def demo_client(app: FastAPI, data_dir: Path, role: str) -> ConsoleClient:
    """A client signed in as the demo's account for ``role``."""
    email = demo_logins(data_dir)[role][0]
    client = ConsoleClient(app, role)
    with app.state.database.session() as session:
        user = service.get_by_email(db_session=session, email=email)
        _row, key = tokens.start_session(db_session=session, user=user, verified=True)
    client.http.cookies.set("bd_console", key, domain="127.0.0.1", path="/console")
    return client
