"""Signing in to the console: password, then a two-factor code (enrolled with a QR code
the first time), lock-out after repeated failures, session expiry, CSRF on every form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from breachdesk.config import get_settings
from breachdesk.console.web import CSRF_COOKIE, SESSION_COOKIE
from breachdesk.db import Database, utcnow
from breachdesk.security import service, twofactor
from breachdesk.security.crypto import load_keyring
from tests.console.conftest import ConsoleClient, text_of
from tests.factories import PASSWORD

LENA = "lena@acme-health.example"


def secret_of(console_app, email: str) -> str:
    database: Database = console_app.state.database
    keyring = load_keyring(get_settings())
    with database.session() as session:
        user = service.get_by_email(db_session=session, email=email)
        return keyring.decrypt(user.totp_secret, context="staff_user.totp_secret")


def give_password(
    client: ConsoleClient, email: str = LENA, password: str = PASSWORD, next: str = ""
):
    return client.post("/console/login", {"email": email, "password": password, "next": next})


def test_the_lead_signs_in_with_password_and_code_and_lands_where_she_was_going(
    anonymous, console_app
):
    asked = anonymous.get("/console/")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/console/login?next=/console/"

    after_password = give_password(anonymous, next="/console/")
    assert after_password.status_code == 303
    assert after_password.headers["location"].startswith("/console/login/code")
    pending_key = anonymous.http.cookies[SESSION_COOKIE]
    # The password alone opens nothing.
    assert anonymous.get("/console/").status_code == 303

    code = twofactor.current_code(secret_of(console_app, LENA))
    signed = anonymous.post("/console/login/code", {"code": code, "next": "/console/"})
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    assert anonymous.http.cookies[SESSION_COOKIE] != pending_key  # a fresh key on sign-in
    home = anonymous.get("/console/")
    assert home.status_code == 200 and "lena@acme-health.example" in home.text


def test_the_session_cookie_is_httponly_and_lax_and_secure_behind_tls(anonymous):
    answer = give_password(anonymous)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    tls = ConsoleClient(anonymous.http.app, None)
    tls.http.base_url = "https://127.0.0.1:8000"
    assert "Secure" in give_password(tls).headers["set-cookie"]


def test_a_first_sign_in_enrols_an_authenticator_app_from_a_qr_code(anonymous, console_app):
    database: Database = console_app.state.database
    with database.session() as session:
        user = service.get_by_email(db_session=session, email=LENA)
        twofactor.reset(db_session=session, user=user, actor="test")
    answer = give_password(anonymous)
    assert answer.headers["location"].startswith("/console/login/enrol")
    enrol = anonymous.get(answer.headers["location"])
    assert "<svg" in enrol.text and "Set up two-factor sign-in" in enrol.text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', enrol.text).group(1)
    assert anonymous.get(answer.headers["location"]).text.count(secret) == 1  # same on reload

    wrong = anonymous.post("/console/login/enrol", {"code": "000000"})
    assert wrong.status_code == 401 and "code is wrong" in text_of(wrong)
    done = anonymous.post("/console/login/enrol", {"code": twofactor.current_code(secret)})
    assert done.status_code == 303
    assert anonymous.get("/console/").status_code in (200, 303)
    with database.session() as session:
        assert twofactor.enrolled(service.get_by_email(db_session=session, email=LENA))


def test_a_code_works_once(anonymous, console_app):
    code = twofactor.current_code(secret_of(console_app, LENA))
    give_password(anonymous)
    assert anonymous.post("/console/login/code", {"code": code}).status_code == 303
    again = ConsoleClient(console_app, None)
    give_password(again)
    replayed = again.post("/console/login/code", {"code": code})
    assert replayed.status_code == 401 and "already used" in text_of(replayed)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(anonymous):
    for _ in range(5):
        assert give_password(anonymous, password="not the password").status_code == 401
    locked = give_password(anonymous)
    assert locked.status_code == 401
    assert "locked after too many failed sign-ins" in text_of(locked)
    assert "breachdesk user unlock lena@acme-health.example" in text_of(locked)
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert give_password(anonymous).status_code == 303


def test_wrong_codes_count_towards_the_lock_out(anonymous, run_cli):
    for _ in range(4):
        give_password(anonymous)
        assert anonymous.post("/console/login/code", {"code": "123456"}).status_code == 401
    give_password(anonymous)
    anonymous.post("/console/login/code", {"code": "654321"})
    assert "locked" in text_of(give_password(anonymous))
    unlocked = run_cli("user", "unlock", LENA)
    assert unlocked.exit_code == 0, unlocked.output
    assert give_password(anonymous).status_code == 303


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(anonymous):
    unknown = give_password(anonymous, email="nobody@acme-health.example")
    wrong = give_password(anonymous, password="not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong email or password." in text_of(unknown) and "Wrong email or password." in text_of(
        wrong
    )


def test_an_idle_session_ends(as_persona):
    lena = as_persona("lena")
    assert lena.get("/console/").status_code in (200, 303)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        assert lena.get("/console/").headers["location"].startswith("/console/login")


def test_signing_out_ends_the_session(as_persona):
    lena = as_persona("lena")
    key = lena.http.cookies[SESSION_COOKIE]
    assert lena.post("/console/logout").headers["location"] == "/console/login"
    lena.http.cookies.set(SESSION_COOKIE, key, domain="127.0.0.1", path="/console")
    assert lena.get("/console/").headers["location"].startswith("/console/login")


@pytest.mark.parametrize("token", ["", "forged"])
def test_a_form_without_its_csrf_token_is_refused(anonymous, token):
    anonymous.csrf()  # the cookie is there; the form's token is missing or wrong
    answer = anonymous.http.post(
        "/console/login", data={"email": LENA, "password": PASSWORD, "csrf": token}
    )
    assert answer.status_code == 403 and "another site" in text_of(answer)
    assert SESSION_COOKIE not in answer.cookies


def test_a_form_posted_from_another_site_is_refused(anonymous):
    answer = anonymous.http.post(
        "/console/login",
        data={"email": LENA, "password": PASSWORD, "csrf": anonymous.csrf()},
        headers={"origin": "https://evil.example"},
    )
    assert answer.status_code == 403


def test_sign_in_never_sends_the_browser_to_another_site(anonymous, console_app):
    give_password(anonymous, next="//evil.example/console/")
    code = twofactor.current_code(secret_of(console_app, LENA))
    answer = anonymous.post("/console/login/code", {"code": code, "next": "https://evil.example/"})
    assert answer.headers["location"] == "/console/"


def test_pages_forbid_inline_scripts_and_framing(anonymous):
    page = anonymous.get("/console/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"
    assert CSRF_COOKIE in page.cookies
