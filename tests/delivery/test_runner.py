"""Sending a campaign: against a real SMTP server that defers and refuses, and across a
run that dies mid-batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select

from breachdesk.config import get_settings
from breachdesk.db import Database, utcnow
from breachdesk.delivery import senders, service
from breachdesk.delivery.models import ChannelPolicy, MessageState, OutboxMessage
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import OutgoingEmail, SendResult, SmtpSender
from breachdesk.security.crypto import load_keyring
from tests.delivery.conftest import WITH_EMAIL, approve_default_template, import_people
from tests.people.conftest import person


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _campaign(database: Database, incident: int) -> int:
    with database.session() as db_session:
        campaign = service.create_campaign(
            db_session=db_session,
            incident_id=incident,
            kind="initial",
            channel_policy=ChannelPolicy.EMAIL,
            actor="lead@acme.example",
        )
        service.schedule_wave(
            db_session=db_session, campaign_id=campaign.id, starts_at=utcnow(), actor="lead"
        )
        return campaign.id


def _channel_rows(database: Database, campaign: int, channel: str) -> list[OutboxMessage]:
    with database.session() as db_session:
        return list(
            db_session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.campaign_id == campaign, OutboxMessage.channel == channel)
                .order_by(OutboxMessage.id)
            )
        )


def _rows(database: Database, campaign: int) -> list[OutboxMessage]:
    return _channel_rows(database, campaign, "email")


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-at-a-time"])
def test_deferrals_are_retried_later_and_refusals_are_final(
    run_cli, incident, tmp_path, database, relay, monkeypatch, pipelining
) -> None:
    handler, url = relay
    handler.pipelining = pipelining
    pipelined = []
    send_pipelined = senders._send_pipelined
    monkeypatch.setattr(
        senders,
        "_send_pipelined",
        lambda connection, message: (
            pipelined.append(message) or send_pipelined(connection, message)
        ),
    )
    approve_default_template(run_cli, tmp_path)
    people = [person(1), person(2), person(3, email="busy@example.com")]
    import_people(run_cli, tmp_path, incident, [*people, person(4, email="nobody@example.com")])
    campaign = _campaign(database, incident)
    keyring = load_keyring(get_settings())

    def run(clock=utcnow):
        return run_campaign(
            database=database,
            keyring=keyring,
            campaign_id=campaign,
            sender=SmtpSender(url),
            actor="lead@acme.example",
            clock=clock,
        )

    first = run()
    assert dict(first.outcomes) == {"sent": 2, "deferred": 1, "bounced": 1}
    rows = _rows(database, campaign)
    busy = next(row for row in rows if row.state is MessageState.DEFERRED)
    assert "451" in busy.last_error and busy.next_attempt_at > busy.deferred_at
    nobody = next(row for row in rows if row.state is MessageState.BOUNCED)
    assert "550" in nobody.last_error
    # Refused for good: the person's notice goes on as a letter.
    assert first.queued_on_next_channel == 1
    letter = _channel_rows(database, campaign, "letter")
    assert [(row.person_id, row.state) for row in letter] == [(nobody.person_id, "queued")]
    assert letter[0].channel_reason.startswith("email failed: 550")
    assert sorted(recipient for recipient, _ in handler.received) == [
        "ann.lee1@example.com",
        "ann.lee2@example.com",
    ]

    assert not run().outcomes  # not yet time to try again
    handler.deferring = False
    later = run(clock=lambda: utcnow() + timedelta(hours=1))
    assert dict(later.outcomes) == {"sent": 1}
    retried = next(row for row in _rows(database, campaign) if row.id == busy.id)
    assert retried.state is MessageState.SENT and retried.attempts == 2
    assert retried.message_id == busy.message_id  # the same notice, tried again
    assert len(handler.received) == 3
    # Each attempt went pipelined exactly when the relay offered it.
    assert len(pipelined) == (5 if pipelining else 0)


class DiesMidBatch:
    """A sender whose process dies after the batch was claimed, before any outcome."""

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        raise KeyboardInterrupt  # what a kill looks like from inside the run

    def close(self) -> None:
        pass


class Recording:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        self.sent.extend(messages)
        return [SendResult("sent") for _ in messages]

    def close(self) -> None:
        pass


def test_a_run_that_dies_mid_batch_loses_nobody_and_resends_the_same_message_ids(
    ready, database
) -> None:
    campaign = _campaign(database, ready)
    keyring = load_keyring(get_settings())
    options = {"database": database, "keyring": keyring, "campaign_id": campaign}
    with pytest.raises(KeyboardInterrupt):
        run_campaign(**options, sender=DiesMidBatch(), actor="lead", batch_size=4)
    stranded = [row for row in _rows(database, campaign) if row.state is MessageState.SENDING]
    assert len(stranded) == 4 and all(row.message_id for row in stranded)

    # A restart right away leaves them alone: their run may still be alive.
    recording = Recording()
    restarted = run_campaign(**options, sender=recording, actor="lead", batch_size=4)
    assert restarted.outcomes["sent"] == WITH_EMAIL - 4
    # Once they are stale, they are sent again, with the Message-IDs they were given.
    recovered = run_campaign(
        **options, sender=recording, actor="lead", stale_after=timedelta(0), batch_size=4
    )
    assert recovered.outcomes["sent"] == 4 and recovered.resent_after_interruption == 4

    rows = _rows(database, campaign)
    assert all(row.state is MessageState.SENT for row in rows) and len(rows) == WITH_EMAIL
    assert sorted(m.message_id for m in recording.sent) == sorted(row.message_id for row in rows)
    assert {row.message_id for row in stranded} <= {m.message_id for m in recording.sent}
    with database.session() as db_session:
        status = service.campaign_status(db_session=db_session, campaign_id=campaign)
    assert status.duplicates_suspected == 4  # at most one batch, and each one recorded
