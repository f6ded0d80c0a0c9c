"""The FastAPI app factory. Each domain with web routes mounts its router here."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from breachdesk import __version__
from breachdesk.config import Settings, get_settings
from breachdesk.console.views import install as install_console
from breachdesk.console.web import Console
from breachdesk.db import Database
from breachdesk.delivery.embedded import send_due_campaigns, sends_in_process
from breachdesk.delivery.transport import configured_sender
from breachdesk.delivery.views import router as ses_hooks
from breachdesk.desk.mail import send_queued_mail
from breachdesk.desk.remedy_views import router as remedies_api
from breachdesk.desk.suggest import default_ranker
from breachdesk.desk.views import router as desk_api
from breachdesk.migrations import current_revision, head_revision
from breachdesk.portal.api import router as portal_api
from breachdesk.portal.limits import Guard
from breachdesk.portal.remedies import router as portal_remedies
from breachdesk.portal.views import not_found
from breachdesk.portal.views import router as portal_pages
from breachdesk.portal.web import Portal
from breachdesk.rules.catalog import shipped_rules
from breachdesk.security.crypto import Keyring, load_keyring
from breachdesk.security.views import router as staff_api


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        database.ensure_schema()
        # The rule catalog and the portal's incident load before the first visitor, who
        # would otherwise wait seconds for them.
        await run_in_threadpool(_warm_up, app)
        mailer = asyncio.create_task(_send_desk_mail_continually(settings, database))
        campaigns = None
        if sends_in_process(database):
            campaigns = asyncio.create_task(_send_due_campaigns_continually(settings, database))
        yield
        mailer.cancel()
        if campaigns is not None:
            campaigns.cancel()
        database.dispose()

    app = FastAPI(
        title="breachdesk",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    keyring = load_keyring(settings)
    app.state.settings = settings
    app.state.database = database
    app.state.keyring = keyring
    app.state.portal = Portal(settings=settings, keyring=keyring, database=database)
    # Loading a language model takes seconds: only when a suggestion is first asked for.
    app.state.ranker = functools.cache(default_ranker)
    # Provider webhooks: SES bounces and complaints, from the SNS topics named.
    app.state.ses_sns_topic_arns = {
        arn.strip() for arn in settings.ses_sns_topic_arns.split(",") if arn.strip()
    }
    # The portal's JSON routes first, and directly on the app rather than as an included
    # router: routes are matched in order, each inclusion adds a layer to every request,
    # and in a surge these are most of the traffic.
    app.router.routes.extend(portal_api.routes)
    app.include_router(portal_pages)
    app.include_router(portal_remedies)
    app.include_router(ses_hooks)
    app.include_router(staff_api)
    app.include_router(desk_api)
    app.include_router(remedies_api)
    install_console(app, Console.create(settings=settings, keyring=keyring, database=database))
    app.add_exception_handler(404, not_found)
    app.add_middleware(Guard, max_in_flight=settings.max_in_flight)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """For load balancers: 200 when the database answers and its schema is current."""
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            schema = current_revision(database.engine)
        except Exception as error:  # any failure means unhealthy
            return JSONResponse({"status": "error", "detail": type(error).__name__}, 503)
        healthy = schema == head_revision()
        return JSONResponse(
            {"status": "ok" if healthy else "schema out of date", "schema": schema},
            200 if healthy else 503,
        )

    return app


def _warm_up(app: FastAPI) -> None:
    shipped_rules()
    app.state.portal.snapshot()


DESK_MAIL_INTERVAL = 5  # seconds between runs of the desk's mail sender

log = logging.getLogger(__name__)


async def _send_desk_mail_continually(settings: Settings, database: Database) -> None:
    """Acknowledgements and replies go out within seconds of being queued. Every web
    process runs this; a queued email is claimed by one of them only (FOR UPDATE SKIP
    LOCKED on PostgreSQL, the write lock on SQLite)."""
    keyring = load_keyring(settings)
    while True:
        await asyncio.sleep(DESK_MAIL_INTERVAL)
        try:
            await run_in_threadpool(_send_desk_mail_once, settings, database, keyring)
        except Exception:  # a relay that is down must not stop the loop: retried next run
            log.exception("sending the desk's queued emails failed; trying again shortly")


async def _send_due_campaigns_continually(settings: Settings, database: Database) -> None:
    """Embedded mode has no workers: the web process sends a wave when it comes due, and
    retries deferred emails, as `breachdesk worker` does on PostgreSQL."""
    keyring = load_keyring(settings)
    while True:
        await asyncio.sleep(DESK_MAIL_INTERVAL)
        try:
            await run_in_threadpool(
                send_due_campaigns, settings=settings, database=database, keyring=keyring
            )
        except Exception:  # as for the desk's mail: retried on the next run
            log.exception("starting the campaigns' due sends failed; trying again shortly")


def _send_desk_mail_once(settings: Settings, database: Database, keyring: Keyring) -> None:
    sender = configured_sender(settings)
    try:
        with database.session() as db_session:
            send_queued_mail(
                db_session=db_session, keyring=keyring, sender=sender, actor="desk-mail"
            )
    finally:
        sender.close()


def run_server(settings: Settings | None = None, *, workers: int = 1) -> None:
    """Serve until stopped. With several ``workers`` each is its own process reading the
    settings from the environment, so only the environment's settings apply."""
    import uvicorn

    settings = settings or get_settings()
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }
    if workers > 1:
        uvicorn.run("breachdesk.main:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)
