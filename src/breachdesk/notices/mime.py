"""Email notices as MIME bytes, built directly, and DKIM-signed when a key is configured.

The standard library's ``EmailMessage`` path costs tens of microseconds a message in
policy machinery; a breach notice needs none of it. A notice is always the same
shape: ``multipart/alternative`` with a UTF-8 quoted-printable text part and HTML
part, no attachments, a Message-ID on the organisation's own domain.

DKIM (RFC 6376) signs with RSA-SHA256 and relaxed/relaxed canonicalization, the form
receivers handle best.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from breachdesk.inputs import InputError

# The headers a signature covers, in this order (RFC 6376 § 5.4.1 recommends these).
SIGNED_HEADERS = ("from", "to", "subject", "date", "message-id", "mime-version", "content-type")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
_NEEDS_QUOTES = re.compile(r'[()<>\[\]:;@\\,."]')
_WSP_RUN = re.compile(rb"[ \t]+")


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def header(self) -> str:
        if not self.name:
            return self.email
        if not _PRINTABLE_ASCII.match(self.name):
            return f"{encode_header(self.name)} <{self.email}>"
        name = f'"{self.name}"' if _NEEDS_QUOTES.search(self.name) else self.name
        return f"{name} <{self.email}>"


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_pem(cls, domain: str, selector: str, pem: bytes) -> DkimKey:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as error:
            raise InputError(f"DKIM key: not an unencrypted PEM private key ({error})") from error
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 1024:
            raise InputError("DKIM key: must be an RSA key of at least 1024 bits (2048 advised)")
        return cls(domain=domain.lower(), selector=selector, private_key=key)


def encode_header(value: str) -> str:
    """A header value as is when it is printable ASCII, else as RFC 2047 UTF-8 words."""
    if _PRINTABLE_ASCII.match(value):
        return value
    data = value.encode("utf-8")
    # 45 bytes encode to 60 characters: each word stays within the 75-character limit.
    words = []
    start = 0
    while start < len(data):
        end = min(start + 45, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never split a UTF-8 character across words
        words.append("=?utf-8?b?" + base64.b64encode(data[start:end]).decode("ascii") + "?=")
        start = end
    return "\r\n ".join(words)


def quoted_printable(text: str) -> bytes:
    """Text as a quoted-printable UTF-8 body with CRLF line ends."""
    body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return body.replace(b"\n", b"\r\n")


def message_id(domain: str) -> str:
    return f"<{secrets.token_hex(16)}@{domain}>"


def build_email(
    *,
    sender: Address,
    recipient: Address,
    subject: str,
    text: str,
    html: str,
    date: datetime,
    message_id: str,
    reply_to: str | None = None,
    extra_headers: tuple[tuple[str, str], ...] = (),
    dkim: DkimKey | None = None,
) -> bytes:
    """The whole message, CRLF line endings, ready for SMTP ``DATA``."""
    return build_encoded_email(
        sender=sender,
        recipient=recipient,
        subject=subject,
        text_qp=quoted_printable(text),
        html_qp=quoted_printable(html),
        date=date,
        message_id=message_id,
        reply_to=reply_to,
        extra_headers=extra_headers,
        dkim=dkim,
    )


def build_encoded_email(
    *,
    sender: Address,
    recipient: Address,
    subject: str,
    text_qp: bytes,
    html_qp: bytes,
    date: datetime,
    message_id: str,
    reply_to: str | None = None,
    extra_headers: tuple[tuple[str, str], ...] = (),
    dkim: DkimKey | None = None,
) -> bytes:
    """``build_email`` for bodies already quoted-printable (see ``quoted_printable``)."""
    # A quoted-printable body writes "=" as "=3D", so it never holds "=_": the boundary
    # cannot occur in it.
    boundary = "=_bd_" + secrets.token_hex(12)
    headers = [
        ("From", sender.header()),
        ("To", recipient.header()),
        ("Subject", encode_header(subject)),
        ("Date", _date_header(date)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    if reply_to:
        headers.append(("Reply-To", reply_to))
    headers.extend(extra_headers)
    part_head = (
        b"Content-Type: text/%s; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    marker = b"--" + boundary.encode("ascii")
    body = b"".join(
        (
            b"This is a multipart message in MIME format.\r\n\r\n",
            marker, b"\r\n", part_head % b"plain", text_qp, b"\r\n",
            marker, b"\r\n", part_head % b"html", html_qp, b"\r\n",
            marker, b"--\r\n",
        )
    )  # fmt: skip
    if dkim is not None:
        headers.insert(0, ("DKIM-Signature", dkim_signature(headers, body, dkim, date)))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8")
    return head + b"\r\n" + body


@lru_cache(maxsize=64)
def _date_header(date: datetime) -> str:
    # A campaign stamps a batch with one time: format it once.
    return format_datetime(date)


def _relaxed_header(name: str, value: str) -> bytes:
    if "\r" in value or "\t" in value or "  " in value:  # folded, or runs of space
        value = re.sub(r"[ \t]+", " ", re.sub(r"\r\n(?=[ \t])", "", value))
    return f"{name.lower()}:{value.strip()}".encode()


def _relaxed_body(body: bytes) -> bytes:
    """RFC 6376 § 3.4.4: runs of spaces and tabs as one space, none at the end of a line,
    no empty lines at the end of the body."""
    if b"\t" in body or b"  " in body:  # a notice rarely has either: skip the regex
        body = _WSP_RUN.sub(b" ", body)
    elif b" \r\n" not in body and body.endswith(b"\r\n"):
        # Quoted-printable bodies end no line with a space: only trailing empty lines
        # can change.
        while body.endswith(b"\r\n\r\n"):
            body = body[:-2]
        return b"" if body == b"\r\n" else body
    *ended, unended = body.split(b"\r\n")
    lines = [line.rstrip(b" ") for line in ended]
    if unended:  # a last line without CRLF keeps its space, as receivers read it
        lines.append(unended)
    while lines and not lines[-1]:
        lines.pop()
    return b"\r\n".join(lines) + b"\r\n" if lines else b""


def dkim_signature(
    headers: list[tuple[str, str]], body: bytes, key: DkimKey, date: datetime
) -> str:
    """The DKIM-Signature header value for these headers and body."""
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode("ascii")
    present = {name.lower(): value for name, value in headers}
    signed = [name for name in SIGNED_HEADERS if name in present]
    value = (
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={key.domain}; s={key.selector}; "
        f"t={int(date.timestamp())}; h={':'.join(signed)}; bh={body_hash}; b="
    )
    data = b"\r\n".join(_relaxed_header(name, present[name]) for name in signed)
    data += b"\r\n" + _relaxed_header("DKIM-Signature", value)
    signature = key.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return value + base64.b64encode(signature).decode("ascii")
