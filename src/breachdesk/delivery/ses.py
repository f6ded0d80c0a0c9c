"""Amazon SES: a sender for the SES v2 API, and the bounces and complaints SES reports
back through Amazon SNS.

The sender hands each notice to ``SendEmail`` as raw content, exactly as built (and
DKIM-signed), one call a message, several calls in flight. Requests are signed with
AWS Signature Version 4, written here so breachdesk needs no AWS SDK.

SES publishes what became of a message (event publishing, through a configuration set,
or an identity's notifications) to an SNS topic, and SNS posts each event to
``/hooks/ses``. A message is believed only when its SNS signature verifies with a
certificate fetched over HTTPS from an SNS host. A permanent bounce marks the notice
bounced and queues the person's next channel, as a bounce report read from a mailbox
does; a complaint (the person marked the notice as spam) is counted and audited but
changes nothing, since the notice was delivered.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import hmac
import http.client
import json
import logging
import re
import ssl
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.delivery.bounces import Bounce, record_bounces
from breachdesk.delivery.events import ProviderEventsRecorded
from breachdesk.delivery.models import OutboxMessage
from breachdesk.delivery.senders import OutgoingEmail, SendResult
from breachdesk.inputs import InputError

log = logging.getLogger(__name__)

SEND_PATH = "/v2/email/outbound-emails"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
# An idle keep-alive connection may have been closed by the other end; one older than
# this is not reused (a request on a dead connection would defer a message for nothing).
_IDLE_REUSE_SECONDS = 15.0
# Refusals an operator fixes (account, quota, credentials, configuration set): the
# message waits for the runner's retry schedule instead of failing for good.
_OPERATOR_FIXES = frozenset(
    {
        "AccountSuspendedException",
        "SendingPausedException",
        "NotFoundException",  # the configuration set does not exist
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "AccessDeniedException",
        "MissingAuthenticationTokenException",
    }
)
_THROTTLED = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "ThrottlingException"}
)


# -- AWS Signature Version 4 -------------------------------------------------------------


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """The day's key: HMAC-SHA256 chained over the date, region, service and terminator."""
    key = f"AWS4{secret_access_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign_v4(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: str,
    service: str,
    access_key_id: str,
    secret_access_key: str,
    session_token: str | None,
    now: datetime,
) -> dict[str, str]:
    """The request's headers with ``host``, ``x-amz-date``, ``x-amz-security-token``
    (with a session token) and ``authorization`` added; every header given is signed."""
    parts = urlsplit(url)
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    signed = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
    signed.setdefault("host", _host_header(url))
    signed["x-amz-date"] = amz_date
    if session_token:
        signed["x-amz-security-token"] = session_token
    names = sorted(signed)
    query = sorted(
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    canonical_request = "\n".join(
        [
            method.upper(),
            # The path as sent, encoded once more (every service but S3 wants it so).
            quote(parts.path or "/", safe="/-_.~"),
            "&".join(f"{key}={value}" for key, value in query),
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = signing_key(secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    signed["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return host if parts.port in (None, default_port) else f"{host}:{parts.port}"


# -- The sender ----------------------------------------------------------------------------


class SesSender:
    """Each message to SES ``SendEmail`` as raw content, up to ``concurrency`` calls in
    flight over reused HTTPS connections; the results in the batch's order."""

    def __init__(
        self,
        *,
        region: str,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None = None,
        configuration_set: str | None = None,
        endpoint: str | None = None,
        concurrency: int = 8,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not region or not _REGION.match(region):
            raise InputError(
                f"BREACHDESK_SES_REGION: must be an AWS region such as eu-west-1 (got {region!r})"
            )
        if not access_key_id:
            raise InputError("BREACHDESK_SES_ACCESS_KEY_ID: must be set to send with SES")
        if not secret_access_key:
            raise InputError("BREACHDESK_SES_SECRET_ACCESS_KEY: must be set to send with SES")
        if concurrency < 1 or timeout <= 0:
            raise ValueError("concurrency must be at least 1 and timeout positive")
        endpoint = (endpoint or f"https://email.{region}.amazonaws.com").rstrip("/")
        parts = urlsplit(endpoint)
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
        if not parts.hostname or (parts.scheme != "https" and not loopback) or parts.path:
            raise InputError(
                "BREACHDESK_SES_ENDPOINT: must be https://host[:port] with no path "
                f"(http only on 127.0.0.1 or localhost, for tests); got {endpoint!r}"
            )
        self.region = region
        self.endpoint = endpoint
        self.configuration_set = configuration_set or None
        self.concurrency = concurrency
        self.clock = clock
        self._access_key_id = access_key_id
        self._secret_access_key = secret_access_key
        self._session_token = session_token or None
        self._connections = _Connections(endpoint, timeout)
        self._executor: ThreadPoolExecutor | None = None

    def send(self, messages: Sequence[OutgoingEmail]) -> list[SendResult]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="ses")
        return list(self._executor.map(self._send_one, messages))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._connections.close()

    def _send_one(self, message: OutgoingEmail) -> SendResult:
        request: dict[str, Any] = {
            "FromEmailAddress": message.envelope_from,
            "Destination": {"ToAddresses": [message.recipient]},
            "Content": {"Raw": {"Data": base64.b64encode(message.data).decode("ascii")}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        body = json.dumps(request).encode()
        headers = sign_v4(
            method="POST",
            url=self.endpoint + SEND_PATH,
            headers={"content-type": "application/json"},
            body=body,
            region=self.region,
            service="ses",
            access_key_id=self._access_key_id,
            secret_access_key=self._secret_access_key,
            session_token=self._session_token,
            now=self.clock(),
        )
        try:
            status, reply_headers, reply = self._connections.post(SEND_PATH, body, headers)
        except (OSError, http.client.HTTPException) as error:
            reason = str(error) or type(error).__name__
            return SendResult("deferred", self._clean(f"ses not reached: {reason}"))
        return self._outcome(status, reply_headers, reply)

    def _outcome(self, status: int, headers: Mapping[str, str], reply: bytes) -> SendResult:
        try:
            content = json.loads(reply) if reply else {}
        except ValueError:
            content = {}
        content = content if isinstance(content, dict) else {}
        if 200 <= status < 300:
            message_id = content.get("MessageId")
            return SendResult("sent", f"ses message id {message_id}" if message_id else "ses ok")
        kind = (headers.get("x-amzn-errortype") or str(content.get("__type") or "")).strip()
        kind = kind.split(":", 1)[0].rsplit("#", 1)[-1] or "unknown error"
        text = str(content.get("message") or content.get("Message") or "").strip()
        detail = self._clean(f"ses {status} {kind}: {text}".rstrip(": "))
        if kind in _OPERATOR_FIXES or kind in _THROTTLED or status == 429 or status >= 500:
            # A credentials, quota or account problem, or a busy service: fixing the
            # configuration, or waiting, lets the same message go on the next try.
            return SendResult("deferred", detail)
        return SendResult("failed", detail)  # MessageRejected, BadRequest, …

    def _clean(self, text: str) -> str:
        """Text for the record: no credential in it, at most 500 characters."""
        for secret in (self._secret_access_key, self._session_token, self._access_key_id):
            if secret:
                text = text.replace(secret, "***")
        return text[:500]


class _Connections:
    """Keep-alive connections to one endpoint, shared by the sending threads."""

    def __init__(self, endpoint: str, timeout: float) -> None:
        parts = urlsplit(endpoint)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._timeout = timeout
        self._context = ssl.create_default_context() if self._https else None
        self._idle: list[tuple[float, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()

    def post(
        self, path: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        connection = self._take()
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
            reply = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            with self._lock:
                self._idle.append((time.monotonic(), connection))
        return response.status, {k.lower(): v for k, v in response.getheaders()}, reply

    def _take(self) -> http.client.HTTPConnection:
        with self._lock:
            while self._idle:
                used_at, connection = self._idle.pop()
                if time.monotonic() - used_at < _IDLE_REUSE_SECONDS:
                    return connection
                connection.close()
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()


# -- SNS messages --------------------------------------------------------------------------


class SnsRejected(Exception):
    """An SNS message that is not shown to come from Amazon SNS, or cannot be used."""


_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
_SIGNATURE_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "1": hashes.SHA1,  # SignatureVersion 1 is SHA1withRSA: still what SNS topics default to
    "2": hashes.SHA256,
}
_SNS_HOST = re.compile(r"^sns\.[a-z]{2}(-[a-z]+)+-\d+\.amazonaws\.com(\.cn)?$")


def is_sns_url(url: object) -> bool:
    """An https URL on an Amazon SNS host (``sns.<region>.amazonaws.com[.cn]``)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.port in (None, 443)
        and not parts.username
        and bool(_SNS_HOST.match(parts.hostname or ""))
    )


def verify_sns_message(message: dict[str, Any], fetch_certificate: Callable[[str], bytes]) -> None:
    """Raise SnsRejected unless ``message`` carries a valid SNS signature (version 1,
    SHA1withRSA, or 2, SHA256withRSA) by the certificate at its SigningCertURL, which
    must be https on an SNS host. The fetcher's OSError (no certificate to be had just
    now) is left to the caller: it is a reason to try later, not a forgery."""
    fields = _SIGNED_FIELDS.get(message.get("Type"))  # type: ignore[arg-type]
    if fields is None:
        raise SnsRejected(f"unknown SNS message Type {message.get('Type')!r}")
    algorithm = _SIGNATURE_HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise SnsRejected(f"unknown SignatureVersion {message.get('SignatureVersion')!r}")
    url = message.get("SigningCertURL")
    if not is_sns_url(url):
        raise SnsRejected(f"SigningCertURL is not https on an Amazon SNS host: {url!r}"[:300])
    lines = []
    for name in fields:
        value = message.get(name)
        if value is None and name == "Subject":
            continue
        if not isinstance(value, str):
            raise SnsRejected(f"the SNS message has no {name}")
        lines.append(f"{name}\n{value}\n")
    try:
        signature = base64.b64decode(str(message.get("Signature")), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnsRejected("the Signature is not base64") from error
    public_key = _public_key(fetch_certificate(url))  # type: ignore[arg-type]
    try:
        public_key.verify(signature, "".join(lines).encode(), padding.PKCS1v15(), algorithm())
    except InvalidSignature as error:
        raise SnsRejected("the SNS signature does not verify") from error


@functools.lru_cache(maxsize=32)
def _public_key(pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError as error:
        raise SnsRejected("the SigningCertURL did not return a PEM certificate") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsRejected("the signing certificate's key is not RSA")
    return key


@functools.lru_cache(maxsize=32)
def fetch_sns_certificate(url: str) -> bytes:
    """The PEM certificate at an SNS SigningCertURL, fetched once per URL."""
    if not is_sns_url(url):
        raise SnsRejected(f"SigningCertURL is not https on an Amazon SNS host: {url!r}"[:300])
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (checked https)
        return response.read(65536)


def confirm_subscription(url: str) -> None:
    """Visit a SubscriptionConfirmation's SubscribeURL, which confirms the subscription."""
    if not is_sns_url(url):
        raise SnsRejected(f"SubscribeURL is not https on an Amazon SNS host: {url!r}"[:300])
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (checked https)
        response.read(65536)


# -- SES events ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Complaint:
    message_id: str
    recipient: str | None
    feedback_type: str | None  # abuse, fraud, not-spam, …; None when the ISP gave none


def ses_events(message: dict[str, Any]) -> list[Bounce | Complaint]:
    """The bounces and complaints an SNS Notification from SES reports, by our
    Message-ID; [] for other events (deliveries, sends, opens…)."""
    return _read_event(message)[1]


def _read_event(message: dict[str, Any]) -> tuple[str, list[Bounce | Complaint]]:
    """What the notification is (``bounce``, ``complaint``, ``delivery``…), and its events."""
    try:
        event = json.loads(message.get("Message") or "")
    except (TypeError, ValueError):
        event = None
    if not isinstance(event, dict):
        return "not an SES event", []
    # Event publishing says eventType; identity notifications say notificationType.
    kind = event.get("eventType") or event.get("notificationType")
    if not isinstance(kind, str):
        return "not an SES event", []
    kind = kind.lower()
    if kind not in ("bounce", "complaint"):
        return kind, []
    message_id = _our_message_id(event.get("mail"))
    if message_id is None:
        return f"{kind} without a Message-ID", []
    details = event.get(kind)
    details = details if isinstance(details, dict) else {}
    if kind == "bounce":
        # Transient and Undetermined bounces may still be delivered: "delayed".
        permanent = details.get("bounceType") == "Permanent"
        reason = f"ses {details.get('bounceType')} bounce ({details.get('bounceSubType')})"
        return kind, [
            Bounce(
                message_id=message_id,
                action="failed" if permanent else "delayed",
                status=_text(item.get("status")),
                recipient=_text(item.get("emailAddress")),
                diagnostic=_text(item.get("diagnosticCode")) or reason,
            )
            for item in _items(details.get("bouncedRecipients"))
        ]
    return kind, [
        Complaint(
            message_id=message_id,
            recipient=_text(item.get("emailAddress")),
            feedback_type=_text(details.get("complaintFeedbackType")),
        )
        for item in _items(details.get("complainedRecipients"))
    ]


def _our_message_id(mail: object) -> str | None:
    """The Message-ID we gave the notice, as stored: ``<id@domain>``. SES keeps the
    headers it was given in ``mail.headers``; ``commonHeaders`` is the fallback."""
    if not isinstance(mail, dict):
        return None
    value = next(
        (
            item.get("value")
            for item in _items(mail.get("headers"))
            if str(item.get("name", "")).lower() == "message-id"
        ),
        None,
    )
    if not value and isinstance(mail.get("commonHeaders"), dict):
        value = mail["commonHeaders"].get("messageId")
    bare = str(value or "").strip().strip("<>").strip()
    return f"<{bare}>" if bare else None


def _items(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def record_ses_notification(
    *, db_session: Session, message: dict[str, Any], now: datetime, actor: str = "ses-webhook"
) -> Counter[str]:
    """Apply a verified SNS Notification from SES to the outbox, with its audit event;
    counts of what it did. Other events (deliveries…) are only counted, not audited."""
    kind, events = _read_event(message)
    if not events:
        if kind.endswith("without a Message-ID"):
            log.warning("SES %s: no Message-ID in its mail headers", kind.split()[0])
        return Counter({f"ignored {kind}": 1})
    counts = record_bounces(
        db_session=db_session,
        bounces=[event for event in events if isinstance(event, Bounce)],
        now=now,
    )
    complaints = [event for event in events if isinstance(event, Complaint)]
    ours = set()
    if complaints:
        ours = set(
            db_session.scalars(
                select(OutboxMessage.message_id).where(
                    OutboxMessage.message_id.in_({c.message_id for c in complaints})
                )
            )
        )
    for complaint in complaints:
        counts["complaint" if complaint.message_id in ours else "not our notice"] += 1
    audit.record(
        db_session=db_session,
        event=ProviderEventsRecorded(
            provider="ses", counts=dict(counts), complaints=counts["complaint"]
        ),
        actor=actor,
    )
    return counts
