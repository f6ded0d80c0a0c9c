"""The console's outbox viewer: in the embedded mode, emails are not sent but captured in a
Maildir folder in the data dir (delivery/senders.py ``MaildirSender``); these pages show
them as their recipients would see them.

A message's HTML part is served on its own, for a sandboxed frame: no scripts, no
requests anywhere (images only as inline data), and only the console may frame it.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.config import Settings
from breachdesk.console.access import Can
from breachdesk.console.web import PREFIX, Staff, console_state, page, signed_in

router = APIRouter(prefix=PREFIX, include_in_schema=False)

CAPTURE_DIR = "mail-capture"  # under the data dir; see delivery/transport.py
PAGE_SIZE = 50
# A Maildir file name as mailbox.Maildir writes it: no slashes, no leading dot.
MESSAGE_NAME = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_\-.,=]{0,250}$")
HTML_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    ),
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Captured:
    name: str
    date: datetime | None
    date_text: str
    sender: str
    to: str
    subject: str


def capture_dir(settings: Settings) -> Path:
    return settings.data_dir / CAPTURE_DIR


def elsewhere(settings: Settings) -> str | None:
    """Where emails go instead of the capture, when a relay or provider is configured."""
    if settings.ses_region is not None:
        return "Amazon SES"
    if settings.smtp_url is not None:
        return "the SMTP relay"
    return None


@router.get("/outbox", response_class=HTMLResponse)
def outbox(
    request: Request,
    page_number: int = Query(1, alias="page"),
    staff: Staff = Depends(signed_in(Can.SEE_OUTBOX)),
) -> Response:
    """The captured emails, newest first, a page at a time."""
    settings = console_state(request).settings
    names = _names_newest_first(capture_dir(settings))
    pages = max(-(-len(names) // PAGE_SIZE), 1)
    page_number = min(max(page_number, 1), pages)
    start = (page_number - 1) * PAGE_SIZE
    shown = [_summary(capture_dir(settings), name) for name in names[start : start + PAGE_SIZE]]
    return page(
        request, "outbox.html", staff=staff, messages=[m for m in shown if m is not None],
        total=len(names), page_number=page_number, pages=pages, first=start + 1,
        elsewhere=elsewhere(settings), folder=str(capture_dir(settings)),
    )  # fmt: skip


@router.get("/outbox/{message}", response_class=HTMLResponse)
def message_page(
    request: Request, message: str, staff: Staff = Depends(signed_in(Can.SEE_OUTBOX))
) -> Response:
    """One email: its headers, its text part, and its HTML part in a sandboxed frame."""
    parsed = _load(console_state(request).settings, message)
    if parsed is None:
        return _missing(request, staff, message)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return page(
        request, "outbox_message.html", staff=staff, name=message,
        summary=_summary_of(message, parsed),
        text=text_part.get_content() if text_part is not None else None,
        has_html=html_part is not None,
        attachments=[part.get_filename() or part.get_content_type()
                     for part in parsed.iter_attachments()],
    )  # fmt: skip


@router.get("/outbox/{message}/html")
def message_html(
    request: Request, message: str, staff: Staff = Depends(signed_in(Can.SEE_OUTBOX))
) -> Response:
    """The HTML part alone, for the frame on the message page; nothing in it can run or
    fetch anything."""
    parsed = _load(console_state(request).settings, message)
    html_part = parsed.get_body(preferencelist=("html",)) if parsed is not None else None
    if html_part is None:
        return Response("No such email, or it has no HTML part.", 404, headers=HTML_HEADERS,
                        media_type="text/plain")  # fmt: skip
    return HTMLResponse(html_part.get_content(), headers=HTML_HEADERS)


# --- reading the Maildir ------------------------------------------------------------------


def _names_newest_first(folder: Path) -> list[str]:
    """The captured messages' names, newest first (by the time in the name, which Maildir
    writers put first, then by file time)."""
    found: list[tuple[int, float, str]] = []
    for sub in ("new", "cur"):
        directory = folder / sub
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if path.name.startswith(".") or not path.is_file():
                continue
            name = path.name.split(":", 1)[0]
            seconds = name.split(".", 1)[0]
            found.append((int(seconds) if seconds.isdigit() else 0, path.stat().st_mtime, name))
    found.sort(reverse=True)
    return [name for _seconds, _mtime, name in found]


def _path(folder: Path, name: str) -> Path | None:
    """The file of a message, only for a valid name of a file in the capture folder."""
    if not MESSAGE_NAME.match(name):
        return None
    for sub in ("new", "cur"):
        directory = folder / sub
        if not directory.is_dir():
            continue
        exact = directory / name
        if exact.is_file():
            return exact
        # A message that was read has ":2,<flags>" appended to its file name.
        for path in directory.glob(f"{name}:*"):
            if path.is_file() and path.parent == directory:
                return path
    return None


def _load(settings: Settings, name: str) -> EmailMessage | None:
    path = _path(capture_dir(settings), name)
    if path is None:
        return None
    with path.open("rb") as handle:
        return email.message_from_binary_file(handle, policy=email.policy.default)


def _summary(folder: Path, name: str) -> Captured | None:
    path = _path(folder, name)
    if path is None:
        return None
    with path.open("rb") as handle:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parse(handle)
    return _summary_of(name, headers)


def _summary_of(name: str, message: email.message.Message) -> Captured:
    raw_date = str(message.get("date", "") or "")
    try:
        when = parsedate_to_datetime(raw_date) if raw_date else None
    except (TypeError, ValueError):
        when = None
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(UTC)
    return Captured(
        name=name,
        date=when,
        date_text=raw_date,
        sender=str(message.get("from", "") or ""),
        to=str(message.get("to", "") or ""),
        subject=str(message.get("subject", "") or "(no subject)"),
    )


def _missing(request: Request, staff: Staff, name: str) -> HTMLResponse:
    return page(request, "outbox_missing.html", staff=staff, status=404, name=name)
