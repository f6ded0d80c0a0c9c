"""Send jobs on PostgreSQL, enqueued in the transaction that makes emails due.

A wave's outbox rows and the jobs that send them commit together, so a wave is never
scheduled without the work to send it, nor work enqueued for rows that were rolled
back. Every job claims batches until none is due (or it hands over after a set number
of batches), so any number of workers share a campaign through the claim's
``FOR UPDATE SKIP LOCKED``; a job with nothing left simply ends. A job lost with a
killed worker is replaced by the sweep, which every worker runs on start and then
every minute. SQLite has no job queue: the embedded mode sends with `campaign run`.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    String,
    Table,
    exists,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from breachdesk.delivery.models import (
    Campaign,
    CampaignState,
    has_emails_due,
)

SEND_TASK = "breachdesk.send_campaign"
QUEUE = "notices"
# Jobs a wave fans out to, one per this many emails, at most MAX_FAN_OUT: enough for
# that many workers to share it; more jobs than workers just find nothing left.
EMAILS_PER_JOB = 5_000
MAX_FAN_OUT = 16

# Procrastinate's job table, for the sweep's look at what is waiting (not one of ours:
# its schema comes from Procrastinate).
_JOBS = Table(
    "procrastinate_jobs",
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    Column("status", String),
    Column("task_name", String),
    Column("args", JSONB),
)

_DEFER = text(
    """
    SELECT procrastinate_defer_jobs_v1(ARRAY(
        SELECT ROW(:queue, :task, 0, NULL, :queueing_lock, CAST(:args AS jsonb), :at)
            ::procrastinate_job_to_defer_v1
        FROM generate_series(1, :count)
    ))
    """
)


def has_job_queue(db_session: Session) -> bool:
    return db_session.get_bind().dialect.name == "postgresql"


def enqueue_sends(
    *,
    db_session: Session,
    campaign_id: int,
    jobs: int = 1,
    at: datetime | None = None,
    queueing_lock: str | None = None,
) -> int:
    """Enqueue ``jobs`` send jobs for the campaign, to start at ``at`` (now when None),
    in the caller's transaction; 0 on SQLite, which has no job queue."""
    if not has_job_queue(db_session) or jobs < 1:
        return 0
    db_session.execute(
        _DEFER,
        {
            "queue": QUEUE,
            "task": SEND_TASK,
            "queueing_lock": queueing_lock,
            "args": json.dumps({"campaign_id": campaign_id}),
            "at": at,
            "count": jobs,
        },
    )
    return jobs


def fan_out(emails: int) -> int:
    """How many send jobs a wave of ``emails`` emails is enqueued as."""
    return min(MAX_FAN_OUT, math.ceil(emails / EMAILS_PER_JOB)) if emails else 0


def sweep(*, db_session: Session, now: datetime, stale_after: timedelta) -> list[int]:
    """Enqueue one send job for each running campaign with emails due and no job waiting
    (a job lost with a killed worker, a deferral come due, a resumed campaign); returns
    the campaigns."""
    if not has_job_queue(db_session):
        return []
    jobs = _JOBS.c
    waiting = (
        exists()
        .where(
            jobs.status == literal_column("'todo'"),
            jobs.task_name == SEND_TASK,
            jobs.args["campaign_id"].astext.cast(BigInteger) == Campaign.id,
        )
        .correlate(Campaign)
    )
    due = (
        select(Campaign.id)
        .where(
            Campaign.state == CampaignState.READY,
            has_emails_due(now, stale_after),
            ~waiting,
        )
        .order_by(Campaign.id)
    )
    campaigns = list(db_session.scalars(due))
    for campaign_id in campaigns:
        enqueue_sends(db_session=db_session, campaign_id=campaign_id)
    return campaigns
