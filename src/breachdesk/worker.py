"""The job worker: on PostgreSQL, `breachdesk worker` processes send campaigns' emails
from Procrastinate's queue, on as many machines as needed.

A send job runs `run_campaign` for a set number of batches, then hands over to a fresh
job, so a worker that is asked to stop finishes within one job and several campaigns
share the workers. Sending is CPU-bound (rendering, signing): run one worker per core.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from procrastinate import App, PsycopgConnector
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from breachdesk.config import Settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery import jobs
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.transport import configured_dkim, configured_sender
from breachdesk.inputs import InputError
from breachdesk.security.crypto import Keyring, load_keyring

# Batches a send job sends before it hands over to a fresh one.
BATCHES_PER_JOB = 50

# The tasks are declared once; `run_worker` runs them against the configured database.
job_app = App(connector=InMemoryConnector())


@dataclass
class WorkerProcess:
    """What this process's jobs share: set up once, when the worker starts."""

    settings: Settings
    database: Database
    keyring: Keyring
    batch_size: int
    stale_after: timedelta
    actor: str


_process: WorkerProcess | None = None


def _this_process() -> WorkerProcess:
    assert _process is not None, "jobs run only inside `breachdesk worker`"
    return _process


@job_app.task(name=jobs.SEND_TASK, queue=jobs.QUEUE, pass_context=False)
def send_campaign(campaign_id: int) -> None:
    """Send the campaign's due emails for up to BATCHES_PER_JOB batches; hand over to a
    new job when more may be due."""
    process = _this_process()
    summary = run_campaign(
        database=process.database,
        keyring=process.keyring,
        campaign_id=campaign_id,
        sender=configured_sender(process.settings),
        actor=process.actor,
        dkim=configured_dkim(process.settings, process.database, campaign_id),
        batch_size=process.batch_size,
        stale_after=process.stale_after,
        max_batches=BATCHES_PER_JOB,
    )
    if summary.batches >= BATCHES_PER_JOB:
        with process.database.session() as db_session:
            jobs.enqueue_sends(db_session=db_session, campaign_id=campaign_id)


@job_app.periodic(cron="* * * * *")
@job_app.task(name="breachdesk.sweep", queue=jobs.QUEUE, queueing_lock="sweep", pass_context=False)
def sweep_every_minute(timestamp: int) -> None:
    """Replace lost jobs and pick up deferrals that have come due."""
    sweep_now()


def sweep_now() -> list[int]:
    process = _this_process()
    with process.database.session() as db_session:
        return jobs.sweep(db_session=db_session, now=utcnow(), stale_after=process.stale_after)


def run_worker(
    settings: Settings,
    *,
    batch_size: int = 200,
    stale_after: timedelta = timedelta(minutes=2),
    until_done: bool = False,
) -> None:
    """Work the queue until stopped (SIGINT, SIGTERM), or with ``until_done`` until no
    job is waiting."""
    global _process
    database = Database.from_settings(settings)
    if database.engine.dialect.name != "postgresql":
        database.dispose()
        raise InputError(
            "breachdesk worker needs PostgreSQL (BREACHDESK_DATABASE_URL="
            "postgresql+psycopg://…); on SQLite, send with `breachdesk campaign run ID`"
        )
    database.ensure_schema()
    _process = WorkerProcess(
        settings=settings,
        database=database,
        keyring=load_keyring(settings),
        batch_size=batch_size,
        stale_after=stale_after,
        actor=f"worker:{socket.gethostname()}:{os.getpid()}",
    )
    try:
        sweep_now()  # jobs lost while no worker ran, before the first minute's sweep
        conninfo = make_url(database.url).set(drivername="postgresql")
        app = job_app.with_connector(
            PsycopgConnector(conninfo=conninfo.render_as_string(hide_password=False))
        )
        app.run_worker(
            queues=[jobs.QUEUE],
            name=_process.actor,
            wait=not until_done,
            delete_jobs="successful",
        )
    finally:
        _process = None
        database.dispose()
