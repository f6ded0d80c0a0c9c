"""Bounce reports that arrive after the relay accepted a notice: read, matched to the
notice by Message-ID, and the person's next channel queued."""

from __future__ import annotations

import json
import mailbox
from email import message_from_bytes

import pytest

from breachdesk.delivery.bounces import read_report
from tests.delivery.conftest import WITH_EMAIL

DSN = """\
From: MAILER-DAEMON@mx.example.com
To: notice@mail.acme-health.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system: <{recipient}>: host mx.example.com said: 550 5.1.1 User unknown

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Arrival-Date: Tue, 24 Nov 2026 10:00:00 +0000

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>:
    Recipient address rejected: User unknown

--B
Content-Type: {original_type}

From: Acme Health Supply <notice@mail.acme-health.example>
To: {recipient}
Subject: Notice of Data Breach
Message-ID: {message_id}

--B--
"""


def dsn(message_id: str, recipient: str = "ann.lee1@example.com", **changes: str) -> bytes:
    fields = {"action": "failed", "status": "5.1.1", "original_type": "text/rfc822-headers"}
    fields |= changes
    return DSN.format(message_id=message_id, recipient=recipient, **fields).encode()


@pytest.mark.parametrize("original_type", ["text/rfc822-headers", "message/rfc822"])
def test_a_report_names_the_notice_its_recipient_and_why(original_type) -> None:
    (bounce,) = read_report(dsn("<a1@mail.acme-health.example>", original_type=original_type))
    assert bounce.message_id == "<a1@mail.acme-health.example>"
    assert (bounce.action, bounce.status) == ("failed", "5.1.1")
    assert bounce.recipient == "ann.lee1@example.com"
    assert "Recipient address rejected: User unknown" in bounce.diagnostic


def test_mail_that_is_not_a_report_is_not_read_as_one() -> None:
    assert (
        read_report(b"From: someone@example.com\r\nSubject: hello\r\n\r\nAm I affected?\r\n") == []
    )
    broken = dsn("<a1@x>").replace(b"Message-ID: <a1@x>\n", b"")
    assert read_report(broken) == []  # no way to tell which notice it is about


def test_a_bounce_marks_the_notice_and_queues_a_letter(run_cli, ready, data_dir, tmp_path) -> None:
    campaign = run_cli("campaign", "create", "--incident", ready).output.strip()
    run_cli("campaign", "wave", campaign)
    assert run_cli("campaign", "run", campaign).exit_code == 0
    sent = {}
    for item in mailbox.Maildir(data_dir / "mail-capture", create=False):
        message = message_from_bytes(bytes(item))
        sent[message["To"].split("<")[-1].rstrip(">")] = message["Message-ID"]

    bounces = mailbox.Maildir(tmp_path / "bounces", create=True)
    bounces.add(dsn(sent["ann.lee1@example.com"]))
    bounces.add(dsn(sent["ann.lee2@example.com"], "ann.lee2@example.com", action="delayed"))
    bounces.add(dsn("<not-ours@elsewhere.example>"))
    bounces.add(b"From: a@example.com\r\nSubject: out of office\r\n\r\nAway.\r\n")
    read = run_cli("campaign", "bounces", tmp_path / "bounces")
    assert read.exit_code == 0, read.output
    assert "4 messages read" in read.output
    assert "1 bounced" in read.output and "1 queued on the next channel" in read.output
    assert "1 delayed" in read.output and "1 not our notice" in read.output
    assert "1 were not delivery status reports" in read.output

    status = json.loads(run_cli("campaign", "status", campaign, "--json").output)
    assert status["by_channel"]["email"] == {"sent": WITH_EMAIL - 1, "bounced": 1}
    assert status["by_channel"]["letter"] == {"queued": 2}  # the bounced one joins

    again = run_cli("campaign", "bounces", tmp_path / "bounces")
    assert "1 already recorded" in again.output and "bounced" not in again.output.split(":")[1]
    assert '"campaign.bounces_recorded"' in run_cli("audit", "export").output
    missing = run_cli("campaign", "bounces", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "no such file, folder or Maildir" in missing.output
