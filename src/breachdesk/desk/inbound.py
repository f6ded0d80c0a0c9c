"""Inquiries by email: read from an inbound Maildir, or an IMAP mailbox when configured.

Each message becomes a new inquiry, a follow-up on the inquirer's own ticket, or is
skipped (automatic replies, bounce reports, mail without a usable sender, mail read
before) and counted; ``mailtext`` turns it into the text recorded. Reading is two steps,
so a message leaves the mailbox only once it is on record: ``read_maildir`` /
``read_imap`` record what they read in the caller's transaction; after the commit the
caller calls ``finish()`` on the summary, which moves the messages to the Maildir folder
``.breachdesk-read`` or marks them ``\\Seen`` on the IMAP server.

Every message recorded keeps its Message-ID: a new inquiry's in
``Inquiry.source_message_id``, a follow-up's in ``InquiryMessage.source_message_id``,
both unique. A message whose Message-ID is on record is skipped as already read, so a
crash between the commit and ``finish()`` adds nothing on the next run, and neither does
a second reader of the same mailbox that recorded it meanwhile.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import ssl
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from mailbox import Maildir
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError
from sqlalchemy import select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.desk.events import InboundMailRead
from breachdesk.desk.mailtext import ParsedMail, inquiry_text, parse_message, reference_in
from breachdesk.desk.models import DeskMail, Inquiry, InquiryMessage, InquirySource
from breachdesk.desk.schemas import InquiryIn
from breachdesk.desk.service import add_follow_up, email_index, receive_inquiry
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError
from breachdesk.security.crypto import Keyring

READ_FOLDER = "breachdesk-read"  # the Maildir folder .breachdesk-read
IMAP_TIMEOUT = 60
# Messages one read takes; the rest wait for the next (one transaction stays short).
READ_LIMIT = 500


@dataclass
class InboundSummary:
    """One read of a mailbox. Call ``finish()`` after committing the transaction the
    read was recorded in: it moves (Maildir) or marks seen (IMAP) what was read."""

    source: str
    messages: int = 0
    new_inquiries: int = 0
    follow_ups: int = 0
    skipped_because: Counter[str] = field(default_factory=Counter)
    more_waiting: bool = False  # the read stopped at its limit
    _finish: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_because.values())

    def finish(self) -> None:
        if self._finish is not None:
            self._finish()
            self._finish = None

    def line(self) -> str:
        if not self.messages:
            return f"no new mail in {self.source}"
        plural = "" if self.messages == 1 else "s"
        parts = [
            f"{self.new_inquiries:,} new {'inquiry' if self.new_inquiries == 1 else 'inquiries'}",
            f"{self.follow_ups:,} follow-up{'' if self.follow_ups == 1 else 's'}",
            f"{self.skipped:,} skipped",
        ]
        text = f"{self.messages:,} message{plural} read from {self.source}: " + ", ".join(parts)
        if self.skipped:
            reasons = ", ".join(f"{n:,} {why}" for why, n in sorted(self.skipped_because.items()))
            text += f" ({reasons})"
        return text + ("; more mail is waiting: run again" if self.more_waiting else "")


# Recording ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    db_session: Session
    keyring: Keyring
    incident: Incident
    actor: str
    own_addresses: frozenset[str]


def _desk(db_session: Session, keyring: Keyring, incident: Incident, actor: str) -> _Desk:
    organisation = incident.organisation
    own = {identity["email"].lower() for identity in organisation.sender_identities}
    if organisation.support_email:
        own.add(organisation.support_email.lower())
    return _Desk(db_session, keyring, incident, actor, frozenset(own))


def _record(desk: _Desk, data: bytes) -> str:
    """Record one message: "new", "follow-up", or why it was skipped."""
    try:
        mail = parse_message(data)
    except Exception:  # a malformed message must not stop the read
        return "unreadable"
    if mail.automatic:
        return mail.automatic
    if mail.sender is None:
        return "no usable sender address"
    if mail.sender.lower() in desk.own_addresses:
        return "sent by the desk itself"
    if _on_record(desk.db_session, mail.message_id):
        return "already read"
    try:
        # A savepoint per message: if another reader recorded this one since the check
        # above, its unique Message-ID fails the write, and only this message is undone.
        with desk.db_session.begin_nested():
            return _record_mail(desk, mail)
    except IntegrityError:
        if _on_record(desk.db_session, mail.message_id):
            return "already read"
        raise


def _on_record(db_session: Session, message_id: str) -> bool:
    """Whether a message with this Message-ID is on record, as an inquiry or a follow-up."""
    recorded = union_all(
        select(Inquiry.id).where(Inquiry.source_message_id == message_id),
        select(InquiryMessage.id).where(InquiryMessage.source_message_id == message_id),
    )
    return db_session.execute(recorded.limit(1)).first() is not None


def _record_mail(desk: _Desk, mail: ParsedMail) -> str:
    """Record a message not read before: a follow-up, or a new inquiry."""
    inquiry = _ticket_of_sender(desk, mail)
    if inquiry is not None:
        add_follow_up(
            db_session=desk.db_session,
            keyring=desk.keyring,
            inquiry=inquiry,
            text=inquiry_text(mail, follow_up=True),
            actor=desk.actor,
            source_message_id=mail.message_id,
        )
        return "follow-up"
    text = inquiry_text(mail, follow_up=False)
    try:
        inquiry_in = InquiryIn(
            name=mail.name,
            email=mail.sender,
            subject=mail.subject[:300],
            message=text,
            reference=reference_in(f"{mail.text}\n{mail.subject}"),
            language=mail.language,
        )
    except ValidationError:
        return "no usable sender address"
    receive_inquiry(
        db_session=desk.db_session,
        keyring=desk.keyring,
        incident=desk.incident,
        inquiry_in=inquiry_in,
        source=InquirySource.EMAIL,
        actor=desk.actor,
        source_message_id=mail.message_id,
    )
    return "new"


def _ticket_of_sender(desk: _Desk, mail: ParsedMail) -> Inquiry | None:
    """The inquiry this message follows up: a ticket in its subject, of this incident,
    whose inquirer sent it (same email) or which it replies to (names our email). A
    ticket quoted by anyone else is not theirs to write on.

    The inquiry's row stays locked until the commit (PostgreSQL; a SQLite transaction
    holds the write lock already), so whether a follow-up reopens it is decided on its
    current status, not on one an agent is changing meanwhile.
    """
    if not mail.tickets:
        return None
    sender_index = email_index(desk.keyring, mail.sender or "")
    for ticket in mail.tickets:
        inquiry = desk.db_session.scalar(
            select(Inquiry)
            .where(Inquiry.ticket == ticket, Inquiry.incident_id == desk.incident.id)
            .with_for_update()
        )
        if inquiry is None:
            continue
        if inquiry.email_index == sender_index:
            return inquiry
        if mail.replying_to and desk.db_session.scalar(
            select(DeskMail.id)
            .where(DeskMail.inquiry_id == inquiry.id, DeskMail.message_id.in_(mail.replying_to))
            .limit(1)
        ):
            return inquiry
    return None


def _record_all(desk: _Desk, summary: InboundSummary, messages: Iterable[bytes]) -> InboundSummary:
    for data in messages:
        summary.messages += 1
        outcome = _record(desk, data)
        if outcome == "new":
            summary.new_inquiries += 1
        elif outcome == "follow-up":
            summary.follow_ups += 1
        else:
            summary.skipped_because[outcome] += 1
    if summary.messages:  # an empty mailbox changes nothing: no event
        audit.record(
            db_session=desk.db_session,
            event=InboundMailRead(
                incident=desk.incident.id,
                source=summary.source,
                messages=summary.messages,
                new_inquiries=summary.new_inquiries,
                follow_ups=summary.follow_ups,
                skipped=summary.skipped,
            ),
            actor=desk.actor,
        )
    return summary


# Maildir -----------------------------------------------------------------------------


def read_maildir(
    *,
    db_session: Session,
    keyring: Keyring,
    incident: Incident,
    path: Path,
    actor: str,
    limit: int = READ_LIMIT,
) -> InboundSummary:
    """Record up to ``limit`` messages of the Maildir's ``new/`` and ``cur/``;
    ``finish()`` (after the commit) moves them to its folder ``.breachdesk-read``."""
    path = Path(path)
    if not ((path / "cur").is_dir() and (path / "new").is_dir()):
        raise InputError(f"{path}: not a Maildir (it needs cur/ and new/ folders)")
    files = [
        path / sub / name
        for sub in ("new", "cur")
        for name in sorted(os.listdir(path / sub))
        if not name.startswith(".") and (path / sub / name).is_file()
    ]
    summary = InboundSummary(
        source=str(path), more_waiting=len(files) > limit, _finish=lambda: _move_read(path, files)
    )
    files = files[:limit]
    desk = _desk(db_session, keyring, incident, actor)
    return _record_all(desk, summary, (file.read_bytes() for file in files))


def _move_read(path: Path, files: list[Path]) -> None:
    """Into ``.breachdesk-read/cur``, flagged seen: a rename, so a message is in one
    place or the other, never half-copied."""
    if not files:
        return
    Maildir(path, create=False).add_folder(READ_FOLDER)  # Maildir++: the folder .NAME
    read = path / f".{READ_FOLDER}"
    for file in files:
        unique, _, info = file.name.partition(":")
        flags = set(info[2:]) if info.startswith("2,") else set()
        try:
            file.rename(read / "cur" / f"{unique}:2,{''.join(sorted(flags | {'S'}))}")
        except FileNotFoundError:
            continue  # moved by another reader meanwhile


# IMAP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapAddress:
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    tls: bool

    def display(self) -> str:
        """The address without its password, for the summary and the audit trail."""
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}"


def parse_imap_url(url: str, *, mailbox: str = "INBOX") -> ImapAddress:
    """``imaps://user:password@host:port/MAILBOX`` (port 993 by default; user and
    password URL-escaped); ``imap://`` (no TLS) only on 127.0.0.1 or localhost. The
    mailbox in the URL wins over ``mailbox``."""
    what = "BREACHDESK_INBOUND_IMAP_URL"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InputError(f"{what}: not a URL ({error})") from None
    if parts.scheme not in ("imaps", "imap"):
        raise InputError(f"{what}: must start with imaps:// (or imap:// on localhost)")
    host = parts.hostname or ""
    if not host:
        raise InputError(f"{what}: names no host")
    if parts.scheme == "imap" and host not in ("127.0.0.1", "localhost", "::1"):
        raise InputError(
            f"{what}: imap:// sends the password in clear; use imaps:// (only 127.0.0.1 and "
            "localhost may use imap://)"
        )
    if not parts.username or parts.password is None:
        raise InputError(f"{what}: give the user and password: imaps://user:password@host/")
    name = unquote(parts.path.lstrip("/")) or mailbox
    if not name.isascii() or any(char in name for char in "\r\n"):
        raise InputError(f"{what}: the mailbox name must be plain ASCII")
    tls = parts.scheme == "imaps"
    return ImapAddress(
        host=host,
        port=port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password),
        mailbox=name,
        tls=tls,
    )


def read_imap(
    *,
    db_session: Session,
    keyring: Keyring,
    incident: Incident,
    url: str,
    actor: str,
    mailbox: str = "INBOX",
    limit: int = READ_LIMIT,
) -> InboundSummary:
    """Record up to ``limit`` of the mailbox's unseen messages, fetched with BODY.PEEK[]
    from a read-only selection so nothing is marked yet; ``finish()`` (after the commit)
    marks them ``\\Seen``."""
    address = parse_imap_url(url, mailbox=mailbox)
    connection = _imap_open(address, readonly=True)
    try:
        validity = _uid_validity(connection)
        typ, data = connection.uid("SEARCH", "UNSEEN")
        _imap_ok(typ, data, address, "search the mailbox")
        unseen = [uid.decode("ascii") for uid in (data[0] or b"").split()]
        uids = unseen[:limit]
        messages = [_imap_fetch(connection, address, uid) for uid in uids]
    except (OSError, imaplib.IMAP4.error) as error:
        raise InputError(f"the IMAP server {address.host} broke off the read: {error}") from None
    finally:
        _imap_close(connection)
    summary = InboundSummary(
        source=address.display(),
        more_waiting=len(unseen) > limit,
        _finish=lambda: _mark_seen(address, validity, uids),
    )
    desk = _desk(db_session, keyring, incident, actor)
    return _record_all(desk, summary, messages)


def _imap_open(address: ImapAddress, *, readonly: bool) -> imaplib.IMAP4:
    where = f"{address.host}:{address.port}"
    try:
        if address.tls:
            connection = imaplib.IMAP4_SSL(
                address.host,
                address.port,
                ssl_context=ssl.create_default_context(),
                timeout=IMAP_TIMEOUT,
            )
        else:
            connection = imaplib.IMAP4(address.host, address.port, timeout=IMAP_TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as error:
        raise InputError(f"cannot reach the IMAP server {where}: {error}") from None
    try:
        connection.login(address.user, address.password)
        quoted = '"' + address.mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
        typ, _ = connection.select(quoted, readonly=readonly)
    except (OSError, imaplib.IMAP4.error) as error:
        _imap_close(connection)
        raise InputError(
            f"the IMAP server {where} refused {address.user}: {error}; check the user and "
            "password in BREACHDESK_INBOUND_IMAP_URL"
        ) from None
    if typ != "OK":
        _imap_close(connection)
        raise InputError(f"the IMAP server {where} has no mailbox {address.mailbox!r}")
    return connection


def _uid_validity(connection: imaplib.IMAP4) -> str:
    _, data = connection.response("UIDVALIDITY")
    return (data[0] or b"").decode("ascii", "replace") if data and data[0] else ""


def _imap_ok(typ: str, data: list, address: ImapAddress, doing: str) -> None:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
        raise InputError(f"the IMAP server {address.host} would not {doing}: {detail}")


def _imap_fetch(connection: imaplib.IMAP4, address: ImapAddress, uid: str) -> bytes:
    typ, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
    _imap_ok(typ, data, address, f"send message {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return b""  # gone meanwhile: counted as a message without a sender


def _mark_seen(address: ImapAddress, validity: str, uids: list[str]) -> None:
    """Mark the messages read as ``\\Seen``. Under a new UIDVALIDITY the numbers name
    other messages: nothing is marked, and the next read skips them as already read."""
    if not uids:
        return
    try:
        connection = _imap_open(address, readonly=False)
        try:
            if _uid_validity(connection) != validity:
                return
            for start in range(0, len(uids), 500):
                batch = ",".join(uids[start : start + 500])
                typ, data = connection.uid("STORE", batch, "+FLAGS", "(\\Seen)")
                _imap_ok(typ, data, address, "mark the messages read as seen")
        finally:
            _imap_close(connection)
    except (InputError, OSError, imaplib.IMAP4.error) as error:
        raise InputError(
            f"{error}. The messages are on record but still unseen; the next read skips "
            "them as already read and marks them then"
        ) from None


def _imap_close(connection: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        connection.logout()
