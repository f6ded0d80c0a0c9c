"""Signing in to the console: password, then the two-factor code (or, the first time,
enrolment with a QR code), then a fresh session key. Too many wrong passwords or codes
in a row lock the account for a while."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from breachdesk.console.web import (
    PREFIX,
    SESSION_COOKIE,
    Form,
    console_state,
    page,
    redirect,
    safe_next,
    set_csrf_cookie,
    set_session_cookie,
    transaction,
)
from breachdesk.db import utcnow
from breachdesk.inputs import InputError
from breachdesk.security import service, tokens, twofactor
from breachdesk.security.models import StaffUser

router = APIRouter(prefix=PREFIX, include_in_schema=False)

WRONG = "Wrong email or password."
WRONG_CODE = "That code is wrong or was already used: enter the code your app shows now."
LAPSED = "Your sign-in lapsed: enter your password again."


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> HTMLResponse:
    return page(request, "login.html", staff=None, after=safe_next(next), error="", email="")


@router.post("/login")
def login(request: Request, fields: dict[str, str] = Form) -> Response:
    after = safe_next(fields.get("next"))
    email = fields.get("email", "").strip()
    lockout = service.Lockout.from_settings(console_state(request).settings)
    error = ""
    with transaction(request) as db_session:
        try:
            user = service.authenticate(
                db_session=db_session,
                email=email,
                password=fields.get("password", ""),
                lockout=lockout,
            )
        except service.AccountLocked as locked:
            user, error = None, str(locked)
        if user is not None:
            _session, key = tokens.start_session(db_session=db_session, user=user, verified=False)
            step = "code" if twofactor.enrolled(user) else "enrol"
    if user is None:
        # The failure count is committed above; the form comes back with the email kept.
        return page(
            request, "login.html", staff=None, status=401,
            after=after, error=error or WRONG, email=email,
        )  # fmt: skip
    response = redirect(request, f"{PREFIX}/login/{step}?next={after}")
    set_session_cookie(request, response, key)
    return response


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, next: str = "") -> Response:
    with transaction(request) as db_session:
        user = _pending(request, db_session)
        if user is None or not twofactor.enrolled(user):
            return redirect(request, f"{PREFIX}/login", flash=LAPSED)
        email = user.email
    return page(request, "code.html", staff=None, after=safe_next(next), error="", email=email)


@router.post("/login/code")
def code(request: Request, fields: dict[str, str] = Form) -> Response:
    return _second_factor(request, fields, enrolling=False)


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_form(request: Request, next: str = "") -> Response:
    state = console_state(request)
    with transaction(request) as db_session:
        user = _pending(request, db_session)
        if user is None or twofactor.enrolled(user):
            return redirect(request, f"{PREFIX}/login", flash=LAPSED)
        enrolment = twofactor.begin_enrolment(
            db_session=db_session, keyring=state.keyring, user=user
        )
        email = user.email
    return page(
        request, "enrol.html", staff=None, after=safe_next(next), error="",
        email=email, enrolment=enrolment,
    )  # fmt: skip


@router.post("/login/enrol")
def enrol(request: Request, fields: dict[str, str] = Form) -> Response:
    return _second_factor(request, fields, enrolling=True)


@router.post("/logout")
def logout(request: Request, _fields: dict[str, str] = Form) -> Response:
    if key := request.cookies.get(SESSION_COOKIE):
        with transaction(request) as db_session:
            tokens.end_session(db_session=db_session, key=key)
    response = redirect(request, f"{PREFIX}/login", flash="You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


def _pending(request: Request, db_session) -> StaffUser | None:
    key = request.cookies.get(SESSION_COOKIE)
    return tokens.pending_user(db_session=db_session, key=key) if key else None


def _second_factor(request: Request, fields: dict[str, str], *, enrolling: bool) -> Response:
    """Check the code; on success the pending session becomes a signed-in one under a
    new key, and the CSRF value changes with it."""
    state = console_state(request)
    after = safe_next(fields.get("next"))
    given = fields.get("code", "")
    lockout = service.Lockout.from_settings(state.settings)
    with transaction(request) as db_session:
        user = _pending(request, db_session)
        if user is None:
            return redirect(request, f"{PREFIX}/login", flash=LAPSED)
        if service.is_locked(user, utcnow()):
            error = str(service.AccountLocked(user, utcnow()))
            tokens.end_session(db_session=db_session, key=request.cookies[SESSION_COOKIE])
            return redirect(request, f"{PREFIX}/login", flash=error)
        if enrolling:
            right = twofactor.confirm_enrolment(
                db_session=db_session, keyring=state.keyring, user=user, code=given
            )
        else:
            right = twofactor.check_code(keyring=state.keyring, user=user, code=given)
        if right:
            service.record_success(user=user)
            try:
                key = tokens.verify_session(
                    db_session=db_session, key=request.cookies[SESSION_COOKIE]
                )
            except InputError:
                return redirect(request, f"{PREFIX}/login", flash=LAPSED)
        else:
            service.record_failure(
                db_session=db_session, user=user, factor="code", lockout=lockout, now=utcnow()
            )
            email = user.email
            enrolment = (
                twofactor.begin_enrolment(db_session=db_session, keyring=state.keyring, user=user)
                if enrolling
                else None
            )
    if not right:
        template = "enrol.html" if enrolling else "code.html"
        return page(
            request, template, staff=None, status=401, after=after, error=WRONG_CODE,
            email=email, enrolment=enrolment,
        )  # fmt: skip
    response: RedirectResponse = redirect(request, after)
    set_session_cookie(request, response, key)
    set_csrf_cookie(request, response)
    return response
