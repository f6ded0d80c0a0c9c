"""Printed notice letters: PDFs from the same rendered notice as the email, compiled with
typst in batches (one document, each letter starting on its own page)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import typst

from breachdesk.notices.render import RenderedNotice

LAYOUT = Path(__file__).parent / "layouts" / "letter.typ"


def _blocks(paragraph: str) -> list[dict[str, Any]]:
    lines = paragraph.splitlines()
    items = [line[2:] for line in lines if line.startswith("- ")]
    lead = [line for line in lines if not line.startswith("- ")]
    blocks: list[dict[str, Any]] = []
    if lead:
        blocks.append({"kind": "paragraph", "lines": lead})
    if items:
        blocks.append({"kind": "list", "items": items})
    return blocks


def letter_data(
    rendered: RenderedNotice, *, reference: str, sender: list[str], recipient: list[str]
) -> dict[str, Any]:
    """One letter's content for the layout: addresses, title, and each section's blocks."""
    return {
        "language": rendered.language,
        "reference": reference,
        "sender": sender,
        "recipient": recipient,
        "title": rendered.title,
        "parts": [
            {
                "heading": heading,
                "blocks": [block for paragraph in paragraphs for block in _blocks(paragraph)],
            }
            for heading, paragraphs in rendered.parts
        ],
    }


def address_block(
    name: str,
    line1: str | None,
    line2: str | None,
    city: str | None,
    subdivision: str | None,
    postcode: str | None,
    country: str | None,
) -> list[str]:
    """The recipient's lines as the window envelope shows them; the country only when
    the letter leaves the US."""
    place = " ".join(part for part in (city, subdivision, postcode) if part)
    lines = [name, line1, line2, place, None if country in (None, "US") else country]
    return [line for line in lines if line]


@cache
def _compiler() -> typst.Compiler:
    # One compiler keeps its fonts loaded between batches.
    return typst.Compiler(str(LAYOUT))


def compile_letters(letters: list[dict[str, Any]]) -> bytes:
    """One PDF holding every letter; each starts on a new page, its reference on each."""
    return _compiler().compile(sys_inputs={"letters": json.dumps(letters)})
