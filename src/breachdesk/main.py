"""The FastAPI app factory. Each domain with web routes mounts its router here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from breachdesk import __version__
from breachdesk.config import Settings, get_settings
from breachdesk.db import Database
from breachdesk.delivery.views import router as ses_hooks
from breachdesk.migrations import current_revision, head_revision


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        database.ensure_schema()
        yield
        database.dispose()

    app = FastAPI(
        title="breachdesk", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.database = database
    # Provider webhooks: SES bounces and complaints, from the SNS topics named.
    app.state.ses_sns_topic_arns = {
        arn.strip() for arn in settings.ses_sns_topic_arns.split(",") if arn.strip()
    }
    app.include_router(ses_hooks)

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


def run_server(settings: Settings | None = None) -> None:
    import uvicorn

    settings = settings or get_settings()
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level
    )
