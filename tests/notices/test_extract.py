"""What the linter reads out of a notice, negations and all."""

from __future__ import annotations

import pytest

from breachdesk.incidents.models import DataElement as E
from breachdesk.notices.documents import Block, Document, document_from_text
from breachdesk.notices.extract import element_mentions, extract


def _named(text: str) -> list[E]:
    return extract(document_from_text(text)).data_elements


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Your name and Social Security number were taken.", [E.NAME, E.SSN]),
        ("No Social Security numbers were involved.", []),
        ("Your PIN was not compromised.", []),
        ("Your name and card number, but not your PIN, were copied.", [E.NAME, E.PAYMENT_CARD]),
        ("The files did not include bank account numbers or passwords.", []),
        ("Neither your date of birth nor your driver's license number was involved.", []),
        ("We have no evidence that your Social Security number was misused.", [E.SSN]),
        ("Your user name and password were exposed.", [E.ACCOUNT_CREDENTIALS]),
        ("Your email address, but not your postal address, was seen.", [E.EMAIL]),
        ("Su nombre y número de seguro social fueron robados.", [E.NAME, E.SSN]),
        ("No se vio ningún número de tarjeta de crédito.", []),
        ("The name of our store is Northwind.", []),
    ],
)
def test_elements_named_with_negation_handled(text, named) -> None:
    assert _named(text) == named


def test_a_list_of_elements_is_read_item_by_item() -> None:
    text = (
        "What information was involved?\n\n"
        "- Your name\n- Your date of birth\n- Your health insurance member ID\n"
    )
    assert _named(text) == [E.NAME, E.DATE_OF_BIRTH, E.HEALTH_INSURANCE]


def test_table_cells_are_read_and_a_no_cell_negates_its_row_only_when_in_the_cell() -> None:
    document = Document(
        "html",
        (
            Block("table_cell", "Social Security number", "table 1"),
            Block("table_cell", "Card security code: not involved", "table 1"),
        ),
    )
    assert extract(document).data_elements == [E.SSN]


def test_mentions_carry_where_they_were_found() -> None:
    mention = element_mentions("Your passport number was taken", "paragraph 3")[0]
    assert (mention.element, mention.location, mention.negated) == (
        E.PASSPORT,
        "paragraph 3",
        False,
    )


def test_headings_dates_phones_links_and_domains() -> None:
    text = (
        "What happened?\n\n"
        "On March 3, 2026 we learned of it; it began 2026-02-14.\n\n"
        "Call (800) 555-0142 or visit https://northwind.example/help or www.identitytheft.gov. "
        "Write to help@northwind.example.\n"
    )
    found = extract(document_from_text(text))
    assert found.headings == ["What happened?"]
    assert found.dates == ["March 3, 2026", "2026-02-14"]
    assert found.phones == ["(800) 555-0142"]
    assert "https://northwind.example/help" in found.links
    assert set(found.domains) >= {"northwind.example", "www.identitytheft.gov"}


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("We are offering 24 months of free credit monitoring.", 24),
        ("You can get two years of identity protection at no cost.", 24),
        ("Enroll in credit monitoring for 12 months.", 12),
        ("Le ofrecemos 18 meses de monitoreo de crédito.", 18),
        ("Credit monitoring is available.", None),
    ],
)
def test_credit_monitoring_offer_and_its_length(text, months) -> None:
    found = extract(document_from_text(text))
    assert found.credit_monitoring
    assert found.credit_monitoring_months == months


def test_apology_freeze_and_ftc_are_recognised_in_both_languages() -> None:
    english = extract(document_from_text("We are sorry. Ask for a security freeze. See the FTC."))
    spanish = extract(
        document_from_text(
            "Lamentamos lo ocurrido. Pida una congelación de crédito "
            "a la Comisión Federal de Comercio."
        )
    )
    for found in (english, spanish):
        assert (found.apology, found.security_freeze_info, found.ftc_info) == (True, True, True)
    silent = extract(document_from_text("Your card number was taken."))
    assert (silent.apology, silent.security_freeze_info, silent.ftc_info) == (False, False, False)
