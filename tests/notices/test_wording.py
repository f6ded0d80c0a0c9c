"""The fixed wording of notices: English in the code, other languages in Babel catalogs,
and a template's own words winning one by one."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.pofile import read_po

from breachdesk.inputs import InputError
from breachdesk.notices import wording
from breachdesk.notices.context import NoticeBatch
from breachdesk.notices.render import default_template, long_date, parse_template
from breachdesk.notices.templates import sample_incident
from tests.notices.test_render import organisation

LOCALE = wording.LOCALE_DIR


def _messages(path) -> set[str]:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_the_template_catalog_lists_every_message_for_translators() -> None:
    assert _messages(LOCALE / "breachdesk.pot") == set(wording.messages())


def test_spanish_translates_every_message_and_keeps_none_that_are_gone() -> None:
    assert _messages(LOCALE / "es" / "LC_MESSAGES" / "breachdesk.po") == set(wording.messages())
    spanish = wording.fixed_wording("es")
    assert spanish["elements"]["ssn"] == "número de Seguro Social"
    assert spanish["protection"]["clear"] == "No estaba cifrado."
    # California's headings stay readable in English after the Spanish.
    assert spanish["title"] == "Aviso de violación de datos / Notice of Data Breach"
    assert spanish["headings"]["what_happened"] == "Qué pasó / What Happened"


def test_the_default_templates_take_their_fixed_words_from_the_catalogs() -> None:
    english, spanish = default_template("initial", "en"), default_template("initial", "es")
    assert english.elements["card_security_code"] == "card security code"
    assert spanish.elements["card_security_code"] == "código de seguridad de la tarjeta"
    assert english.headings["genuine"] == "How to Check This Notice Is Genuine"
    assert spanish.title.startswith("Aviso de violación de datos")


def test_a_templates_own_words_win_one_by_one() -> None:
    data = default_template("initial", "es").model_dump(mode="json")
    for name in ("title", "headings", "elements", "protection"):
        del data[name]
    data["elements"] = {"pin": "número de identificación personal (NIP)"}
    data["headings"] = {"genuine": "¿Es auténtico este aviso?"}
    template = parse_template(data, source="mine.yaml")
    assert template.elements["pin"] == "número de identificación personal (NIP)"
    assert template.elements["ssn"] == "número de Seguro Social"
    assert template.headings["genuine"] == "¿Es auténtico este aviso?"
    assert template.headings["what_happened"] == "Qué pasó / What Happened"
    assert template.version != default_template("initial", "es").version


def test_a_message_missing_from_a_catalog_is_an_error_not_english(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    whole = (LOCALE / "es" / "LC_MESSAGES" / "breachdesk.po").read_text("utf-8")
    (folder / "breachdesk.po").write_text(
        whole.replace('msgstr "datos genéticos"', 'msgstr ""'), "utf-8"
    )
    monkeypatch.setattr(wording, "LOCALE_DIR", tmp_path)
    wording.catalog.cache_clear()
    try:
        with pytest.raises(InputError, match="no translation of 'genetic data'"):
            wording.fixed_wording("es")
    finally:
        wording.catalog.cache_clear()


def test_dates_are_written_as_each_language_writes_them() -> None:
    assert long_date(date(2026, 11, 2), "en") == "November 2, 2026"
    assert long_date(date(2026, 11, 2), "es") == "2 de noviembre de 2026"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "You can contact your state Attorney General too."), ("es", "el Fiscal General")],
)
def test_a_reader_whose_state_law_does_not_apply_is_still_told_whom_to_contact(
    language, words
) -> None:
    org = organisation()
    batch = NoticeBatch(
        template=default_template("initial", language),
        organisation=org,
        incident=sample_incident(org),
        today=date(2026, 11, 20),
    )
    # No law counts an email address alone: the reader's own state is not among the laws.
    notice = batch.render(
        {"reference": "K7QM9RTA2XPW", "jurisdiction": "US-TX", "elements": ["email"]}
    )
    assert words in notice.text
    assert "the your" not in notice.text
