"""Where emails go: an SMTP relay, or a local Maildir in the embedded mode.

Every sender takes a batch and says, for each message, what happened: ``sent``,
``deferred`` (a temporary refusal: try again later), ``bounced`` (the recipient was
refused for good) or ``failed`` (refused for good before any recipient was tried). A
sender never raises for one message's trouble; it raises only when it cannot work at all
(a relay that cannot be reached), which leaves the batch ``sending`` for a retry.
"""

from __future__ import annotations

import contextlib
import mailbox
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from breachdesk.inputs import InputError


@dataclass(frozen=True)
class OutgoingEmail:
    envelope_from: str
    recipient: str
    message_id: str
    data: bytes  # the whole message, CRLF line ends


@dataclass(frozen=True)
class SendResult:
    state: str  # "sent", "deferred", "bounced" or "failed" (MessageState values)
    detail: str | None = None  # the server's reply, for the record


class Sender(Protocol):
    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]: ...

    def close(self) -> None: ...


class MaildirSender:
    """The embedded mode's capture: each message written to a Maildir, as a mail program
    would find it; nothing leaves the machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._maildir = mailbox.Maildir(path, create=True)

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        for message in messages:
            self._maildir.add(message.data)
        return [SendResult("sent", f"captured in {self.path}") for _ in messages]

    def close(self) -> None:
        self._maildir.close()


class SmtpSender:
    """One connection to the relay, kept open across batches; STARTTLS when the relay
    offers it on ``smtp://``, TLS from the start on ``smtps://``, AUTH when the URL
    carries a user, and PIPELINING (RFC 2920) when the relay offers it: MAIL, RCPT and
    DATA go in one write, so a message costs two round trips instead of four."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            # The URL may hold a password: the message names only what is wrong.
            raise InputError(
                "BREACHDESK_SMTP_URL: must be smtp://host:port or smtps://user:password@host:port"
                f" (got a {parts.scheme or 'missing'!r} scheme"
                + ("" if parts.hostname else " and no host")
                + ")"
            )
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.implicit_tls = parts.scheme == "smtps"
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        context = ssl.create_default_context()
        if self.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
        if self.user:
            connection.login(self.user, self.password or "")
        self._connection = connection
        return connection

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        results = []
        for message in messages:
            try:
                results.append(self._send_one(message))
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # The connection dropped mid-batch: this one waits, the rest reconnect.
                self._connection = None
                results.append(SendResult("deferred", f"connection lost: {error}"))
        return results

    def _send_one(self, message: OutgoingEmail) -> SendResult:
        connection = self._connect()
        if connection.has_extn("pipelining"):
            return _send_pipelined(connection, message)
        try:
            refused = connection.sendmail(message.envelope_from, [message.recipient], message.data)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients[message.recipient]
            return _refusal(code, reply)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            outcome = _refusal(error.smtp_code, error.smtp_error)
            return outcome if outcome.state == "deferred" else SendResult("failed", outcome.detail)
        if refused:  # only with several recipients; kept for completeness of the reply
            code, reply = refused[message.recipient]
            return _refusal(code, reply)
        return SendResult("sent")

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None


_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def _send_pipelined(connection: smtplib.SMTP, message: OutgoingEmail) -> SendResult:
    connection.putcmd("mail", f"FROM:<{message.envelope_from}>")
    connection.putcmd("rcpt", f"TO:<{message.recipient}>")
    connection.putcmd("data")
    mail_code, mail_reply = connection.getreply()
    rcpt_code, rcpt_reply = connection.getreply()
    data_code, data_reply = connection.getreply()
    if data_code == 354 and (mail_code != 250 or rcpt_code not in (250, 251)):
        # A relay that accepts DATA after refusing the envelope: end it empty.
        connection.send(b".\r\n")
        connection.getreply()
    if mail_code != 250:
        connection.rset()
        outcome = _refusal(mail_code, mail_reply)
        return outcome if outcome.state == "deferred" else SendResult("failed", outcome.detail)
    if rcpt_code not in (250, 251):
        connection.rset()
        return _refusal(rcpt_code, rcpt_reply)
    if data_code != 354:
        connection.rset()
        outcome = _refusal(data_code, data_reply)
        return outcome if outcome.state == "deferred" else SendResult("failed", outcome.detail)
    body = _LEADING_DOT.sub(b"..", message.data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    connection.send(body + b".\r\n")
    code, reply = connection.getreply()
    if code != 250:
        outcome = _refusal(code, reply)
        return outcome if outcome.state == "deferred" else SendResult("failed", outcome.detail)
    return SendResult("sent")


def _refusal(code: int, reply: bytes | str) -> SendResult:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    detail = f"{code} {text}"[:500]
    return SendResult("deferred" if 400 <= code < 500 else "bounced", detail)
