"""Bounce reports: delivery status notifications (RFC 3464) that come back after a relay
accepted a notice, read from a bounce mailbox or a file, and recorded against the
notice they are about.

A report names the notice by its Message-ID, in the original message or headers it
returns. ``Action: failed`` marks the notice bounced and queues the person's next
channel; ``Action: delayed`` only says the relay is still trying. Reading the same
report twice changes nothing.
"""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.delivery.fallback import queue_next_channel
from breachdesk.delivery.models import MessageState, OutboxMessage
from breachdesk.inputs import InputError

# A bounce can arrive for a notice in any of these states (a relay may report before
# the run recorded its outcome); a notice already bounced or failed stays as it is.
_BOUNCEABLE = (MessageState.SENT, MessageState.SENDING, MessageState.DEFERRED)


@dataclass(frozen=True)
class Bounce:
    message_id: str
    action: str  # failed, delayed, delivered, relayed or expanded
    status: str | None  # the enhanced status code, e.g. 5.1.1
    recipient: str | None
    diagnostic: str | None

    def detail(self) -> str:
        parts = [part for part in (self.status, self.diagnostic) if part]
        return ("bounce report: " + " ".join(parts))[:500]


def read_report(data: bytes) -> list[Bounce]:
    """The recipients a delivery status notification reports on; [] for other mail."""
    message = message_from_bytes(data, policy=compat32)
    if message.get_content_type() != "multipart/report":
        return []
    status_part = next(
        (p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    message_id = _original_message_id(message)
    if status_part is None or message_id is None:
        return []
    blocks = status_part.get_payload()
    if not isinstance(blocks, list):
        return []
    return [
        Bounce(
            message_id=message_id,
            action=(block.get("Action") or "").strip().lower(),
            status=(block.get("Status") or "").strip() or None,
            recipient=_address(block.get("Final-Recipient")),
            diagnostic=_address(block.get("Diagnostic-Code")),
        )
        for block in blocks[1:]  # the first block is about the message, the rest recipients
        if block.get("Action")
    ]


def _original_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            original = inner[0] if isinstance(inner, list) and inner else None
        elif kind == "text/rfc822-headers":
            original = HeaderParser().parsestr(
                part.get_payload(decode=True).decode("ascii", "replace")
            )
        else:
            continue
        if original is not None and original.get("Message-ID"):
            return str(original["Message-ID"]).strip()
    return None


def _address(field: str | None) -> str | None:
    """``rfc822; ann@example.com`` as ``ann@example.com``; None when absent."""
    if not field:
        return None
    value = " ".join(str(field).split())
    return value.split(";", 1)[1].strip() if ";" in value else value


def reports_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """Each message in a Maildir, a folder of .eml files, or one file, with its name."""
    if (path / "cur").is_dir() or (path / "new").is_dir():
        folder = mailbox.Maildir(path, create=False)
        for key in folder.iterkeys():
            yield f"{path.name}/{key}", folder.get_bytes(key)
    elif path.is_dir():
        for file in sorted(path.glob("*.eml")):
            yield file.name, file.read_bytes()
    elif path.is_file():
        yield path.name, path.read_bytes()
    else:
        raise InputError(f"{path}: no such file, folder or Maildir")


def record_bounces(*, db_session: Session, bounces: list[Bounce], now: datetime) -> Counter[str]:
    """Apply reports to the outbox; counts of what each did."""
    counts: Counter[str] = Counter()
    for bounce in bounces:
        if bounce.action != "failed":
            counts[bounce.action or "no action"] += 1
            continue
        row = db_session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == bounce.message_id)
        )
        if row is None:
            counts["not our notice"] += 1
            continue
        if row.state not in _BOUNCEABLE:
            counts["already recorded"] += 1
            continue
        row.state = MessageState.BOUNCED
        row.failed_at = now
        row.last_error = bounce.detail()
        db_session.flush()
        counts["bounced"] += 1
        if queue_next_channel(db_session=db_session, failed=row, reason=bounce.detail(), now=now):
            counts["queued on the next channel"] += 1
    return counts
