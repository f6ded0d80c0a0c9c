"""Sending from the web process in embedded mode, where there is no job queue.

On PostgreSQL a wave's send jobs are enqueued with its outbox rows and `breachdesk
worker` sends them. SQLite has no job queue, so in embedded mode the web process sends:
the console starts ``run_campaign`` in a background thread with the configured sender
(the Maildir capture unless SMTP or SES is set), and the campaign's status page follows
its progress from the outbox as each batch commits. One run per campaign at a time in
this process; the claim makes any second sender harmless anyway (a claimed row is not
claimed again), and a run stopped by a restart is resumed by the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from breachdesk.config import Settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery.models import Campaign, CampaignState, has_emails_due
from breachdesk.delivery.runner import RunSummary, run_campaign
from breachdesk.delivery.transport import configured_dkim, configured_sender
from breachdesk.security.crypto import Keyring

log = logging.getLogger(__name__)
# As run_campaign's default: a row left `sending` this long by a stopped run is due again.
STALE_AFTER = timedelta(minutes=2)


@dataclass
class EmbeddedRun:
    """A run of one campaign's sender in this process, and what it has done so far."""

    campaign_id: int
    actor: str
    started_at: datetime
    summary: RunSummary = field(default_factory=RunSummary)
    finished_at: datetime | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.finished_at is None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run to end (True), or ``timeout`` seconds (False)."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.running


_RUNS: dict[tuple[str, int], EmbeddedRun] = {}
_LOCK = threading.Lock()


def sends_in_process(database: Database) -> bool:
    """True when this database has no job queue, so the web process sends (embedded)."""
    return database.engine.dialect.name == "sqlite"


def latest_run(database: Database, campaign_id: int) -> EmbeddedRun | None:
    """The campaign's latest run in this process (under way or finished), if any."""
    return _RUNS.get((database.url, campaign_id))


def start_run(
    *,
    settings: Settings,
    database: Database,
    keyring: Keyring,
    campaign_id: int,
    actor: str,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[EmbeddedRun, bool]:
    """Send the campaign's due emails in a background thread of this process; returns
    the run and True, or the run already under way and False. The sender and DKIM key
    are those of the settings, checked here so a wrong setting is reported at once."""
    key = (database.url, campaign_id)
    with _LOCK:
        current = _RUNS.get(key)
        if current is not None and current.running:
            return current, False
        sender = configured_sender(settings)
        dkim = configured_dkim(settings, database, campaign_id)
        run = EmbeddedRun(campaign_id=campaign_id, actor=actor, started_at=clock())

        def send() -> None:
            try:
                run_campaign(
                    database=database,
                    keyring=keyring,
                    campaign_id=campaign_id,
                    sender=sender,
                    actor=actor,
                    dkim=dkim,
                    clock=clock,
                    on_batch=lambda summary: setattr(run, "summary", summary),
                )
            except Exception as error:  # shown on the status page; the outbox keeps the rest
                log.exception("sending campaign %s from the web process failed", campaign_id)
                run.error = f"{type(error).__name__}: {error}"
            finally:
                run.finished_at = clock()

        run.thread = threading.Thread(
            target=send, name=f"breachdesk-campaign-{campaign_id}", daemon=True
        )
        _RUNS[key] = run
        run.thread.start()
        return run, True


def due_campaigns(*, database: Database, now: datetime) -> list[int]:
    """Running campaigns with emails due now (a wave come due, a deferral to retry)."""
    with database.session() as db_session:
        return list(
            db_session.scalars(
                select(Campaign.id)
                .where(Campaign.state == CampaignState.READY, has_emails_due(now, STALE_AFTER))
                .order_by(Campaign.id)
            )
        )


def send_due_campaigns(
    *, settings: Settings, database: Database, keyring: Keyring, actor: str = "embedded-sender"
) -> list[int]:
    """In embedded mode, start a run for every campaign with emails due and none under
    way; the campaigns started. For a loop in the web process (as the desk's mail
    sender), so a wave scheduled to start later goes out on time; does nothing on a
    database with a job queue, whose workers send."""
    if not sends_in_process(database):
        return []
    started = []
    for campaign_id in due_campaigns(database=database, now=utcnow()):
        _run, new = start_run(
            settings=settings,
            database=database,
            keyring=keyring,
            campaign_id=campaign_id,
            actor=actor,
        )
        if new:
            started.append(campaign_id)
    return started
