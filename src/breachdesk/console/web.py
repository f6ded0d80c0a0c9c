"""What every console page shares: the signed-in check with its permission, CSRF
tokens, the page templates, flash messages and redirects.

Pages are rendered on the server and work as plain forms; htmx (vendored, no build step)
only refreshes parts of a page in place. Every form carries a CSRF token: the browser
holds a random value in an HttpOnly cookie, and the form the keyed hash of that value,
which only this server can compute.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.console.access import Can, allowed
from breachdesk.db import Database
from breachdesk.security import tokens
from breachdesk.security.crypto import Keyring
from breachdesk.security.models import Role

HERE = Path(__file__).parent
PREFIX = "/console"
SESSION_COOKIE = "bd_console"
CSRF_COOKIE = "bd_console_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FLASH_COOKIE = "bd_console_flash"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Scripts only from this origin (htmx), no inline script or style; images may be inline
# data (the enrolment QR code is inline SVG markup, not an image).
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as the pages see them."""

    id: int
    email: str
    role: Role

    def can(self, what: Can) -> bool:
        return allowed(self.role, what)


@dataclass
class Console:
    """What the console's routes share in one web process."""

    settings: Settings
    keyring: Keyring
    database: Database
    pages: Environment

    @classmethod
    def create(cls, *, settings: Settings, keyring: Keyring, database: Database) -> Console:
        pages = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        return cls(settings=settings, keyring=keyring, database=database, pages=pages)

    def idle_limit(self) -> timedelta:
        return timedelta(minutes=self.settings.staff_idle_minutes)

    def csrf_token(self, value: str) -> str:
        return self.keyring.blind_index(value, context="console.csrf")


def console_state(request: Request) -> Console:
    return request.app.state.console


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the block ends without an error."""
    with console_state(request).database.session() as db_session:
        yield db_session


# --- signing in and permissions -----------------------------------------------------


class SignInNeeded(Exception):
    """No signed-in session: the visitor is sent to the sign-in page."""

    def __init__(self, after: str) -> None:
        self.after = after


class Refused(Exception):
    """Signed in, but the role does not hold the permission the route needs."""

    def __init__(self, staff: Staff, can: Can) -> None:
        self.staff = staff
        self.can = can


class BadForm(Exception):
    """A form without a valid CSRF token, or posted from another site."""


def signed_in(can: Can) -> Callable[[Request], Staff]:
    """A dependency: the signed-in staff member, when their role holds ``can``.

    The permission is kept on the dependency (``.can``), so tests can list every route
    with the permission it asks for.
    """

    def check(request: Request) -> Staff:
        state = console_state(request)
        key = request.cookies.get(SESSION_COOKIE)
        user = None
        if key:
            with transaction(request) as db_session:
                found = tokens.user_for_session(
                    db_session=db_session, key=key, idle=state.idle_limit()
                )
                if found is not None:
                    user = Staff(id=found.id, email=found.email, role=Role(found.role))
        if user is None:
            raise SignInNeeded(request.url.path)
        if not user.can(can):
            raise Refused(user, can)
        if request.method in UNSAFE_METHODS:
            _same_origin(request)
        request.state.staff = user
        return user

    check.can = can  # type: ignore[attr-defined]
    return check


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    expected = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != expected:
        raise BadForm
    if origin is None and request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        raise BadForm


async def form_fields(request: Request) -> dict[str, str]:
    """A dependency: the posted form's fields, once its CSRF token is checked."""
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    sent = fields.pop(CSRF_FIELD, "") or request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = console_state(request).csrf_token(cookie) if cookie else ""
    if not (cookie and sent and hmac.compare_digest(sent, expected)):
        raise BadForm
    _same_origin(request)
    return fields


Form = Depends(form_fields)


# --- pages, redirects and messages -----------------------------------------------------


def page(
    request: Request,
    template: str,
    *,
    staff: Staff | None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """Render a console page; it carries the CSRF token its forms need. Pages about one
    incident pass ``incident`` (anything with ``id`` and ``title``) for the navigation."""
    values.setdefault("incident", None)
    state = console_state(request)
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    new_cookie = None if cookie else secrets.token_urlsafe(32)
    flash = unquote(request.cookies.get(FLASH_COOKIE, ""))[:500]
    html = state.pages.get_template(template).render(
        staff=staff,
        Can=Can,
        csrf=state.csrf_token(cookie or new_cookie),
        csrf_field=CSRF_FIELD,
        flash=flash,
        path=request.url.path,
        **values,
    )
    response = HTMLResponse(html, status, headers=page_headers())
    if new_cookie:
        set_csrf_cookie(request, response, new_cookie)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path=PREFIX)
    return response


def page_headers() -> dict[str, str]:
    # same-origin, not the portal's no-referrer: under no-referrer browsers send
    # "Origin: null" with form posts, and the same-origin check would refuse every form.
    return {
        "cache-control": "no-store",
        "content-security-policy": CONSOLE_CSP,
        "referrer-policy": "same-origin",
    }


def redirect(request: Request, url: str, *, flash: str = "") -> RedirectResponse:
    """See Other: after a form is handled the browser loads ``url`` with a GET, so a
    reload never posts the form twice. ``flash`` is shown once on that page."""
    response = RedirectResponse(url, 303, headers=page_headers())
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote(flash),
            max_age=60,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path=PREFIX,
        )
    return response


def set_csrf_cookie(request: Request, response: Response, value: str | None = None) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        value or secrets.token_urlsafe(32),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )


def set_session_cookie(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=int(tokens.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console path, never another site."""
    local = value and value.startswith(PREFIX + "/") and "\\" not in value and "//" not in value
    return value if local else PREFIX + "/"
