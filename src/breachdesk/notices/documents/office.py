"""PDF and Word .docx files."""

from __future__ import annotations

import io
import itertools
import math
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import docx
import pypdf
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from pypdf import PasswordType

from breachdesk.notices.documents.model import Block, Document, Link, Problem, collapse, smallest
from breachdesk.notices.documents.text import Line, blocks_from_lines, is_short

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a .docx is a zip: refuse archives that unpack huge


def read_pdf(data: bytes) -> Document:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise Problem("is password-protected; save a copy without a password and try again")
    lines: list[Line] = []
    links: list[Link] = []
    attachments = [embedded.name for embedded in reader.attachment_list]
    for number, page in enumerate(reader.pages, 1):
        location = f"page {number}"
        page_lines, fragments = _pdf_page_lines(page, location)
        lines += [*page_lines, Line("", location)]
        for annotation in _pdf_resolve(page.get("/Annots")) or []:
            annotation = _pdf_resolve(annotation)
            subtype = annotation.get("/Subtype")
            if subtype == "/FileAttachment":
                spec = _pdf_resolve(annotation.get("/FS"))
                name = (spec.get("/UF") or spec.get("/F")) if isinstance(spec, dict) else spec
                attachments.append(_pdf_string(name) or "file attachment")
            action = _pdf_resolve(annotation.get("/A"))
            if subtype == "/Link" and isinstance(action, dict) and action.get("/S") == "/URI":
                rect = [float(x) for x in _pdf_resolve(annotation.get("/Rect")) or [0, 0, 0, 0]]
                text = _pdf_text_in(fragments, rect)
                links.append(Link(_pdf_string(_pdf_resolve(action.get("/URI"))), text, location))
    if not any(line.text.strip() for line in lines):
        raise Problem(
            "has no text to check (a scan?); export the PDF from the original document, "
            "or run it through text recognition first"
        )
    characters: Counter[float] = Counter()
    for line in lines:
        if line.size:
            characters[line.size] += len(line.text.strip())
    body_size = characters.most_common(1)[0][0] if characters else None
    return Document(
        "pdf", blocks_from_lines(lines, body_size), tuple(links), attachments=tuple(attachments)
    )


@dataclass
class _PdfLine:
    parts: list[str] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)
    x: float | None = None
    y: float | None = None


def _pdf_page_lines(
    page: pypdf.PageObject, location: str
) -> tuple[list[Line], list[tuple[float, float, str]]]:
    """The page's lines with their font sizes, a blank line where the gap is wider than usual."""
    lines: list[_PdfLine] = []
    fragments: list[tuple[float, float, str]] = []  # (x, y, text) where a piece of text starts

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _font: Any, size: float) -> None:
        # Where the text starts and how tall it is: the text matrix times the CTM.
        _, _, c, d, e, f = (float(value) for value in tm)
        m = [float(value) for value in cm]
        x, y = e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5]
        scale = math.hypot(c * m[0] + d * m[2], c * m[1] + d * m[3])
        for index, piece in enumerate(text.split("\n")):
            if index > 0 or not lines:
                lines.append(_PdfLine())
            line = lines[-1]
            if piece.strip():
                line.sizes.append(float(size) * scale)
                if index == 0:
                    fragments.append((x, y, piece))
                    line.y = y if line.y is None else line.y
                    line.x = x if not "".join(line.parts).strip() else line.x
            line.parts.append(piece)

    page.extract_text(visitor_text=visit)
    lines = [line for line in lines if "".join(line.parts).strip()]
    gaps = [
        round(above.y - below.y)
        for above, below in itertools.pairwise(lines)
        if above.y is not None and below.y is not None and above.y > below.y
    ]
    counts = Counter(gaps)
    usual = min(counts, key=lambda gap: (-counts[gap], gap)) if gaps else None  # line spacing
    left = min((line.x for line in lines if line.x is not None), default=0.0)
    result: list[Line] = []
    for previous, line in zip([None, *lines], lines, strict=False):
        positioned = previous and previous.y is not None and line.y is not None and usual
        if positioned and not 0 < previous.y - line.y <= usual * 1.3:  # wider gap, or new column
            result.append(Line("", location))
        indent = " " if line.x is not None and line.x > left + 2 else ""
        result.append(Line(indent + "".join(line.parts).strip(), location, smallest(line.sizes)))
    return result, fragments


def _pdf_text_in(fragments: list[tuple[float, float, str]], rect: list[float]) -> str:
    left, right = sorted(rect[0::2])
    bottom, top = sorted(rect[1::2])
    inside = (
        t for x, y, t in fragments if left - 1 <= x < right - 1 and bottom - 1 <= y <= top + 1
    )
    return collapse("".join(inside))


def _pdf_resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _pdf_string(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")


# Word


def read_docx(data: bytes) -> Document:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            limit = MAX_UNPACKED_BYTES // 1024 // 1024
            raise Problem(f"unpacks to more than {limit} MB; save it again without embedded files")
    document = docx.Document(io.BytesIO(data))
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val")
    default_size = int(defaults[0]) / 2 if defaults else None
    blocks: list[Block] = []
    links: list[Link] = []
    paragraph_count = table_count = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table_count += 1
            for row_number, row in enumerate(item.rows, 1):
                cells: list[Any] = []
                for cell in row.cells:
                    if not cells or cell != cells[-1]:  # a merged cell repeats across its span
                        cells.append(cell)
                for cell_number, cell in enumerate(cells, 1):
                    location = f"table {table_count}, row {row_number}, cell {cell_number}"
                    read = [_docx_paragraph(p, location, default_size) for p in cell.paragraphs]
                    text = collapse(" ".join(text for text, _, _, _ in read))
                    for _, _, _, found in read:
                        links += found
                    if text:
                        size = smallest(size for _, size, _, _ in read)
                        blocks.append(Block("table_cell", text, location, size))
            continue
        location = f"paragraph {paragraph_count + 1}"
        text, size, bold, found = _docx_paragraph(item, location, default_size)
        if not text:
            continue
        paragraph_count += 1
        style = (item.style.name if item.style is not None else None) or ""
        properties = item._p.pPr  # python-docx has no public API for list numbering
        has_numbering = properties is not None and properties.numPr is not None
        if style.startswith(("Heading", "Title")) or (bold and is_short(text)):
            kind = "heading"
        elif style.startswith("List") or has_numbering:
            kind = "list_item"
        else:
            kind = "paragraph"
        blocks.append(Block(kind, text, location, size))
        links += found
    title = collapse(document.core_properties.title or "")
    return Document("docx", tuple(blocks), tuple(links), subject=title or None)


def _docx_paragraph(
    paragraph: Any, location: str, default_size: float | None
) -> tuple[str, float | None, bool, list[Link]]:
    """Text, smallest font size, whether every run is bold, and the hyperlinks."""
    runs: list[Any] = []
    links: list[Link] = []
    for content in paragraph.iter_inner_content():
        if isinstance(content, Hyperlink):
            runs += content.runs
            url = content.url or (f"#{content.fragment}" if content.fragment else "")
            if url:
                links.append(Link(url, collapse(content.text), location))
        else:
            runs.append(content)
    runs = [run for run in runs if run.text.strip()]
    sizes = []
    for run in runs:
        size = _docx_font(run, paragraph, "size")
        sizes.append(size.pt if size is not None else default_size)
    bold = bool(runs) and all(_docx_font(run, paragraph, "bold") for run in runs)
    return collapse(paragraph.text), smallest(sizes), bold, links


def _docx_font(run: Any, paragraph: Any, attribute: str) -> Any:
    """A run's font attribute as set on the run, else on its character or paragraph style."""
    value = getattr(run.font, attribute)
    for style in (run.style, paragraph.style):
        while value is None and style is not None:
            value = getattr(style.font, attribute)
            style = style.base_style
    return value
