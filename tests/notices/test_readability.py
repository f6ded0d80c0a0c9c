"""Reading grade, counted offline."""

from __future__ import annotations

from breachdesk.notices.readability import readability, sentences, syllables

PLAIN = (
    "Someone broke into our checkout system. They took card numbers. "
    "We are sorry. Call us if you have questions."
)
DENSE = (
    "Notwithstanding the aforementioned circumstances, the organization's comprehensive "
    "investigation substantiated unauthorized exfiltration of personally identifiable "
    "information, necessitating notification consistent with applicable regulatory obligations."
)


def test_plain_writing_scores_a_low_grade_and_dense_writing_a_high_one() -> None:
    assert readability(PLAIN).grade < 5
    assert readability(DENSE).grade > 16


def test_syllables_come_from_the_dictionary_and_hyphenation_for_unknown_words() -> None:
    assert syllables("security") == 4
    assert syllables("Northwind") >= 2  # not in the dictionary: hyphenation points
    assert syllables("información", "es") >= 4


def test_sentences_split_at_stops_and_lines_but_not_abbreviations() -> None:
    text = "We wrote to the U.S. Attorney General. Call us.\nWhat happened?"
    assert sentences(text) == [
        "We wrote to the U.S. Attorney General.",
        "Call us.",
        "What happened?",
    ]


def test_empty_text_has_no_grade() -> None:
    assert readability("").words == 0
