"""HTML, and email, whose HTML part is read the same way."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from breachdesk.notices.documents.model import Block, Document, Link, collapse, decode, smallest
from breachdesk.notices.documents.text import document_from_text, is_short

_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAG_NAMES = """address article aside blockquote body caption center dd details dialog div
dl dt fieldset figcaption figure footer form header html li main nav ol p pre section summary
table tbody td tfoot th thead tr ul"""
_BLOCK_TAGS = _HEADING_TAGS | frozenset(_BLOCK_TAG_NAMES.split())
_VOID_TAG_NAMES = "area base br col embed hr img input link meta param source track wbr"
_VOID_TAGS = frozenset(_VOID_TAG_NAMES.split())
_SKIPPED_TAGS = {"script", "style", "head", "template"}
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "base", "template"}
_MAX_DEPTH = 256  # deeper elements are read as plain text: bounds the work per tag
_FONT_SIZE = re.compile(r"(\d*\.?\d+)\s*(pt|px|em|rem|%)(?:\s*!important)?")


@dataclass
class _PendingLink:
    url: str
    parts: list[str] = field(default_factory=list)
    location: str = ""


@dataclass
class _Element:
    tag: str
    bold: bool | None = None
    size: float | None = None
    hidden: bool = False
    table: list[int] | None = None  # [table number, row, cell], on a <table>
    link: _PendingLink | None = None


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Element] = []
        self.buffer: list[tuple[str, bool, float | None] | _PendingLink | None] = []  # None: <br>
        self.blocks: list[Block] = []
        self.links: list[_PendingLink] = []
        self.title: list[str] = []
        self.counts: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag not in _HEAD_TAGS and any(element.tag == "head" for element in self.stack):
            self._close("head")  # body content closes a <head> left open
        if tag in _VOID_TAGS:
            if tag == "br":
                self.buffer.append(None)
            elif tag == "hr":
                self._flush()
            elif tag == "img" and (link := self._open_link()) and attributes.get("alt"):
                link.parts.append(f" {attributes['alt']} ")
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        declarations = (part.partition(":") for part in attributes.get("style", "").split(";"))
        style = {name.strip().lower(): value.strip().lower() for name, _, value in declarations}
        hidden = tag in _SKIPPED_TAGS or "hidden" in attributes or style.get("display") == "none"
        element = _Element(tag, bold=True if tag in ("b", "strong") else None, hidden=hidden)
        if weight := style.get("font-weight"):
            element.bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
        if size := _FONT_SIZE.fullmatch(style.get("font-size", "")):
            element.size = _css_points(float(size[1]), size[2], self._inherited("size"))
        table = self._innermost_table()
        if tag == "table":
            self.counts["table"] += 1
            element.table = [self.counts["table"], 0, 0]
        elif tag == "tr" and table:
            table[1:] = [table[1] + 1, 0]
        elif tag in ("td", "th") and table:
            table[2] += 1
        elif tag == "a" and attributes.get("href") and not (hidden or self._hidden()):
            element.link = _PendingLink(attributes["href"].strip())
            self.buffer.append(element.link)
        if len(self.stack) < _MAX_DEPTH:
            self.stack.append(element)

    def close(self) -> None:
        super().close()
        self._flush()

    def handle_endtag(self, tag: str) -> None:
        if any(element.tag == tag for element in self.stack):
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if any(element.tag == "title" for element in self.stack):
            self.title.append(data)
        elif not self._hidden():
            self.buffer.append((data, bool(self._inherited("bold")), self._inherited("size")))
            if link := self._open_link():
                link.parts.append(data)

    def _close(self, tag: str) -> None:
        depth = max(i for i, element in enumerate(self.stack) if element.tag == tag)
        if any(element.tag in _BLOCK_TAGS for element in self.stack[depth:]):
            self._flush()
        del self.stack[depth:]

    def _hidden(self) -> bool:
        return any(element.hidden for element in self.stack)

    def _inherited(self, attribute: str) -> Any:
        values = (getattr(element, attribute) for element in reversed(self.stack))
        return next((value for value in values if value is not None), None)

    def _open_link(self) -> _PendingLink | None:
        return self._inherited("link")

    def _innermost_table(self) -> list[int] | None:
        return self._inherited("table")

    def _context(self) -> tuple[str, str]:
        """The kind of block the current text belongs to, and its heading tag or table place."""
        inside_block = False
        for element in reversed(self.stack):
            if element.tag in _HEADING_TAGS:
                return "heading", element.tag
            if element.tag == "li":
                return "list_item", ""
            if element.tag in ("td", "th") and not inside_block:
                table = self._innermost_table() or [0, 0, 0]
                return "table_cell", f"table {table[0]}, row {table[1]}, cell {table[2]}"
            if element.tag in ("td", "th"):  # <td><p>: a layout table, as in most HTML email
                break
            inside_block = inside_block or element.tag in _BLOCK_TAGS
        return "paragraph", ""

    def _flush(self) -> None:
        items, self.buffer = self.buffer, []
        if not items:
            return
        kind, where = self._context()
        lines: list[list[tuple[str, bool, float | None] | _PendingLink]] = [[]]
        for item in items:
            if item is None:
                lines.append([])
            else:
                lines[-1].append(item)
        segments: list[list[list[Any]]] = [[]]
        for line in lines:
            if kind == "paragraph" and not _html_text(line).strip() and not _has_link(line):
                segments.append([])  # <br><br> separates paragraphs
            else:
                segments[-1].append(line)
        for segment in segments:
            if kind == "paragraph" and len(segment) > 1 and _all_bold(segment[0]):
                self._emit("paragraph", "", segment[:1])  # <b>What happened?</b><br>On March...
                segment = segment[1:]
            if segment:
                self._emit(kind, where, segment)

    def _emit(self, kind: str, where: str, lines: list[list[Any]]) -> None:
        text = collapse(" ".join(_html_text(line) for line in lines))
        pieces = [piece for line in lines for piece in line]
        if kind == "paragraph" and _all_bold(pieces):
            kind = "heading"  # <p><strong>What happened?</strong></p>, located as a paragraph
        if kind == "table_cell":
            location = where
        else:
            counter = where or ("list item" if kind == "list_item" else "paragraph")
            number = self.counts[counter] + 1
            if text:
                self.counts[counter] = number
            location = f"<{where}> {number}" if where else f"{counter} {number}"
        for piece in pieces:
            if isinstance(piece, _PendingLink):
                piece.location = location
                self.links.append(piece)
        if text:
            sizes = [piece[2] for piece in pieces if isinstance(piece, tuple) and piece[0].strip()]
            self.blocks.append(Block(kind, text, location, smallest(sizes)))


def _html_text(line: list[Any]) -> str:
    return "".join(piece[0] for piece in line if isinstance(piece, tuple))


def _has_link(line: list[Any]) -> bool:
    return any(isinstance(piece, _PendingLink) for piece in line)


def _all_bold(pieces: list[Any]) -> bool:
    texts = [piece for piece in pieces if isinstance(piece, tuple) and piece[0].strip()]
    return bool(texts) and all(piece[1] for piece in texts) and is_short(_html_text(texts))


def _css_points(number: float, unit: str, parent: float | None) -> float | None:
    if unit in ("pt", "px", "rem"):
        return number * {"pt": 1, "px": 0.75, "rem": 12}[unit]
    if parent is None:
        return None  # relative to a size we do not know
    return parent * number / (100 if unit == "%" else 1)


def document_from_html(html: str) -> Document:
    """HTML as a browser shows it: no scripts, styles or hidden elements; <title> as subject."""
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    links = (Link(link.url, collapse("".join(link.parts)), link.location) for link in reader.links)
    title = collapse("".join(reader.title))
    return Document("html", tuple(reader.blocks), tuple(links), subject=title or None)


# Email

_SENDER_HEADERS = ("From", "Sender", "Reply-To", "Return-Path")


def read_eml(data: bytes) -> Document:
    message = BytesParser(policy=default_policy).parsebytes(data)
    body = message.get_body(preferencelist=("html", "plain"))
    document = Document("eml", ())
    if isinstance(body, EmailMessage):
        payload = body.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        try:
            content = raw.decode(body.get_content_charset() or "utf-8")
        except (LookupError, UnicodeDecodeError):
            content = decode(raw)
        is_html = body.get_content_subtype() == "html"
        document = document_from_html(content) if is_html else document_from_text(content)
    senders = []
    for name in _SENDER_HEADERS:
        for value in message.get_all(name, []):
            addresses = getattr(value, "addresses", None)
            if addresses is not None:
                specs = [address.addr_spec for address in addresses]
            else:
                specs = [spec for _, spec in getaddresses([str(value)])]
            senders += [(name, spec) for spec in specs if spec.strip("<>")]
    subject = collapse(str(message.get("Subject", "")))
    return replace(
        document,
        source_format="eml",
        senders=tuple(senders),
        attachments=tuple(_email_attachments(message, body)),
        subject=subject or None,
    )


def _email_attachments(part: Any, body: object) -> list[str]:
    """Each part that is not the body and not plain or HTML text, or that has a filename."""
    if part.get_content_maintype() == "multipart":
        return [name for sub in part.iter_parts() for name in _email_attachments(sub, body)]
    if part is body:
        return []
    is_text = part.get_content_type() in ("text/plain", "text/html")
    filename = part.get_filename()
    if filename or not is_text or part.get_content_disposition() == "attachment":
        return [filename or part.get_content_type()]
    return []


# PDF
