"""Turning an email into the text of an inquiry.

``parse_message`` takes what the desk needs from one message: the sender, the subject,
the body as plain text (an HTML body made readable), the attachments by name and size,
the language, the tickets in the subject and the messages it replies to, and whether it
is an automatic reply or a bounce report. ``inquiry_text`` is the text then recorded:
the new part only for a follow-up, shortened to the desk's limit, attachments listed.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from email_validator import EmailNotValidError, validate_email

from breachdesk.desk.schemas import MESSAGE_LIMIT
from breachdesk.people import references


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CODE = f"[{references.ALPHABET}]{{4}}"
_TICKET = re.compile(rf"\[\s*(Q-{_CODE}-{_CODE})\s*\]", re.I)
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})(?![\w-])")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|"
    r"respuesta autom[aá]tica|fuera de (la )?oficina)",
    re.I,
)
_ATTRIBUTION = re.compile(r"^\s*(On\s.*\swrote|El\s.*\sescribi[óo])\s*:\s*$")
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Mensaje original)\s*-{2,}\s*$", re.I)
_SPANISH = _words(
    "el la los las que y de del en por para con una uno mi mis su sus es está estoy esta este "
    "esto qué cómo hola gracias usted ustedes pero muy también recibí carta correo datos tarjeta "
    "cuenta saludos favor sí nuestro mío ellos fue han hemos"
)
_ENGLISH = _words(
    "the and to of is you i my was what have has this that with for your are it not we please "
    "thanks hello received letter card account regards did do"
)


@dataclass(frozen=True)
class ParsedMail:
    """What the desk takes from one email; the text keeps any quoted reply."""

    message_id: str
    sender: str | None  # the From address, normalised; None when it is not usable
    name: str
    subject: str
    text: str
    attachments: tuple[tuple[str, int], ...]  # (file name, bytes): listed, never kept
    language: str
    tickets: tuple[str, ...]  # [Q-XXXX-XXXX] in the subject
    replying_to: tuple[str, ...]  # Message-IDs in In-Reply-To and References
    automatic: str | None  # why it is no inquiry: "automatic reply", "bounce report"


def parse_message(data: bytes) -> ParsedMail:
    """Parse one email as the desk reads it. Malformed headers may raise; the readers
    count such a message as skipped."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    name, address = _from(message)
    subject = _header(message, "Subject")
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body_part is not None:
        text = _part_text(body_part)
        if body_part.get_content_subtype() == "html":
            text = html_to_text(text)
    attachments = tuple(_attachments(message, body_part))
    replying_to = _MESSAGE_ID.findall(
        f"{_header(message, 'In-Reply-To')} {_header(message, 'References')}"
    )
    return ParsedMail(
        message_id=_message_id(message, data),
        sender=_usable(address),
        name=name,
        subject=subject,
        text=text.strip(),
        attachments=attachments,
        language=guess_language(f"{subject}\n{strip_quoted(text)}", message),
        tickets=tuple(dict.fromkeys(t.upper() for t in _TICKET.findall(subject))),
        replying_to=tuple(replying_to[-50:]),
        automatic=_automatic(message, address, subject),
    )


def _message_id(message: Message, data: bytes) -> str:
    """The Message-ID, or one derived from the message's bytes when it has none (or one
    the database could not keep)."""
    given = _header(message, "Message-ID")
    if given and len(given) <= 998 and all("\x21" <= char <= "\x7e" for char in given):
        return given
    return f"<{hashlib.sha256(data).hexdigest()}@sha256.breachdesk.invalid>"


def _header(message: Message, name: str) -> str:
    """A header's value on one line; "" when absent. The stdlib's parser fails on some
    malformed headers: then the value as written."""
    try:
        value = message.get(name)
    except Exception:
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), "")
    return " ".join(str(value or "").split())


def _from(message: Message) -> tuple[str, str]:
    """The From header's display name and address."""
    try:
        header = message.get("From")
        first = header.addresses[0] if header is not None and header.addresses else None
        name, address = (first.display_name, first.addr_spec) if first else ("", "")
    except Exception:
        name, address = parseaddr(_header(message, "From"))
        with contextlib.suppress(Exception):
            name = str(make_header(decode_header(name)))
    return " ".join(str(name).split())[:200], str(address).strip()


def _usable(address: str) -> str | None:
    try:
        normalised = validate_email(address, check_deliverability=False).normalized
    except (EmailNotValidError, TypeError):
        return None
    return normalised if len(normalised) <= 320 else None


def _automatic(message: Message, address: str, subject: str) -> str | None:
    local_part = address.rsplit("@", 1)[0].lower()
    if message.get_content_type() == "multipart/report" or local_part in (
        "mailer-daemon",
        "postmaster",
    ):
        return "bounce report"
    submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    precedence = _header(message, "Precedence").lower()
    if (
        (submitted and submitted != "no")
        or "X-Autoreply" in message
        or "X-Autorespond" in message
        or "X-Auto-Response-Suppress" in message
        or precedence in ("bulk", "auto_reply", "list", "junk")
        or _header(message, "Return-Path") == "<>"
        or _AUTO_SUBJECT.match(subject)
    ):
        return "automatic reply"
    return None


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, AssertionError, AttributeError):
        pass
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", "replace")


def _attachments(message: EmailMessage, body: Message | None) -> Iterable[tuple[str, int]]:
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        named = part.get_filename() or part.get_content_disposition() == "attachment"
        if not named and part.get_content_maintype() == "text":
            continue  # the body's other form (HTML beside plain text)
        filename = " ".join(str(part.get_filename() or "").split())[:100]
        payload = part.get_payload(decode=True)
        yield filename or f"unnamed {part.get_content_type()}", len(payload or b"")


class _HtmlText(HTMLParser):
    """The readable text of an HTML body: blocks on their own lines, scripts and styles
    dropped, quoted replies (blockquote) prefixed with "> "."""

    _LINES = _words("div li tr dt dd")  # a line of its own
    _PARAGRAPHS = _words("p h1 h2 h3 h4 h5 h6 blockquote ul ol table pre hr section article")
    _HIDDEN = _words("script style head title template")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0
        self.quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self._break(paragraph=not "".join(self.current).strip())  # <br><br>
        elif tag in self._LINES or tag in self._PARAGRAPHS:
            self._break(paragraph=tag in self._PARAGRAPHS)
            if tag == "li":
                self.current.append("- ")
        if tag == "blockquote":
            self.quoted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._LINES or tag in self._PARAGRAPHS:
            self._break(paragraph=tag in self._PARAGRAPHS)
        if tag == "blockquote":
            self.quoted = max(0, self.quoted - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.current.append(data)

    def _break(self, *, paragraph: bool = False) -> None:
        line = " ".join("".join(self.current).split())
        self.current = []
        if line and line != "-":
            self.lines.append(("> " * self.quoted) + line)
        if paragraph and self.lines and self.lines[-1]:
            self.lines.append("")

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def strip_quoted(text: str) -> str:
    """The new text of a reply: without lines quoted with ">", and without the "On …
    wrote:" (or "El … escribió:") line and everything below it. The whole text when
    nothing else is left."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        wrapped = line.lstrip().startswith(("On ", "El ")) and _ATTRIBUTION.match(
            f"{line} {following}"
        )
        if _ATTRIBUTION.match(line) or wrapped or _ORIGINAL.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def guess_language(text: str, message: Message | None = None) -> str:
    """``es`` when Content-Language says so or the text is clearly Spanish, else ``en``."""
    declared = _header(message, "Content-Language") if message is not None else ""
    if declared.lower().startswith("es"):
        return "es"
    words = re.findall(r"\w+", text.lower())[:2000]
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    return "es" if spanish >= 3 and spanish > english else "en"


def inquiry_text(mail: ParsedMail, *, follow_up: bool) -> str:
    """The message as recorded: the text (the new part only, for a follow-up),
    shortened to the desk's limit with a note, then the attachments by name and size."""
    text = (strip_quoted(mail.text) if follow_up else mail.text).strip()
    text = text or mail.subject or "(no text)"
    listed = ""
    if mail.attachments:
        names = "; ".join(f"{name} ({size:,} bytes)" for name, size in mail.attachments)
        listed = f"\n\n[attachments, not kept: {names[:2000]}]"
    room = MESSAGE_LIMIT - len(listed)
    if len(text) > room:
        note = f"\n\n[message shortened: {len(text):,} characters]"
        text = text[: room - len(note)].rstrip() + note
    return text + listed


def reference_in(text: str) -> str | None:
    """The first XXXX-XXXX-XXXX in the text that can be a reference code, as written."""
    for candidate in _REFERENCE.findall(text):
        if references.parse(candidate):
            return candidate.upper()
    return None
