"""Workers on PostgreSQL: a wave's send jobs commit with its outbox rows, any number of
workers share a campaign, and a worker killed again and again loses nobody."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select, text

from breachdesk.db import Database, utcnow
from breachdesk.delivery import service
from breachdesk.delivery.jobs import SEND_TASK, sweep
from breachdesk.delivery.models import MessageState, OutboxMessage
from tests.delivery.conftest import approve_default_template, import_people, wait_for_a_claim
from tests.people.conftest import person

BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))
PEOPLE = 120


@pytest.fixture
def on_postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("workers need PostgreSQL; SQLite sends with `campaign run`")
    return database_url


def waiting_jobs(database_url: str, campaign: int) -> int:
    database = Database(database_url)
    with database.session() as db_session:
        count = db_session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
                " AND task_name = :task AND (args->>'campaign_id')::int = :campaign"
            ),
            {"task": SEND_TASK, "campaign": campaign},
        )
    database.dispose()
    return count


def outbox(database_url: str, campaign: int) -> list[OutboxMessage]:
    database = Database(database_url)
    with database.session() as db_session:
        rows = list(
            db_session.scalars(select(OutboxMessage).where(OutboxMessage.campaign_id == campaign))
        )
    database.dispose()
    return rows


def worker(environment: dict[str, str], *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [BREACHDESK, "worker", *options],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_worker_refuses_sqlite_and_says_what_to_do_instead(run_cli, database_url) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite half")
    result = run_cli("worker")
    assert result.exit_code != 0
    assert "needs PostgreSQL" in result.output and "campaign run" in result.output


def test_a_wave_and_its_send_jobs_commit_together(run_cli, incident, tmp_path, on_postgres) -> None:
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, 7)])
    campaign = int(run_cli("campaign", "create", "--incident", incident).output)
    assert waiting_jobs(on_postgres, campaign) == 0

    # A wave whose transaction rolls back leaves neither rows nor jobs behind.
    database = Database(on_postgres)
    with database.session_factory() as db_session:
        service.schedule_wave(
            db_session=db_session, campaign_id=campaign, starts_at=utcnow(), actor="test"
        )
        db_session.rollback()
    database.dispose()
    assert waiting_jobs(on_postgres, campaign) == 0 and outbox(on_postgres, campaign) == []

    assert run_cli("campaign", "wave", campaign).exit_code == 0
    assert waiting_jobs(on_postgres, campaign) == 1
    assert len(outbox(on_postgres, campaign)) == 6

    # A paused campaign's rows are not due; resuming it enqueues the sends again.
    assert run_cli("campaign", "pause", campaign).exit_code == 0
    assert run_cli("campaign", "resume", campaign).exit_code == 0
    assert waiting_jobs(on_postgres, campaign) == 2


def test_the_sweep_replaces_a_lost_job_once(run_cli, incident, tmp_path, on_postgres) -> None:
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, 4)])
    campaign = int(run_cli("campaign", "create", "--incident", incident).output)
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    database = Database(on_postgres)
    with database.session() as db_session:
        # The job was lost with its worker: only the due rows remain.
        db_session.execute(text("DELETE FROM procrastinate_jobs"))
    with database.session() as db_session:
        assert sweep(db_session=db_session, now=utcnow(), stale_after=timedelta(0)) == [campaign]
    with database.session() as db_session:
        # A job is waiting now: the next sweep adds none.
        assert sweep(db_session=db_session, now=utcnow(), stale_after=timedelta(0)) == []
    database.dispose()
    assert waiting_jobs(on_postgres, campaign) == 1


def test_two_workers_send_a_campaign_once_to_everyone(
    run_cli, incident, tmp_path, settings_env, on_postgres, relay
) -> None:
    handler, url = relay
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, PEOPLE + 1)])
    campaign = int(run_cli("campaign", "create", "--incident", incident).output)
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    environment = {**os.environ, **settings_env, "BREACHDESK_SMTP_URL": url}
    # Small batches: a job hands over after 50 of them, so both workers get work.
    workers = [worker(environment, "--until-done", "--batch", "2") for _ in range(2)]
    for process in workers:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output

    rows = outbox(on_postgres, campaign)
    assert len(rows) == PEOPLE and all(row.state is MessageState.SENT for row in rows)
    captured = Counter(message_from_bytes(data)["Message-ID"] for _, data in handler.received)
    assert captured == Counter({row.message_id: 1 for row in rows})
    assert waiting_jobs(on_postgres, campaign) == 0


def test_kill_the_worker_again_and_again_and_lose_nobody(
    run_cli, incident, tmp_path, settings_env, on_postgres, relay
) -> None:
    handler, url = relay
    handler.seconds_per_message = 0.03  # kills land while a batch is being sent
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, PEOPLE + 1)])
    campaign = int(run_cli("campaign", "create", "--incident", incident).output)
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    environment = {**os.environ, **settings_env, "BREACHDESK_SMTP_URL": url}
    # One worker at a time, so --stale-after 0 resends only what a killed one left.
    options = ("--batch", "8", "--stale-after", "0")
    chance = random.Random(20261124)  # noqa: S311 - timing, not secrets
    kills = 8
    for _ in range(kills):
        started = utcnow()
        process = worker(environment, *options)
        # Kill it while a batch is being sent (8 emails, 30 ms each), however long the
        # worker takes to start on a busy machine.
        everything_sent = not wait_for_a_claim(on_postgres, campaign, started)
        if not everything_sent:
            time.sleep(chance.uniform(0.0, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if everything_sent:
            break
    finished = worker(environment, "--until-done", *options)
    output, _ = finished.communicate(timeout=300)
    assert finished.returncode == 0, output

    rows = outbox(on_postgres, campaign)
    assert len(rows) == PEOPLE and all(row.state is MessageState.SENT for row in rows)
    captured = Counter(message_from_bytes(data)["Message-ID"] for _, data in handler.received)
    assert set(captured) == {row.message_id for row in rows}
    delivered_twice = sum(count - 1 for count in captured.values())
    recorded = sum(row.resent_after_interruption for row in rows)
    assert delivered_twice <= recorded <= kills * 8
    assert recorded > 0
