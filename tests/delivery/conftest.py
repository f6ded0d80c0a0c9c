"""An incident ready to notify: approved templates, and people to tell on every channel."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.delivery import service as delivery
from breachdesk.delivery.models import FINAL_STATES, Channel, ChannelPolicy, OutboxMessage
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import MaildirSender
from breachdesk.notices.render import default_template
from breachdesk.security.crypto import load_keyring
from tests.people.conftest import HEADER, import_json, person, write_csv

APPROVERS = ("legal_approver", "comms_approver")
# Six people with an email address, one with only a postal address, one with neither.
WITH_EMAIL = 6


def approve_default_template(
    run_cli, tmp_path: Path, language: str = "en", kind: str = "initial"
) -> int:
    """Save the shipped template as the organisation's version and have it approved."""
    path = tmp_path / f"{kind}.{language}.yaml"
    data = default_template(kind, language).model_dump(mode="json")
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    saved = run_cli("notice", "template", "edit", "--org", "acme", "--from", path)
    assert saved.exit_code == 0, saved.output
    listed = json.loads(run_cli("notice", "template", "list", "--org", "acme", "--json").output)
    template_id = next(v["id"] for v in listed if v["language"] == language and v["kind"] == kind)
    for role in APPROVERS:
        secret = tmp_path / f"{role}.pw"
        if not secret.exists():
            secret.write_text("correct horse battery staple 42\n")
            added = run_cli(
                "user", "add", f"{role}@acme.example", "--role", role, "--password-file", secret
            )
            assert added.exit_code == 0, added.output
        approved = run_cli(
            "notice", "template", "approve", template_id,
            "--user", f"{role}@acme.example", "--password-file", secret,
        )  # fmt: skip
        assert approved.exit_code == 0, approved.output
    return template_id


def import_people(run_cli, tmp_path: Path, incident: int, rows: list[list[str]]) -> None:
    path = write_csv(tmp_path / "people.csv", HEADER, rows)
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary


def email_everyone(
    database: Database, incident_id: int, *, starts_at: datetime, months: int, capture: Path
) -> int:
    """An initial campaign by email with a credit-monitoring offer of `months`, one wave
    from `starts_at`, sent in full into the Maildir `capture`; its id."""
    with database.session() as db_session:
        offer = delivery.MonitoringOffer(months=months, url="https://acme-health.example/protect")
        campaign = delivery.create_campaign(
            db_session=db_session, incident_id=incident_id, kind="initial",
            channel_policy=ChannelPolicy.EMAIL, actor="test", offer=offer,
        )  # fmt: skip
        delivery.schedule_wave(
            db_session=db_session, campaign_id=campaign.id, starts_at=starts_at, actor="test"
        )
    run_campaign(
        database=database, keyring=load_keyring(get_settings()), campaign_id=campaign.id,
        sender=MaildirSender(capture), actor="test",
    )  # fmt: skip
    return campaign.id


def everyone() -> list[list[str]]:
    rows = [person(number) for number in range(1, WITH_EMAIL + 1)]
    rows.append(person(7, email=""))  # a letter
    rows.append(person(8, email="", address_line1="", city="", postcode=""))  # neither
    return rows


@pytest.fixture
def ready(run_cli, incident, tmp_path) -> int:
    """The incident, with an approved English template and eight people imported."""
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, everyone())
    return incident


def wait_for_a_claim(database_url: str, campaign: int, moment: datetime) -> bool:
    """Wait until a sender has claimed a batch of the campaign after ``moment`` (True),
    so a kill lands while it is sending however long it took to start; False when
    every email of the campaign is already final."""
    deadline = time.monotonic() + 60
    database = Database(database_url)
    emails = (OutboxMessage.campaign_id == campaign) & (OutboxMessage.channel == Channel.EMAIL)
    try:
        while True:
            with database.session() as db_session:
                latest, open_rows = db_session.execute(
                    select(
                        func.max(OutboxMessage.sending_at),
                        func.count().filter(OutboxMessage.state.not_in(FINAL_STATES)),
                    ).where(emails)
                ).one()
            if latest is not None and latest > moment:
                return True
            if not open_rows:
                return False
            assert time.monotonic() < deadline, "nothing was claimed in 60 s"
            time.sleep(0.02)
    finally:
        database.dispose()


class Relay:
    """An SMTP server on loopback that refuses for a while, or for good, by address."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        self.deferring = True
        self.seconds_per_message = 0.0  # a slow relay, to widen the moment of sending
        self.pipelining = True  # offer PIPELINING (RFC 2920), as postfix does
        self.smtputf8 = True  # offer SMTPUTF8 (RFC 6531), for non-ASCII mailbox names
        self.arrivals: list[tuple[str, float]] = []  # (recipient domain, monotonic time)
        self.in_flight: Counter[str] = Counter()  # messages being received, by domain
        self.most_in_flight: Counter[str] = Counter()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        if not self.smtputf8:
            responses = [line for line in responses if "SMTPUTF8" not in line]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("busy") and self.deferring:
            return "451 4.3.0 mailbox busy, try again later"
        if address.startswith("nobody"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        domain = envelope.rcpt_tos[0].rpartition("@")[2]
        self.arrivals.append((domain, time.monotonic()))
        self.in_flight[domain] += 1
        self.in_flight["*"] += 1
        for key in (domain, "*"):
            self.most_in_flight[key] = max(self.most_in_flight[key], self.in_flight[key])
        if self.seconds_per_message:
            await asyncio.sleep(self.seconds_per_message)
        self.in_flight[domain] -= 1
        self.in_flight["*"] -= 1
        self.received.append((envelope.rcpt_tos[0], envelope.content))
        return "250 OK: queued"


@pytest.fixture
def relay() -> Iterator[tuple[Relay, str]]:
    handler = Relay()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
