"""Plain text and Markdown; PDF lines go through the same paragraph and heading rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from breachdesk.notices.documents.model import (
    HEADING_MAX_WORDS,
    Block,
    Document,
    Link,
    collapse,
    smallest,
)

# Plain text, and the lines of a PDF, share one set of rules.

_LIST_ITEM = re.compile(r"^\s*(?:[-*•●▪◦‣–]|\d{1,3}[.)])\s+(\S.*)$")
_STRONG_ONLY = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


class Line(NamedTuple):
    text: str  # as written; leading spaces mark an indented (continuation) line
    location: str
    size: float | None = None


class _Collector:
    """Builds blocks from pieces of text; an open block grows until it is flushed."""

    def __init__(self, inline: Callable[[str, str], str] | None = None) -> None:
        self.blocks: list[Block] = []
        self.inline = inline
        self.open: tuple[str, list[str], str, list[float | None]] | None = None

    def start(self, kind: str, text: str, location: str, size: float | None = None) -> None:
        self.flush()
        self.open = (kind, [text], location, [size])

    def add(self, text: str, size: float | None = None) -> None:
        assert self.open is not None
        self.open[1].append(text)
        self.open[3].append(size)

    def emit(self, kind: str, text: str, location: str, size: float | None = None) -> None:
        self.start(kind, text, location, size)
        self.flush()

    def flush(self, kind: str | None = None) -> None:
        """Close the open block, as ``kind`` if given (a setext underline makes a heading)."""
        if self.open is None:
            return
        open_kind, parts, location, sizes = self.open
        kind = kind or open_kind
        self.open = None
        raw = collapse(" ".join(parts))
        if kind == "paragraph" and _STRONG_ONLY.fullmatch(raw) and is_short(raw):
            kind = "heading"  # **What happened?** alone on its line
        text = collapse(self.inline(raw, location) if self.inline else raw)
        if text:
            self.blocks.append(Block(kind, text, location, smallest(sizes)))


def is_short(text: str) -> bool:
    return len(text.split()) <= HEADING_MAX_WORDS


def document_from_text(text: str) -> Document:
    """Plain text: blank lines separate paragraphs; headings and lists are found by their look."""
    lines = [Line(line, f"line {number}") for number, line in enumerate(text.splitlines(), 1)]
    return Document("txt", blocks_from_lines(lines))


def blocks_from_lines(lines: Sequence[Line], body_size: float | None = None) -> tuple[Block, ...]:
    groups: list[list[Line]] = [[]]
    for line in lines:
        if line.text.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    groups = [group for group in groups if group]
    collector = _Collector()
    for index, group in enumerate(groups):
        after = groups[index + 1] if index + 1 < len(groups) else []
        for position, line in enumerate(group):
            open_kind = collector.open[0] if collector.open else None
            if (position == 0 and _is_heading(line, group[1:], after)) or _is_larger(
                line, body_size
            ):
                collector.emit("heading", line.text, line.location, line.size)
            elif item := _LIST_ITEM.match(line.text):
                collector.start("list_item", item[1], line.location, line.size)
            elif open_kind == "paragraph" or (open_kind and line.text[:1].isspace()):
                collector.add(line.text, line.size)
            else:
                collector.start("paragraph", line.text, line.location, line.size)
        collector.flush()
    return tuple(collector.blocks)


def _is_heading(line: Line, rest: Sequence[Line], next_group: Sequence[Line]) -> bool:
    """The first line after a blank line (or the start), short, and either in capitals or
    without a full stop and before a list, a longer paragraph, or (with a blank line after it
    and no digits, unlike a date) anything at all.

    ``rest`` is the rest of the line's group of non-blank lines, ``next_group`` the group after.
    """
    text = collapse(line.text)
    if not is_short(text) or _LIST_ITEM.match(line.text):
        return False
    if text.isupper():
        return True
    following = rest or next_group
    if text.endswith((".", ",", ";", ":")) or not following:  # "Dear Ms Smith," is no heading
        return False
    if _LIST_ITEM.match(following[0].text):
        return True
    if rest:  # not the first line of a hard-wrapped paragraph: that is as wide as the rest
        widest = max(len(collapse(other.text)) for other in rest)
        continues = collapse(rest[0].text)[:1].islower()
        if continues or (len(text) > 0.7 * widest and not text.endswith("?")):
            return False
    elif not re.search(r"\d", text):
        return True
    after = collapse(" ".join(other.text for other in following))
    return len(after.split()) > len(text.split()) and re.search(r"[.!?]", after) is not None


def _is_larger(line: Line, body_size: float | None) -> bool:
    """PDF only: a short line set at least a point larger than the body text."""
    larger = body_size is not None and line.size is not None and line.size >= body_size + 1
    return larger and is_short(line.text)


# Markdown

_MD_ATX = re.compile(r"^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_MD_QUOTE = re.compile(r"^ {0,3}>\s?")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,9}[.)])\s+(\S.*)$")
_MD_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?([^\s>]+)>?(?:\s+[\"'(].*)?\s*$")
_MD_INLINE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\([^)]*\)"
    r"|\[(?P<text>[^\]]+)\]\(\s*<?(?P<url>[^)\s>]*)>?(?:\s+[\"'(][^)]*)?\s*\)"
    r"|\[(?P<ref_text>[^\]]+)\]\[(?P<ref>[^\]]*)\]"
    r"|<(?P<auto>(?:https?|mailto):[^>\s]+)>"
    r"|\[(?P<shortcut>[^\]]+)\]"
)
_MD_EMPHASIS = re.compile(r"(?<!\w)([*_])(?=\S)(.+?)(?<=\S)\1(?!\w)")


def document_from_markdown(text: str) -> Document:
    """Markdown headings, lists, pipe tables and links; emphasis and code marks are dropped."""
    lines = text.splitlines()
    references: dict[str, str] = {}
    for index, line in enumerate(lines):
        if reference := _MD_REFERENCE.match(line):
            references[collapse(reference[1]).lower()] = reference[2]
            lines[index] = ""
    links: list[Link] = []

    def inline(raw: str, location: str) -> str:
        return _markdown_inline(raw, location, references, links)

    collector = _Collector(inline)
    index = 0
    while index < len(lines):
        line = lines[index]
        while _MD_QUOTE.match(line):
            line = _MD_QUOTE.sub("", line, count=1)
        where = f"line {index + 1}"
        open_kind = collector.open[0] if collector.open else None
        if not line.strip() or _MD_FENCE.match(line):
            collector.flush()
        elif heading := _MD_ATX.match(line):
            collector.emit("heading", heading[1] or "", where)
        elif open_kind == "paragraph" and _MD_SETEXT.match(line):
            collector.flush(kind="heading")
        elif _MD_RULE.match(line):
            collector.flush()
        elif "|" in line and index + 1 < len(lines) and _MD_TABLE_RULE.match(lines[index + 1]):
            collector.flush()
            index = _markdown_table(lines, index, collector)
            continue
        elif item := _MD_LIST_ITEM.match(line):
            collector.start("list_item", item[1], where)
        elif open_kind:
            collector.add(line)
        else:
            collector.start("paragraph", line, where)
        index += 1
    collector.flush()
    return Document("md", tuple(collector.blocks), tuple(links))


def _markdown_table(lines: list[str], index: int, collector: _Collector) -> int:
    """Emit each cell of the pipe table starting at lines[index]; return the line after it."""
    end = index
    while end < len(lines) and lines[end].strip() and "|" in lines[end]:
        if end != index + 1:  # the |---|---| rule under the header row
            cells = re.split(r"(?<!\\)\|", lines[end].strip().removeprefix("|").removesuffix("|"))
            for number, cell in enumerate(cells, 1):
                collector.emit("table_cell", cell, f"line {end + 1}, cell {number}")
        end += 1
    return end


def _markdown_inline(raw: str, location: str, references: dict[str, str], links: list[Link]) -> str:
    def plain(text: str) -> str:
        text = _STRONG_ONLY.sub(r"\2", text)
        text = _MD_EMPHASIS.sub(r"\2", text)
        return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("`", ""))

    def replace_one(match: re.Match[str]) -> str:
        if match["alt"] is not None:
            return match["alt"]
        if match["auto"]:
            links.append(Link(match["auto"], match["auto"], location))
            return match["auto"]
        label = match["text"] or match["ref_text"] or match["shortcut"]
        if match["url"] is not None and match["text"]:
            url: str | None = match["url"]
        else:
            url = references.get(collapse(match["ref"] or label).lower())
        if url is None:
            return match[0]
        links.append(Link(url, collapse(plain(label)), location))
        return label

    return plain(_MD_INLINE.sub(replace_one, raw))


# HTML
