"""Reading a notice a user brings in (.txt, .md, .html, .eml, .pdf, .docx) into a Document.

A Document is what the notice linter works on: the text as headings, paragraphs, list items
and table cells in reading order, each with a location a person can find, the explicit
hyperlinks, and for an email its sender headers, attachments and subject.

The files are untrusted. Nothing is fetched, followed or run; a file that cannot be read gives
an InputError naming the file and what to do, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from breachdesk.inputs import InputError
from breachdesk.notices.documents.html import document_from_html, read_eml
from breachdesk.notices.documents.model import Block, Document, Link, Problem, decode
from breachdesk.notices.documents.office import read_docx, read_pdf
from breachdesk.notices.documents.text import document_from_markdown, document_from_text

MAX_BYTES = 20 * 1024 * 1024

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".eml": "eml",
    ".pdf": "pdf",
    ".docx": "docx",
}
_ADVICE = {
    "txt": "cannot be read as text",
    "md": "cannot be read as Markdown",
    "html": "cannot be read as HTML",
    "eml": "cannot be read as an email; save the message again from the mail program as .eml",
    "pdf": "cannot be read as a PDF; export it again from the program that made it",
    "docx": "cannot be read as a Word .docx file; open it in Word and save it again as .docx",
}


def read_document(path: Path) -> Document:
    """Read a notice file, choosing the reader by its extension."""
    source_format = _FORMATS.get(path.suffix.lower())
    if source_format is None:
        kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise InputError(
            f"{path}: cannot read {kind}; save the notice as .txt, .md, .html, .htm, .eml, "
            ".pdf or .docx and try again"
        )
    data = _read_bytes(path)
    readers: dict[str, Callable[[bytes], Document]] = {
        "txt": lambda data: document_from_text(decode(data)),
        "md": lambda data: document_from_markdown(decode(data)),
        "html": lambda data: document_from_html(decode(data)),
        "eml": read_eml,
        "pdf": read_pdf,
        "docx": read_docx,
    }
    try:
        return readers[source_format](data)
    except Problem as problem:
        raise InputError(f"{path}: {problem}") from problem
    except Exception as error:  # untrusted input: any parser failure is the file's fault
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:160]
        raise InputError(f"{path}: {_ADVICE[source_format]} ({reason})") from error


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a folder; give the path of the notice file itself")
        if not path.is_file():
            raise InputError(f"{path}: is not a regular file; save the notice as a file first")
        if size > MAX_BYTES:
            raise InputError(
                f"{path}: is {size / 1024 / 1024:.1f} MB and notices over "
                f"{MAX_BYTES // 1024 // 1024} MB are refused; remove large images or "
                "attachments and try again"
            )
        return path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file; check the path and try again") from error
    except OSError as error:
        raise InputError(f"{path}: cannot be opened ({error.strerror}); check it") from error


__all__ = [
    "Block",
    "Document",
    "Link",
    "document_from_html",
    "document_from_markdown",
    "document_from_text",
    "read_document",
]
