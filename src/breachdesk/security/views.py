"""Staff sign-in for the web app, and the check every staff route makes.

A staff route is called with ``Authorization: Bearer <API token>`` (from
``breachdesk user token``) or with the session cookie that ``POST /api/session`` sets
(email, password and two-factor code).
Either way the account's role is checked on every call. Requests that rely on the
cookie and change something must come from the app's own origin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.db import utcnow
from breachdesk.security import service, tokens, twofactor
from breachdesk.security.models import Role, StaffUser

SESSION_COOKIE = "bd_staff"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

router = APIRouter(prefix="/api", tags=["staff"])


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the block ends without an error."""
    with request.app.state.database.session() as db_session:
        yield db_session


def _authenticated(request: Request) -> StaffUser:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    with transaction(request) as db_session:
        if scheme.lower() == "bearer" and credential:
            user = tokens.user_for_token(db_session=db_session, token=credential.strip())
        elif key := request.cookies.get(SESSION_COOKIE):
            _same_origin_for_changes(request)
            user = tokens.user_for_session(
                db_session=db_session, key=key, idle=idle_limit(request.app.state.settings)
            )
        else:
            user = None
    if user is None:
        raise HTTPException(
            401,
            "sign in (POST /api/session) or send an API token as 'Authorization: Bearer …'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def _same_origin_for_changes(request: Request) -> None:
    """A cookie goes with any request the browser makes; a change must come from here."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("origin")
    expected = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != expected:
        raise HTTPException(403, "cross-origin request refused")
    if origin is None and request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        raise HTTPException(403, "cross-origin request refused")


def staff(*roles: Role) -> Callable[[Request], StaffUser]:
    """A dependency: the signed-in staff member, if their role is one of ``roles``
    (any role when none are named)."""

    def check(user: StaffUser = Depends(_authenticated)) -> StaffUser:
        if roles and Role(user.role) not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise HTTPException(403, f"{user.email} is {user.role.value}; this needs {allowed}")
        return user

    return check


class SignIn(BaseModel):
    email: str
    password: str
    code: str = ""  # the two-factor code from the staff member's authenticator app


@router.post("/session", status_code=204)
def sign_in(credentials: SignIn, request: Request, response: Response) -> None:
    """Sign in with email, password and two-factor code; sets the session cookie
    (12 hours, or less when idle). Two-factor sign-in is set up in the console."""
    settings = request.app.state.settings
    refusal = None
    with transaction(request) as db_session:
        try:
            user = service.authenticate(
                db_session=db_session,
                email=credentials.email,
                password=credentials.password,
                lockout=service.Lockout.from_settings(settings),
            )
        except service.AccountLocked as locked:
            user, refusal = None, (423, str(locked))
        if user is None:
            refusal = refusal or (401, "wrong email or password")
        elif not twofactor.enrolled(user):
            refusal = (403, "set up two-factor sign-in first: sign in once at /console/login")
        elif not twofactor.check_code(
            keyring=request.app.state.keyring, user=user, code=credentials.code
        ):
            service.record_failure(
                db_session=db_session, user=user, factor="code",
                lockout=service.Lockout.from_settings(settings), now=utcnow(),
            )  # fmt: skip
            refusal = (401, "wrong or already used two-factor code")
        else:
            service.record_success(user=user)
            _session, key = tokens.start_session(db_session=db_session, user=user, verified=True)
    # Outside the transaction, so the failure count it recorded is kept.
    if refusal is not None:
        raise HTTPException(*refusal)
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=int(tokens.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def idle_limit(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.staff_idle_minutes)


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response) -> None:
    """End the browser session."""
    if key := request.cookies.get(SESSION_COOKIE):
        _same_origin_for_changes(request)
        with transaction(request) as db_session:
            tokens.end_session(db_session=db_session, key=key)
    response.delete_cookie(SESSION_COOKIE, path="/")


class Me(BaseModel):
    email: str
    role: str


@router.get("/me")
def me(user: StaffUser = Depends(staff())) -> Me:
    """Who the token or session acts as."""
    return Me(email=user.email, role=user.role.value)
