"""A local stand-in for Amazon SES and Amazon SNS.

``FakeSes`` is a real HTTP server on loopback answering ``SendEmail`` of the SES v2
API. It checks each request's Signature Version 4 with its own code (written apart
from breachdesk's signer, so one cannot hide the other's mistake), records the raw
message, and refuses the recipients it is told to. ``SnsSigner`` signs SNS messages as
SNS does, with a self-signed certificate served at an SNS-looking URL by its fetcher.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

ACCESS_KEY_ID = "AKIDBREACHDESKTEST"
SECRET_ACCESS_KEY = "fake/secret+KEY/for/the/local/ses"
REGION = "eu-west-1"

# What the fake answers for a recipient told to be refused: status, error type, message.
REFUSALS = {
    "rejected": (400, "MessageRejected", "Email address is not verified."),
    "throttled": (429, "TooManyRequestsException", "Maximum sending rate exceeded."),
    "error": (500, "InternalFailure", "The request processing has failed."),
    "paused": (400, "SendingPausedException", "Sending is paused for this account."),
    "bad request": (400, "BadRequestException", "Illegal header."),
}


@dataclass(frozen=True)
class Received:
    envelope_from: str
    recipient: str
    configuration_set: str | None
    data: bytes
    message_id: str  # the fake's own, as SES returns one


class FakeSes:
    def __init__(self, session_token: str | None = None) -> None:
        self.credentials = {ACCESS_KEY_ID: SECRET_ACCESS_KEY}
        self.session_token = session_token
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}  # recipient -> a REFUSALS key
        self.delay: dict[str, float] = {}  # recipient -> seconds before answering
        self.signed_headers: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.connections: set[int] = set()  # client ports seen: keep-alive means few
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakeSes:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes, port: int):
        """(status, error type or None, reply) for one request."""
        with self._lock:
            self.connections.add(port)
        if method != "POST" or target != "/v2/email/outbound-emails":
            return 404, "NotFoundException", {"message": f"no route {method} {target}"}
        problem = self._signature_problem(method, target, headers, body)
        if problem:
            return 403, "SignatureDoesNotMatch", {"message": problem}
        request = json.loads(body)
        recipient = request["Destination"]["ToAddresses"][0]
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay.get(recipient, 0.0))
        finally:
            with self._lock:
                self.in_flight -= 1
        if recipient in self.refuse:
            status, kind, message = REFUSALS[self.refuse[recipient]]
            return status, kind, {"message": message}
        data = base64.b64decode(request["Content"]["Raw"]["Data"], validate=True)
        with self._lock:
            message_id = f"0102fake{len(self.received):08d}-000000"
            self.received.append(
                Received(
                    envelope_from=request["FromEmailAddress"],
                    recipient=recipient,
                    configuration_set=request.get("ConfigurationSetName"),
                    data=data,
                    message_id=message_id,
                )
            )
        return 200, None, {"MessageId": message_id}

    def _signature_problem(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> str | None:
        authorization = headers.get("authorization", "")
        algorithm, _, rest = authorization.partition(" ")
        fields = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
        if algorithm != "AWS4-HMAC-SHA256" or set(fields) != {
            "Credential",
            "SignedHeaders",
            "Signature",
        }:
            return "Authorization header is not AWS4-HMAC-SHA256"
        access_key, date, region, service, terminator = fields["Credential"].split("/")
        names = fields["SignedHeaders"].split(";")
        self.signed_headers = names
        amz_date = headers.get("x-amz-date", "")
        if (region, service, terminator) != (REGION, "ses", "aws4_request"):
            return f"wrong credential scope {date}/{region}/{service}/{terminator}"
        if date != amz_date[:8] or not {"host", "x-amz-date"} <= set(names):
            return "the date or host is not signed"
        if self.session_token is not None and (
            headers.get("x-amz-security-token") != self.session_token
            or "x-amz-security-token" not in names
        ):
            return "the security token is missing or not signed"
        secret = self.credentials.get(access_key)
        if secret is None:
            return "unknown access key"
        expected = expected_signature(secret, method, target, headers, names, body, amz_date)
        if not hmac.compare_digest(expected, fields["Signature"]):
            # As AWS does, the answer shows what was signed, token included.
            signed = "".join(f"{name}:{headers.get(name, '')}\n" for name in names)
            return (
                "The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method. The "
                f"Canonical String for this request should have been '{method}\n{target}\n\n"
                f"{signed}'"
            )
        return None


def expected_signature(
    secret: str,
    method: str,
    target: str,
    headers: dict[str, str],
    names: list[str],
    body: bytes,
    amz_date: str,
) -> str:
    """SigV4 from the AWS description, built again from the request as received."""
    path, _, query = target.partition("?")
    pairs = sorted(
        (quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~"))
        for key, _, value in (item.partition("=") for item in query.split("&") if item)
    )
    header_block = "".join(name + ":" + " ".join(headers[name].split()) + "\n" for name in names)
    canonical = (
        f"{method}\n{quote(path, safe='/-_.~')}\n"
        + "&".join(k + "=" + v for k, v in pairs)
        + f"\n{header_block}\n{';'.join(names)}\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{amz_date[:8]}/{REGION}/ses/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
        + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    )
    key = b"AWS4" + secret.encode("utf-8")
    for step in scope.split("/"):
        key = hmac.digest(key, step.encode("utf-8"), "sha256")
    return hmac.digest(key, to_sign.encode("utf-8"), "sha256").hex()


def _handler(fake: FakeSes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as SES does

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, kind, reply = fake.answer(
                "POST", self.path, headers, body, self.client_address[1]
            )
            if kind and status >= 500:
                reply = {"__type": f"com.amazonaws.sesv2#{kind}", **reply}  # in the body only
            content = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(content)))
            if kind and status < 500:
                self.send_header("x-amzn-ErrorType", f"{kind}:http://internal.amazon.com/coral/")
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    return Handler


# -- SNS -----------------------------------------------------------------------------------

TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:breachdesk-ses-events"
CERT_URL = f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-fake0123.pem"


@cache
def _signing_identity() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sns.{REGION}.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


class SnsSigner:
    """Signs SNS messages as SNS does; ``fetch`` serves the certificate at CERT_URL."""

    def __init__(self) -> None:
        self.key, self.pem = _signing_identity()
        self.fetched: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        if url != CERT_URL:
            raise OSError(f"404 for {url}")
        return self.pem

    def sign(self, message: dict[str, Any], version: int = 1) -> dict[str, Any]:
        if message["Type"] == "Notification":
            fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        else:
            fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token"]
            fields += ["TopicArn", "Type"]
        text = "".join(f"{name}\n{message[name]}\n" for name in fields if name in message)
        algorithm = hashes.SHA1() if version == 1 else hashes.SHA256()  # noqa: S303 (as SNS)
        signature = self.key.sign(text.encode("utf-8"), padding.PKCS1v15(), algorithm)
        return message | {
            "SignatureVersion": str(version),
            "Signature": base64.b64encode(signature).decode("ascii"),
        }

    def notification(
        self,
        event: dict[str, Any],
        *,
        version: int = 1,
        topic_arn: str = TOPIC_ARN,
        cert_url: str = CERT_URL,
        message_id: str = "5c6f3c50-0c3d-5b0c-9a2e-3f4f2f6e0a01",
    ) -> dict[str, Any]:
        message = {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": topic_arn,
            "Message": json.dumps(event),
            "Timestamp": "2026-11-24T10:00:00.000Z",
            "SigningCertURL": cert_url,
            "UnsubscribeURL": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe",
        }
        return self.sign(message, version)

    def subscription_confirmation(
        self, *, subscribe_url: str | None = None, topic_arn: str = TOPIC_ARN
    ) -> dict[str, Any]:
        token = "2336412f37fb687f5d51e6e2425f004aed7b7526e5d7c0a8b0a5f6c3a0e1f2"
        message = {
            "Type": "SubscriptionConfirmation",
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": token,
            "TopicArn": topic_arn,
            "Message": f"You have chosen to subscribe to the topic {topic_arn}.",
            "SubscribeURL": subscribe_url
            or f"https://sns.{REGION}.amazonaws.com/?Action=ConfirmSubscription"
            f"&TopicArn={topic_arn}&Token={token}",
            "Timestamp": "2026-11-24T09:59:00.000Z",
            "SigningCertURL": CERT_URL,
        }
        return self.sign(message, 2)


def ses_event(
    kind: str,
    message_id: str,
    recipient: str,
    *,
    style: str = "event publishing",
    bounce_type: str = "Permanent",
) -> dict[str, Any]:
    """An SES bounce, complaint or delivery event about one message, as SES writes it."""
    mail = {
        "timestamp": "2026-11-24T09:58:00.000Z",
        "source": "notice@mail.acme-health.example",
        "messageId": "0102fake00000000-000000",  # SES's own id, not ours
        "destination": [recipient],
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": "Acme Health Supply <notice@mail.acme-health.example>"},
            {"name": "To", "value": recipient},
            {"name": "Message-ID", "value": message_id},
            {"name": "Subject", "value": "Notice of Data Breach"},
        ],
        "commonHeaders": {
            "from": ["Acme Health Supply <notice@mail.acme-health.example>"],
            "to": [recipient],
            "messageId": message_id.strip("<>"),
            "subject": "Notice of Data Breach",
        },
    }
    details: dict[str, Any]
    if kind == "Bounce":
        details = {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2026-11-24T09:59:00.000Z",
            "feedbackId": "0102fakefeedback-000000",
        }
    elif kind == "Complaint":
        details = {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": "2026-11-24T09:59:00.000Z",
            "feedbackId": "0102fakefeedback-000001",
            "complaintFeedbackType": "abuse",
        }
    else:
        details = {"timestamp": "2026-11-24T09:59:00.000Z", "recipients": [recipient]}
    key = "eventType" if style == "event publishing" else "notificationType"
    return {key: kind, "mail": mail, kind.lower(): details}
