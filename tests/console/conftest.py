"""The console's fixtures: the app with every persona's account, and a browser-like
client per persona, already signed in (the sign-in itself is tested in test_signin.py),
whose form posts carry the CSRF token a page would give them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from breachdesk.config import get_settings
from breachdesk.console.web import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from breachdesk.db import Database
from breachdesk.main import create_app
from breachdesk.security import service, tokens, twofactor
from breachdesk.security.crypto import load_keyring
from tests.factories import PERSONAS, make_staff

BASE_URL = "http://127.0.0.1:8000"


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
