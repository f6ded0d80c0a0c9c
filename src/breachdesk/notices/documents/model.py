"""The shape of a read notice: blocks of text in reading order, links, senders."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

HEADING_MAX_WORDS = 12


@dataclass(frozen=True)
class Block:
    """A heading, paragraph, list item or table cell; ``font_size_pt`` is None where unknown."""

    kind: str  # "heading" | "paragraph" | "list_item" | "table_cell"
    text: str
    location: str
    font_size_pt: float | None = None


@dataclass(frozen=True)
class Link:
    """An explicit hyperlink: where it goes as written, and the text the reader sees."""

    url: str
    text: str
    location: str


@dataclass(frozen=True)
class Document:
    """A notice as blocks in reading order; senders are (header, bare address), email only."""

    source_format: str
    blocks: tuple[Block, ...]
    links: tuple[Link, ...] = ()
    senders: tuple[tuple[str, str], ...] = ()
    attachments: tuple[str, ...] = ()
    subject: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


class Problem(Exception):
    """What is wrong with a file, worded to follow its path in an InputError."""


def collapse(text: str) -> str:
    return " ".join(text.split())


def smallest(sizes: Iterable[float | None]) -> float | None:
    known = [size for size in sizes if size]
    return round(min(known), 2) if known else None


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252; UTF-16 only with a BOM."""
    encodings = ["utf-8-sig", "cp1252"]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings.insert(0, "utf-16")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise Problem("is not UTF-8 or Windows-1252 text; save it as UTF-8 text and try again")
