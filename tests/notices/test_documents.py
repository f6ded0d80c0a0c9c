"""Reading notices: one sample notice written in every format, and the files users get wrong.

Each format is built in tmp_path from the same notice: a title, headings written as questions,
paragraphs, a bulleted list of data elements, a two-column table and two links, one of which
shows a different address from the one it goes to.
"""

from __future__ import annotations

import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from fpdf import FPDF
from pypdf import PdfWriter

from breachdesk.inputs import InputError
from breachdesk.notices.documents import (
    MAX_BYTES,
    Document,
    Link,
    document_from_html,
    document_from_markdown,
    document_from_text,
    office,
    read_document,
)

TITLE = "Notice of Data Breach"
HAPPENED = "What happened?"
INVOLVED = "What information was involved?"
TO_DO = "What you can do"
HEADINGS = [TITLE, HAPPENED, INVOLVED, TO_DO]
STORY = (
    "On March 3, 2026 we learned that someone copied customer records from one of our "
    "servers. We are writing to tell you what happened and what you can do about it."
)
ELEMENTS = ["Name", "Social Security number", "Date of birth"]
CELLS = ["Contact", "Details", "Call center", "1-800-555-0100"]
HELP = "https://example.com/help"
RESET, RESET_SHOWN = "https://login.example.net/reset", "example.com/reset"
LINKS = [(HELP, HELP), (RESET, RESET_SHOWN)]

TXT = f"""\
{TITLE}

{HAPPENED}
{STORY}

{INVOLVED}
- {ELEMENTS[0]}
* {ELEMENTS[1]}
• {ELEMENTS[2]}

{TO_DO}
Visit {HELP} or reset your password at {RESET_SHOWN}.

Sincerely,
Acme Support
"""

MD = f"""\
{TITLE}
=====================

## {HAPPENED}

{STORY}

**{INVOLVED}**

- {ELEMENTS[0]}
- {ELEMENTS[1]}
1. {ELEMENTS[2]}

## {TO_DO}

Visit [{HELP}]({HELP}) or reset your password at [{RESET_SHOWN}][reset].

| {CELLS[0]} | {CELLS[1]} |
|---|:---:|
| {CELLS[2]} | {CELLS[3]} |

[reset]: {RESET}
"""

HTML = f"""\
<!DOCTYPE html>
<html><head><title>{TITLE}</title>
<style>p {{ color: red }}</style><script>document.write("tracking")</script></head>
<body>
<h1 style="font-size: 24px">{TITLE}</h1>
<h2>{HAPPENED}</h2>
<p style="font-size: 11pt">{STORY.replace("&", "&amp;")}</p>
<p><strong>{INVOLVED}</strong></p>
<ul>{"".join(f"<li>{element}</li>" for element in ELEMENTS)}</ul>
<h2>{TO_DO}</h2>
<p style="font-size:12px">Visit <a href="{HELP}">{HELP}</a> or reset your password
at <a href="{RESET}">{RESET_SHOWN}</a>.</p>
<table><tr><th>{CELLS[0]}</th><th>{CELLS[1]}</th></tr>
<tr><td>{CELLS[2]}</td><td>{CELLS[3]}</td></tr></table>
</body></html>
"""


def headings(document: Document) -> list[str]:
    return [block.text for block in document.blocks if block.kind == "heading"]


def texts(document: Document, kind: str) -> list[str]:
    return [block.text for block in document.blocks if block.kind == kind]


def links(document: Document) -> list[tuple[str, str]]:
    return [(link.url, link.text) for link in document.links]


def block(document: Document, text: str):
    return next(block for block in document.blocks if block.text.startswith(text))


# --- building the sample in each format -------------------------------------------------


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def add_hyperlink(paragraph, url: str, text: str) -> None:
    """python-docx cannot add a hyperlink; write the element Word writes."""
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, True))
    run, label = OxmlElement("w:r"), OxmlElement("w:t")
    label.text = text
    run.append(label)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


@pytest.fixture
def docx_path(tmp_path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, 0)
    document.add_heading(HAPPENED, 1)
    document.add_paragraph().add_run(STORY).font.size = Pt(11)
    document.add_paragraph().add_run(INVOLVED).bold = True
    for element in ELEMENTS:
        document.add_paragraph(element, style="List Bullet")
    document.add_heading(TO_DO, 1)
    paragraph = document.add_paragraph("Visit ")
    add_hyperlink(paragraph, HELP, HELP)
    paragraph.add_run(" or reset your password at ")
    add_hyperlink(paragraph, RESET, RESET_SHOWN)
    paragraph.add_run(".").font.size = Pt(8)
    table = document.add_table(rows=2, cols=2)
    cells = [cell for row in table.rows for cell in row.cells]
    for cell, text in zip(cells, CELLS, strict=True):
        cell.text = text
    path = tmp_path / "notice.docx"
    document.save(str(path))
    return path


@pytest.fixture
def pdf_path(tmp_path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, HAPPENED, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(90, 6, STORY, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, INVOLVED, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for element in ELEMENTS:
        pdf.cell(0, 6, f"- {element}", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, TO_DO, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.write(6, "Visit ")
    pdf.write(6, HELP, link=HELP)
    pdf.write(6, " or reset your password at ")
    pdf.write(6, RESET_SHOWN, link=RESET)
    pdf.write(6, ".")
    pdf.embed_file(basename="claim-form.txt", bytes=b"name:")
    path = tmp_path / "notice.pdf"
    pdf.output(str(path))
    return path


def sample_email(*, with_html: bool = True) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Acme Support <support@acme.example>"
    message["Reply-To"] = '"Acme, Help Desk" <help@acme-support.example.net>'
    message["Return-Path"] = "<bounce@mailer.example.org>"
    message["To"] = "ann.lee@example.com"
    message["Subject"] = f"{TITLE}: please read"
    message.set_content(TXT)
    if with_html:
        message.add_alternative(HTML, subtype="html")
    message.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename="letter.pdf"
    )
    return message


@pytest.fixture
def eml_path(tmp_path: Path) -> Path:
    return write(tmp_path, "notice.eml", bytes(sample_email()))


# --- every format -----------------------------------------------------------------------


def test_text_finds_headings_paragraphs_and_list_items(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "notice.txt", TXT))
    assert document.source_format == "txt"
    assert headings(document) == HEADINGS
    assert texts(document, "list_item") == ELEMENTS
    assert block(document, "On March 3").text == STORY
    assert block(document, HAPPENED).location == "line 3"
    assert document.links == ()  # a URL written out is not a hyperlink


def test_text_does_not_take_a_salutation_or_a_date_for_a_heading() -> None:
    text = "Notice of Data Breach\n\nMarch 9, 2026\n\nDear Ann Lee,\n\nWe are writing to you.\n"
    assert headings(document_from_text(text)) == ["Notice of Data Breach"]


def test_text_does_not_take_the_first_line_of_a_wrapped_paragraph_for_a_heading() -> None:
    text = """\
Notice

On March 3 we learned that someone had copied files from
Acme Payroll, our vendor. We are writing to tell you what
happened and what you can do.
"""
    assert headings(document_from_text(text)) == ["Notice"]


def test_text_takes_a_line_in_capitals_for_a_heading() -> None:
    document = document_from_text("WHAT WE ARE DOING.\nWe shut the server down.\n")
    assert headings(document) == ["WHAT WE ARE DOING."]


def test_markdown_finds_headings_list_items_table_cells_and_links(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "notice.MARKDOWN", MD))
    assert document.source_format == "md"
    assert headings(document) == HEADINGS
    assert texts(document, "list_item") == ELEMENTS
    assert texts(document, "table_cell") == CELLS
    assert links(document) == LINKS
    assert block(document, "Visit").text == f"Visit {HELP} or reset your password at {RESET_SHOWN}."
    assert block(document, CELLS[3]).location == "line 20, cell 2"


def test_markdown_strips_emphasis_but_not_underscores_inside_words() -> None:
    document = document_from_markdown("Your *name* and `snake_case_id` were **seen**.\n")
    assert document.text == "Your name and snake_case_id were seen."


def test_html_finds_headings_list_items_table_cells_and_links(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "notice.htm", HTML))
    assert document.source_format == "html"
    assert headings(document) == HEADINGS
    assert texts(document, "list_item") == ELEMENTS
    assert texts(document, "table_cell") == CELLS
    assert links(document) == LINKS
    assert document.subject == TITLE


def test_html_locations_name_the_element() -> None:
    document = document_from_html(HTML)
    assert block(document, HAPPENED).location == "<h2> 1"
    assert block(document, INVOLVED).location == "paragraph 2"
    assert block(document, CELLS[3]).location == "table 1, row 2, cell 2"
    assert document.links[1] == Link(RESET, RESET_SHOWN, "paragraph 3")


def test_html_font_sizes_come_from_inline_styles_in_points() -> None:
    document = document_from_html(HTML)
    assert block(document, TITLE).font_size_pt == 18  # 24px
    assert block(document, "On March 3").font_size_pt == 11
    assert block(document, "Visit").font_size_pt == 9  # 12px
    assert block(document, HAPPENED).font_size_pt is None


def test_html_ignores_scripts_styles_and_hidden_text() -> None:
    document = document_from_html(HTML + '<div style="display:none">Your PIN was taken.</div>')
    assert "tracking" not in document.text
    assert "color" not in document.text
    assert "PIN" not in document.text


def test_html_decodes_entities_and_breaks_lines_at_br() -> None:
    html = "<p><b>What happened?</b><br>Tom &amp; Jerry&nbsp;saw it.<br>Then we&#39;d act.</p>"
    document = document_from_html(html)
    assert [(block.kind, block.text) for block in document.blocks] == [
        ("heading", "What happened?"),
        ("paragraph", "Tom & Jerry saw it. Then we'd act."),
    ]


def test_html_closes_a_head_left_open() -> None:
    document = document_from_html("<html><head><title>Notice</title><body><p>Hello.</p>")
    assert (document.subject, document.text) == ("Notice", "Hello.")


def test_email_reads_the_html_part_senders_attachments_and_subject(eml_path: Path) -> None:
    document = read_document(eml_path)
    assert document.source_format == "eml"
    assert headings(document) == HEADINGS
    assert links(document) == LINKS
    assert document.senders == (
        ("From", "support@acme.example"),
        ("Reply-To", "help@acme-support.example.net"),
        ("Return-Path", "bounce@mailer.example.org"),
    )
    assert document.attachments == ("letter.pdf",)
    assert document.subject == f"{TITLE}: please read"


def test_email_falls_back_to_the_plain_text_part(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "n.eml", bytes(sample_email(with_html=False))))
    assert headings(document) == HEADINGS
    assert document.links == ()


def test_email_counts_an_inline_image_with_a_filename_as_an_attachment(tmp_path: Path) -> None:
    message = sample_email()
    html_part = message.get_body(preferencelist=("html",))
    html_part.add_related(b"\x89PNG", "image", "png", cid="<logo>", filename="logo.png")
    document = read_document(write(tmp_path, "n.eml", bytes(message)))
    assert document.attachments == ("logo.png", "letter.pdf")
    assert headings(document) == HEADINGS


def test_docx_finds_headings_list_items_table_cells_and_hyperlinks(docx_path: Path) -> None:
    document = read_document(docx_path)
    assert document.source_format == "docx"
    assert headings(document) == HEADINGS
    assert texts(document, "list_item") == ELEMENTS
    assert texts(document, "table_cell") == CELLS
    assert links(document) == LINKS
    assert document.subject == TITLE


def test_docx_locations_count_paragraphs_and_table_cells(docx_path: Path) -> None:
    document = read_document(docx_path)
    assert block(document, HAPPENED).location == "paragraph 2"
    assert block(document, CELLS[2]).location == "table 1, row 2, cell 1"
    assert document.links[0].location == "paragraph 9"


def test_docx_font_sizes_come_from_runs_then_styles(docx_path: Path) -> None:
    document = read_document(docx_path)
    assert block(document, "On March 3").font_size_pt == 11
    assert block(document, "Visit").font_size_pt == 8  # the smallest run
    assert block(document, TITLE).font_size_pt == 26  # the Title style
    assert block(document, ELEMENTS[0]).font_size_pt == 11  # the document default


def test_pdf_finds_headings_list_items_and_links(pdf_path: Path) -> None:
    document = read_document(pdf_path)
    assert document.source_format == "pdf"
    assert headings(document) == HEADINGS
    assert texts(document, "list_item") == ELEMENTS
    assert block(document, "On March 3").text == STORY
    assert links(document) == LINKS


def test_pdf_locations_are_pages(pdf_path: Path) -> None:
    document = read_document(pdf_path)
    assert block(document, HAPPENED).location == "page 1"
    assert block(document, TO_DO).location == "page 2"
    assert {link.location for link in document.links} == {"page 2"}


def test_pdf_font_sizes_and_embedded_files(pdf_path: Path) -> None:
    document = read_document(pdf_path)
    assert block(document, TITLE).font_size_pt == 18
    assert block(document, "Visit").font_size_pt == 8
    assert document.attachments == ("claim-form.txt",)


def test_every_format_gives_the_same_headings(
    tmp_path: Path, docx_path: Path, pdf_path: Path, eml_path: Path
) -> None:
    written = [write(tmp_path, name, text) for name, text in [("n.txt", TXT), ("n.md", MD)]]
    paths = [*written, write(tmp_path, "n.html", HTML), docx_path, pdf_path, eml_path]
    for path in paths:
        document = read_document(path)
        assert headings(document) == HEADINGS, path.name
        assert all(block.location for block in document.blocks), path.name
        assert document.text.startswith(TITLE), path.name


# --- text encodings ---------------------------------------------------------------------


def test_it_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "n.txt", "\ufeffCafé notice.".encode()))
    assert document.text == "Café notice."


def test_it_falls_back_to_windows_1252(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "n.txt", b"Caf\xe9 \x93notice\x94."))
    assert document.text == "Café “notice”."


# --- bad input --------------------------------------------------------------------------


def assert_refused(path: Path, *words: str) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "\n" not in message
    for word in words:
        assert word in message
    return message


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "gone.pdf", "no such file")


def test_it_refuses_a_folder(tmp_path: Path) -> None:
    (tmp_path / "letters.txt").mkdir()
    assert_refused(tmp_path / "letters.txt", "folder")


def test_it_refuses_an_unsupported_extension_and_says_which_are_supported(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, "notice.rtf", "{\\rtf1}"), "'.rtf'", ".docx", ".eml", ".md")


def test_it_refuses_files_over_20_mb_before_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: no need to write 20 MB
    assert_refused(path, "20 MB")


def test_it_refuses_text_that_is_neither_utf8_nor_windows_1252(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, "n.md", b"caf\x81\x8d"), "UTF-8")


def test_it_refuses_a_corrupt_docx(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, "n.docx", b"PK\x03\x04 not really"), "Word", "save it again")


def test_it_refuses_a_doc_renamed_to_docx(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, "n.docx", b"\xd0\xcf\x11\xe0" + bytes(600)), "Word")


def test_it_refuses_a_corrupt_pdf(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, "n.pdf", b"%PDF-1.7\n garbage"), "PDF", "export it again")


def test_it_refuses_a_password_protected_pdf(tmp_path: Path, pdf_path: Path) -> None:
    writer = PdfWriter(clone_from=pdf_path)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert_refused(path, "password")


def test_it_refuses_a_pdf_without_text(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert_refused(path, "no text")


def test_it_refuses_a_docx_that_unpacks_huge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office, "MAX_UNPACKED_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(2 * 1024 * 1024))
    assert path.stat().st_size < 10_000
    assert_refused(path, "unpacks to more than 1 MB")


def test_a_docx_cannot_pull_in_local_files(tmp_path: Path, docx_path: Path) -> None:
    """An external entity in the XML is not resolved: the text never holds /etc/passwd."""
    with zipfile.ZipFile(docx_path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    declaration, rest = xml.split("?>", 1)
    doctype = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    parts["word/document.xml"] = (
        (declaration + "?>" + doctype + rest).replace(STORY, "&x;").encode()
    )
    path = tmp_path / "entity.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    text = read_document(path).text
    assert "root:" not in text
    assert text.startswith(TITLE)
