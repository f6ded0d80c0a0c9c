"""Where emails go: an SMTP relay, or a local Maildir in the embedded mode.

Every sender takes a batch and says, for each message, what happened: ``sent``,
``deferred`` (a temporary refusal: try again later), ``bounced`` (the recipient was
refused for good) or ``failed`` (refused for good before any recipient was tried). A
sender never raises for one message's trouble; it raises only when it cannot work at all
(a relay that cannot be reached), which leaves the batch ``sending`` for a retry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import mailbox
import re
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
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


@dataclass(frozen=True)
class DomainLimit:
    """At most ``concurrency`` messages in flight, and ``per_second`` a second, to one
    recipient domain; None is no cap."""

    concurrency: int | None = None
    per_second: float | None = None


class DomainLimits:
    """Caps per recipient domain, read from ``*=4/20, gmail.com=2/10``: for each domain
    (``*`` for every other one) the concurrency, then the rate a second; ``-`` for no
    cap on one of them. Large receivers throttle a sender that floods them."""

    SETTING = "BREACHDESK_SMTP_DOMAIN_LIMITS"

    def __init__(self, limits: dict[str, DomainLimit]) -> None:
        self.limits = limits

    @classmethod
    def parse(cls, text: str) -> DomainLimits:
        limits = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            domain, _, caps = item.partition("=")
            concurrency, slash, rate = caps.partition("/")
            try:
                if not domain.strip() or not slash:
                    raise ValueError
                limit = DomainLimit(_cap(concurrency, int), _cap(rate, float))
            except ValueError:
                raise InputError(
                    f"{cls.SETTING}: {item!r} is not DOMAIN=CONCURRENCY/RATE, e.g. "
                    "'*=4/20, gmail.com=2/10' (- for no cap)"
                ) from None
            limits[domain.strip().lower()] = limit
        return cls(limits)

    def for_domain(self, domain: str) -> DomainLimit:
        return self.limits.get(domain, self.limits.get("*", DomainLimit()))


def _cap(text: str, kind: type) -> int | float | None:
    text = text.strip()
    if text == "-":
        return None
    value = kind(text)
    if value <= 0:
        raise ValueError
    return value


class _DomainGate:
    def __init__(self, limit: DomainLimit) -> None:
        self.slots = threading.Semaphore(limit.concurrency) if limit.concurrency else None
        self.interval = 1 / limit.per_second if limit.per_second else 0.0
        self.next_start = 0.0
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def passage(self) -> Iterator[None]:
        """Hold a slot of the domain's concurrency, and wait for its next turn."""
        if self.slots is not None:
            self.slots.acquire()
        try:
            if self.interval:
                with self.lock:
                    now = time.monotonic()
                    start = max(now, self.next_start)
                    self.next_start = start + self.interval
                if start > now:
                    time.sleep(start - now)
            yield
        finally:
            if self.slots is not None:
                self.slots.release()


class SmtpSender:
    """Up to ``connections`` connections to the relay, kept open across batches, each
    sending its share of a batch; STARTTLS when the relay offers it on ``smtp://``, TLS
    from the start on ``smtps://``, AUTH when the URL carries a user, PIPELINING
    (RFC 2920) when the relay offers it (MAIL, RCPT and DATA in one write: two round
    trips a message instead of four), and ``domain_limits`` per recipient domain."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        connections: int = 1,
        domain_limits: DomainLimits | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            # The URL may hold a password: the message names only what is wrong.
            raise InputError(
                "BREACHDESK_SMTP_URL: must be smtp://host:port or smtps://user:password@host:port"
                f" (got a {parts.scheme or 'missing'!r} scheme"
                + ("" if parts.hostname else " and no host")
                + ")"
            )
        if connections < 1:
            raise InputError("BREACHDESK_SMTP_CONNECTIONS: must be at least 1")
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.implicit_tls = parts.scheme == "smtps"
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.connections = connections
        self.domain_limits = domain_limits or DomainLimits({})
        self._idle: list[smtplib.SMTP] = []  # open connections not sending right now
        self._lock = threading.Lock()
        self._gates: dict[str, _DomainGate] = {}
        self._pool: ThreadPoolExecutor | None = None

    def _connect(self) -> smtplib.SMTP:
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
        return connection

    def _gate(self, recipient: str) -> _DomainGate:
        domain = recipient.rpartition("@")[2].lower()
        with self._lock:
            gate = self._gates.get(domain)
            if gate is None:
                gate = self._gates[domain] = _DomainGate(self.domain_limits.for_domain(domain))
            return gate

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        if self.connections == 1:
            return [self._send_through_gate(message) for message in messages]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.connections, thread_name_prefix="smtp")
        return list(self._pool.map(self._send_through_gate, messages))

    def _send_through_gate(self, message: OutgoingEmail) -> SendResult:
        with self._gate(message.recipient).passage():
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            try:
                connection = connection or self._connect()
                result = self._send_one(connection, message)
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # The connection dropped: this message waits, the next one reconnects.
                return SendResult("deferred", f"connection lost: {error}")
            with self._lock:
                self._idle.append(connection)
            return result

    def _send_one(self, connection: smtplib.SMTP, message: OutgoingEmail) -> SendResult:
        recipient = envelope_address(message.recipient)
        options: list[str] = []
        if not recipient.isascii():
            # A non-ASCII mailbox name needs the relay's SMTPUTF8; without it the notice
            # goes by the next channel rather than stopping the run.
            if not connection.has_extn("smtputf8"):
                return SendResult(
                    "failed", "the address is not ASCII and the relay does not offer SMTPUTF8"
                )
            options = ["SMTPUTF8"]
        message = dataclasses.replace(message, recipient=recipient)
        if connection.has_extn("pipelining") and not options:
            return _send_pipelined(connection, message)
        try:
            refused = connection.sendmail(
                message.envelope_from, [message.recipient], message.data, mail_options=options
            )
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients[message.recipient]
            return _refusal(code, reply)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            return _refusal(error.smtp_code, error.smtp_error, by_recipient=False)
        if refused:  # only with several recipients; kept for completeness of the reply
            code, reply = refused[message.recipient]
            return _refusal(code, reply)
        return SendResult("sent")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()


def envelope_address(address: str) -> str:
    """The address as an SMTP envelope carries it: an internationalised domain in its
    ASCII (IDNA) form, which every relay takes; the mailbox name as it is."""
    local, at, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}{at}{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address  # not a valid IDNA name: the relay will say so


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
        return _refusal(mail_code, mail_reply, by_recipient=False)
    if rcpt_code not in (250, 251):
        connection.rset()
        return _refusal(rcpt_code, rcpt_reply)
    if data_code != 354:
        connection.rset()
        return _refusal(data_code, data_reply, by_recipient=False)
    body = _LEADING_DOT.sub(b"..", message.data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    connection.send(body + b".\r\n")
    code, reply = connection.getreply()
    if code != 250:
        return _refusal(code, reply, by_recipient=False)
    return SendResult("sent")


def _refusal(code: int, reply: bytes | str, *, by_recipient: bool = True) -> SendResult:
    """A 4xx is ``deferred``; a permanent refusal of the recipient ``bounced``, of the
    sender or the message (not ``by_recipient``) ``failed``."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    detail = f"{code} {text}"[:500]
    if 400 <= code < 500:
        return SendResult("deferred", detail)
    return SendResult("bounced" if by_recipient else "failed", detail)
