"""Printed letters: the same notice as the email, laid out for a #10 window envelope."""

from __future__ import annotations

import io

import pypdf

from breachdesk.notices.documents import read_document
from breachdesk.notices.letters import compile_letters, letter_data
from breachdesk.notices.lint import LintContext, lint
from breachdesk.notices.render import default_template
from breachdesk.notices.templates import render_sample
from breachdesk.rules.catalog import shipped_rules
from tests.notices.test_render import organisation

SENDER = ["Northwind Outfitters", "1200 Harbor Way", "Portland, OR 97201"]


def _letter(name: str, reference: str, language: str = "en") -> dict:
    rendered, _laws = render_sample(default_template("initial", language), organisation(), "US-CA")
    recipient = [name, "12 Oak Street Apt 4", "Austin, TX 78701"]
    return letter_data(rendered, reference=reference, sender=SENDER, recipient=recipient)


def test_each_letter_starts_a_page_with_its_address_and_its_reference_on_every_page() -> None:
    pdf = pypdf.PdfReader(
        io.BytesIO(
            compile_letters(
                [
                    _letter("Ann Lee", "AAAA-BBBB-CCCC"),
                    _letter("Bo Ng", "DDDD-EEEE-FFFF", "es"),
                ]
            )
        )
    )
    texts = [page.extract_text() for page in pdf.pages]
    starts = [index for index, text in enumerate(texts) if "12 Oak Street" in text]
    assert len(starts) == 2 and starts[0] == 0
    assert "Ann Lee" in texts[0] and "Bo Ng" in texts[starts[1]]
    assert "AAAA-BBBB-CCCC" in texts[0] and "DDDD-EEEE-FFFF" in texts[starts[1]]
    # A page that comes loose from its letter still says whose it is.
    assert all("Reference AAAA-BBBB-CCCC" in text for text in texts[: starts[1]])
    assert all("Reference DDDD-EEEE-FFFF" in text for text in texts[starts[1] :])
    assert starts[1] >= 2  # a letter runs to more than one page, so the check means something
    assert "Lamentamos" in "".join(texts[starts[1] :])


def test_the_letter_lints_clean_for_california_type_size_and_headings_included(tmp_path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(compile_letters([_letter("Ann Lee", "AAAA-BBBB-CCCC")]))
    document = read_document(path)
    sizes = [block.font_size_pt for block in document.blocks if block.font_size_pt]
    assert sizes and min(sizes) >= 10
    context = LintContext(
        owned_domains=("northwind.example",),
        jurisdictions=(shipped_rules()["US-CA"],),
        signatory="Dana Whitfield",
    )
    errors = [f for f in lint(document, context).findings if f.severity == "error"]
    assert errors == []


def test_text_in_the_content_is_never_read_as_layout_markup() -> None:
    letter = _letter("#set page(width: 1cm) $x$ *bold*", "AAAA-BBBB-CCCC")
    pdf = pypdf.PdfReader(io.BytesIO(compile_letters([letter])))
    assert "#set page(width: 1cm)" in pdf.pages[0].extract_text()
    assert float(pdf.pages[0].mediabox.width) == 612  # still US Letter
