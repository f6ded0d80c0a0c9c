"""What the portal's pages and JSON routes share: the per-process state (limits, the
look-up resolver, the page templates), the visitor's language and session, and the
constant-time look-up itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.desk import service as desk
from breachdesk.desk.models import InquirySource
from breachdesk.desk.schemas import InquiryIn
from breachdesk.incidents.models import FactRevision, Incident
from breachdesk.notices.render import long_date
from breachdesk.portal import service as portal
from breachdesk.portal.limits import RateLimiter
from breachdesk.portal.text import LANGUAGES, element_name, translator
from breachdesk.security.crypto import Keyring

HERE = Path(__file__).parent
T = TypeVar("T")
PORTAL_COOKIE = "bd_portal"
PORTAL_SESSION = timedelta(minutes=30)
MAX_FORM_BYTES = 64 * 1024
# Writes one web process makes at once, and how long a request waits for a turn.
WRITERS = 2
WRITE_WAIT = 3.0


@dataclass
class Portal:
    """What the portal's routes share in one web process."""

    settings: Settings
    keyring: Keyring
    database: Database
    resolver: portal.LookupResolver = field(init=False)
    snapshots: portal.Snapshots = field(init=False)
    by_client: RateLimiter = field(init=False)
    by_reference: RateLimiter = field(init=False)
    submissions: RateLimiter = field(init=False)
    pages: Environment = field(init=False)
    _incident: tuple[int | None, float] = (None, -portal.SNAPSHOT_SECONDS)
    _writers: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(WRITERS)
    )

    def __post_init__(self) -> None:
        self.resolver = portal.LookupResolver(self.keyring)
        self.snapshots = portal.Snapshots(self.database)
        self.by_client = RateLimiter(self.settings.portal_lookups_per_minute, 60)
        self.by_reference = RateLimiter(self.settings.portal_attempts_per_reference, 3600)
        self.submissions = RateLimiter(self.settings.portal_inquiries_per_hour, 3600)
        self.pages = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )

    def incident_id(self) -> int | None:
        """The configured incident, else the latest one with published facts (looked up
        again every SNAPSHOT_SECONDS)."""
        if self.settings.portal_incident is not None:
            return self.settings.portal_incident
        known, at = self._incident
        if time.monotonic() - at < portal.SNAPSHOT_SECONDS:
            return known
        with self.reading() as connection:
            latest = connection.execute(
                select(FactRevision.incident_id)
                .where(FactRevision.disclosed_at.is_not(None))
                .order_by(FactRevision.disclosed_at.desc())
                .limit(1)
            ).scalar_one_or_none()
        self._incident = (latest, time.monotonic())
        return latest

    def snapshot(self) -> portal.Snapshot | None:
        incident_id = self.incident_id()
        return self.snapshots.get(incident_id) if incident_id is not None else None

    @contextmanager
    def writing(self) -> Iterator[bool]:
        """A turn to write (an inquiry, a claim): True when one came within WRITE_WAIT
        seconds. Writers queue on SQLite's one write lock; bounding how many wait keeps
        every one of them short, and the rest are told to come back (503) instead of
        waiting until they time out."""
        got = self._writers.acquire(timeout=WRITE_WAIT)
        try:
            yield got
        finally:
            if got:
                self._writers.release()

    def reading(self) -> Connection:
        """A connection for the look-ups' reads (see Database.read_engine)."""
        return self.database.read_engine.connect()


def portal_state(request: Request) -> Portal:
    return request.app.state.portal


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def language_of(request: Request) -> str:
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    accepted = request.headers.get("accept-language", "").lower()
    return "es" if accepted.startswith("es") else "en"


def shown_incident(request: Request) -> Incident | None:
    """The portal's incident as last loaded (detached: for showing, not changing)."""
    snapshot = portal_state(request).snapshot()
    return snapshot.incident if snapshot else None


def page(
    request: Request, template: str, *, incident: Incident | None, status: int = 200,
    **values: Any,
) -> HTMLResponse:  # fmt: skip
    state = portal_state(request)
    language = language_of(request)
    organisation = incident.organisation if incident else None
    html = state.pages.get_template(template).render(
        lang=language,
        other_lang="es" if language == "en" else "en",
        t=translator(language),
        element_name=lambda element: element_name(element, language),
        long_date=lambda day: long_date(day, language),
        org=organisation or _NO_ORGANISATION,
        domain=request.url.hostname or "",
        path=request.url.path,
        page=values.pop("page", ""),
        title=values.pop("title", translator(language)("notice")),
        **values,
    )
    headers = {"cache-control": "no-store", "content-language": language}
    return HTMLResponse(html, status, headers=headers)


class _NoOrganisation:
    display_name = legal_name = "breachdesk"


_NO_ORGANISATION = _NoOrganisation()


async def form_fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


class LookupIn(BaseModel):
    reference: str = Field(max_length=40)
    last_name: str = Field(max_length=200)
    postcode: str = Field(max_length=20)


def look_up(
    request: Request, lookup_in: LookupIn, *, connection: Connection
) -> tuple[float, portal.Found | None]:
    """(seconds to wait, None) when rate-limited, else (0, the person found or None)."""
    state = portal_state(request)
    wait = max(
        state.by_client.retry_after(client_address(request)),
        # Counted by the code as typed, whether or not it exists: a limit that applied only
        # to real codes would tell them apart.
        state.by_reference.retry_after(
            "".join(lookup_in.reference.split()).replace("-", "").upper()
        ),
    )
    if wait:
        return wait, None
    found = state.resolver.find(
        connection=connection,
        incident_id=state.incident_id() or 0,
        reference=lookup_in.reference,
        last_name=lookup_in.last_name,
        postcode=lookup_in.postcode,
    )
    return 0, found


def notice_for(
    request: Request, found: portal.Found, *, connection: Connection
) -> portal.PersonalNotice:
    snapshot = portal_state(request).snapshots.get(found.incident_id)
    return portal.personal_notice(connection=connection, snapshot=snapshot, found=found)


def portal_visitor(request: Request) -> tuple[int, int] | None:
    token = request.cookies.get(PORTAL_COOKIE, "")
    return portal.session_person(portal_state(request).keyring, token, now=datetime.now(UTC))


def receive(db_session: Session, state: Portal, incident_id: int, inquiry_in: InquiryIn):
    return desk.receive_inquiry(
        db_session=db_session,
        keyring=state.keyring,
        incident=db_session.get(Incident, incident_id),
        inquiry_in=inquiry_in,
        source=InquirySource.PORTAL,
        actor="portal",
    )


def too_many(wait: float) -> JSONResponse:
    seconds = int(wait) + 1
    return JSONResponse(
        {"detail": f"too many requests: try again in {seconds} seconds"},
        429,
        headers={"retry-after": str(seconds)},
    )


async def run_reads(request: Request, function: Callable[..., T], *args: Any) -> T:
    """Run a look-up's reads: on the event loop on SQLite, where an indexed read takes
    microseconds in-process and handing it to a thread would cost more than the read;
    in a worker thread on PostgreSQL, where a read waits on the network."""
    if portal_state(request).database.engine.dialect.name == "sqlite":
        return function(*args)
    return await run_in_threadpool(function, *args)


def busy() -> JSONResponse:
    """No turn to write came in time: come back shortly (nothing was stored)."""
    return JSONResponse(
        {"detail": "busy: nothing was stored; send it again in a few seconds"},
        503,
        headers={"retry-after": "2"},
    )


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that validates its JSON body itself."""
    schema = {"application/json": {"schema": model.model_json_schema()}}
    return {"requestBody": {"required": True, "content": schema}}


def invalid(error: ValidationError) -> JSONResponse:
    """422, naming each field and what is wrong with it."""
    problems = [
        {"field": ".".join(str(part) for part in problem["loc"]), "detail": problem["msg"]}
        for problem in error.errors(include_url=False)
    ]
    return JSONResponse({"detail": problems}, 422)
