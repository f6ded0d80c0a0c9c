"""A sending process killed at random moments, again and again: at the end everyone
owed an email has exactly one `sent` notice, every Message-ID reached the relay, and
every possible duplicate is recorded."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

from sqlalchemy import select

from breachdesk.db import Database
from breachdesk.delivery.models import MessageState, OutboxMessage
from tests.delivery.conftest import approve_default_template, import_people
from tests.people.conftest import person

PEOPLE = 160
BATCH = 8
KILLS = 20
BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))


def test_kill_the_sender_twenty_times_and_lose_nobody(
    run_cli, incident, tmp_path, settings_env, database_url, relay
) -> None:
    handler, url = relay
    # A slow relay (30 ms a message) makes most kills land while a batch is being sent.
    handler.seconds_per_message = 0.03
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, [person(n) for n in range(1, PEOPLE + 1)])
    campaign = run_cli("campaign", "create", "--incident", incident).output.strip()
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    environment = {**os.environ, **settings_env, "BREACHDESK_SMTP_URL": url}
    command = [BREACHDESK, "campaign", "run", campaign, "--batch", str(BATCH)]
    chance = random.Random(20261124)  # noqa: S311 - timing, not secrets
    for _ in range(KILLS):
        # --stale-after 0: a killed run is certainly dead, so its batch is resent at once.
        run = subprocess.Popen(
            [*command, "--stale-after", "0"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait for this run's first email at the relay, however long it took to start
        # (the database is no signal on SQLite: a run holds its lock while it sends).
        before, deadline = len(handler.received), time.monotonic() + 60
        while len(handler.received) == before and run.poll() is None:
            assert time.monotonic() < deadline, "the run sent nothing in 60 s"
            time.sleep(0.01)
        if run.poll() is not None:
            break  # everything was sent before this kill
        # A batch of 8 takes about 0.24 s to send: some kills land mid-send, some while
        # recording, some on the next claim.
        time.sleep(chance.uniform(0.0, 0.5))
        run.send_signal(signal.SIGKILL)
        run.wait()
    finished = subprocess.run(
        [*command, "--stale-after", "0"], env=environment, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr

    database = Database(database_url)
    with database.session() as db_session:
        rows = list(
            db_session.scalars(
                select(OutboxMessage).where(OutboxMessage.campaign_id == int(campaign))
            )
        )
    database.dispose()
    assert len(rows) == PEOPLE and len({row.person_id for row in rows}) == PEOPLE
    assert all(row.state is MessageState.SENT for row in rows)

    captured = Counter(message_from_bytes(data)["Message-ID"] for _, data in handler.received)
    assert set(captured) == {row.message_id for row in rows}  # each at least once
    delivered_twice = sum(count - 1 for count in captured.values())
    recorded = sum(row.resent_after_interruption for row in rows)
    # Every extra copy is among those recorded, and each kill costs at most one batch.
    assert delivered_twice <= recorded <= KILLS * BATCH
    assert recorded > 0  # some kill did land mid-batch, so the test tested something
    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["duplicates_suspected"] == recorded
