"""Email notices: valid MIME a mail program reads, and a DKIM signature receivers verify."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import Relaxed

from breachdesk.inputs import InputError
from breachdesk.notices.mime import Address, DkimKey, build_email, dkim_signature, message_id

SENT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
TEXT = "Dear Zoë,\n\nYour card number was taken. We are sorry.\n" + "A long line. " * 20 + "\n"
HTML = "<p>Dear Zoë,</p><p>Your card number was taken. We are sorry.</p>"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _email(**changes) -> bytes:
    options = {
        "sender": Address("Northwind Outfitters", "notice@northwind.example"),
        "recipient": Address("Zoë Ñúñez", "zoe@example.com"),
        "subject": "Notice of Data Breach – action you can take",
        "text": TEXT,
        "html": HTML,
        "date": SENT,
        "message_id": message_id("northwind.example"),
    }
    return build_email(**(options | changes))


def test_a_notice_is_multipart_alternative_in_utf8_and_reads_back_whole() -> None:
    raw = _email()
    message = message_from_bytes(raw, policy=default)
    assert message.get_content_type() == "multipart/alternative"
    assert str(message["Subject"]) == "Notice of Data Breach – action you can take"
    assert message["To"].addresses[0].display_name == "Zoë Ñúñez"
    assert message["Message-ID"].endswith("@northwind.example>")
    plain, html = message.get_payload()
    assert plain.get_content().replace("\r\n", "\n") == TEXT  # lines travel as CRLF
    assert html.get_content_type() == "text/html"
    assert html.get_content().rstrip("\r\n") == HTML
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert not list(message.iter_attachments())
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_the_dkim_signature_verifies_and_breaks_when_the_text_is_changed(key) -> None:
    signed = _email(dkim=DkimKey("northwind.example", "notices", key))
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"notices._domainkey.northwind.example."
        return record

    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"We are sorry", b"We are SORRY"), dnsfunc=dns)


def test_a_dkim_key_that_is_not_rsa_pem_is_refused() -> None:
    with pytest.raises(InputError, match="PEM private key"):
        DkimKey.from_pem("northwind.example", "notices", b"not a key")


@pytest.mark.parametrize(
    "body",
    [
        b"plain line\r\nsecond line\r\n",
        b"tabs\there  and  runs \t of space\r\n",
        b"trailing space   \r\nand tab\t\r\n",
        b"blank lines at the end\r\n\r\n\r\n \r\n\t\r\n",
        b"no final line break  ",
        b"",
        b"\r\n\r\n",
        b"  leading space kept as one\r\n",
        # Quoted-printable-shaped bodies, which skip the line-by-line work.
        b"=3D a line=\r\nend\r\n\r\n\r\n",
        b"single spaces only\r\n",
        b"\r\n",
        b"a space before the end \r\nof a line\r\n",
    ],
)
def test_the_body_hash_is_what_a_receiver_computes(key, body) -> None:
    headers = [("From", "notice@northwind.example"), ("Subject", "Notice")]
    value = dkim_signature(headers, body, DkimKey("northwind.example", "notices", key), SENT)
    body_hash = dict(part.strip().split("=", 1) for part in value.split(";"))["bh"]
    expected = hashlib.sha256(Relaxed.canonicalize_body(body)).digest()
    assert body_hash == base64.b64encode(expected).decode("ascii")


def test_a_signed_notice_with_tabs_and_runs_of_spaces_verifies(key) -> None:
    text = "Dear Zoë,\n\nTabs\there,  two  spaces,   three.\n\n\n"
    signed = _email(text=text, dkim=DkimKey("northwind.example", "notices", key))
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: record)
