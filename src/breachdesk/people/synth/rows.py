"""Which row is whom: people, their duplicates and near-duplicates, and broken rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from breachdesk.people.synth.layout import BAD_ROW_KINDS, CHUNK_ROWS, COLUMNS, DUPLICATE_KINDS
from breachdesk.people.synth.randomness import (
    _decimal_strings,
    _hash_words,
    _lane,
    _octet,
    _permute_below,
    _pick,
    _seed_key,
)
from breachdesk.people.synth.vocabulary import _Vocabulary, _vocabulary


@dataclass
class _Part:
    """Half a chunk: who each row describes, and which rows are duplicates of whom."""

    person: np.ndarray  # each row's person number; for a duplicate, the person it copies
    extra_rows: np.ndarray  # rows that are duplicates or near-duplicates
    extra_keys: np.ndarray  # a number of their own, for the new ids and emails they get
    extra_exact: np.ndarray  # exact duplicate (else near-duplicate)


@dataclass
class _Rows:
    slots: dict[str, np.ndarray]
    bad_positions: list[int]  # ascending
    bad_rows: list[list[str | None]]  # their fields, as many as the broken row has
    duplicate_kinds: Counter[str]
    bad_row_kinds: Counter[str]


class _Run:
    """Which row is whom: people, their duplicates and near-duplicates, and broken rows."""

    def __init__(self, *, count: int, seed: int, shares: Mapping[str, float], ragged: bool) -> None:
        self.count, self.seed = count, seed
        self.bad_kinds = BAD_ROW_KINDS if ragged else BAD_ROW_KINDS[2:]
        self.exact_duplicates = int(count * shares["duplicate_share"])
        self.near_duplicates = int(count * shares["near_duplicate_share"])
        self.extras = self.exact_duplicates + self.near_duplicates
        self.unique_people = count - self.extras
        # Broken rows are people's own rows: raise the odds so they are that share of all rows.
        bad_odds = shares["bad_row_share"] * count / max(self.unique_people, 1)
        self.bad_threshold = round(min(bad_odds, 1) * 65536)
        self.person_key, self.extra_key = _seed_key(seed, 1), _seed_key(seed, 2)
        self.vocabulary = _vocabulary(shares["international_share"])
        # Customer ids are "C" and 8 or more digits; the number that makes an email unique
        # has 4 or more, never a leading zero. Both wide enough for every row to differ.
        id_digits, email_digits = 8, 4
        while 10**id_digits < count:
            id_digits += 1
        while 9 * 10 ** (email_digits - 1) < count:
            email_digits += 1
        self.row_formats = {"customer_id": (b"C", id_digits), "email_number": (b"", email_digits)}
        self.id_key, self.email_key = _seed_key(seed, 3), _seed_key(seed, 4)
        self.columns = _Columns(self.vocabulary, self.row_formats)

    def parts(self) -> Iterator[_Part]:
        for index, start in enumerate(range(0, self.count, CHUNK_ROWS)):
            yield from self._plan(index, start, min(start + CHUNK_ROWS, self.count))

    def _is_bad(self, people: np.ndarray, last_word: np.ndarray | None = None) -> np.ndarray:
        """Whether each person's only row is broken (person 0's never is)."""
        if last_word is None:
            last_word = _hash_words(people, self.person_key)[-1]
        return (_lane(last_word, 2) < self.bad_threshold) & (people > 0)

    def _plan(self, index: int, start: int, stop: int) -> list[_Part]:
        rng = np.random.default_rng([self.seed, index])
        rows = stop - start
        extras_before = self.extras * start // self.count
        extras = self.extras * stop // self.count - extras_before
        # The file's first row is a person, so every duplicate has someone before it.
        first = 1 if start == 0 else 0
        positions = np.sort(rng.choice(rows - first, size=extras, replace=False)) + first
        is_person = np.ones(rows, dtype=bool)
        is_person[positions] = False
        person = (start - extras_before) + np.cumsum(is_person) - is_person
        ordinal = extras_before + np.arange(extras)
        exact = self.exact_duplicates
        extras_total = max(self.extras, 1)
        is_exact = (ordinal + 1) * exact // extras_total - ordinal * exact // extras_total == 1
        # Half the duplicates copy someone a few dozen rows up, half anyone earlier; never
        # someone whose row is broken.
        before = person[positions]
        source = np.where(
            rng.random(extras) < 0.5,
            np.maximum(before - rng.geometric(1 / 40, size=extras), 0),
            (rng.random(extras) * before).astype(np.int64),
        )
        broken = self._is_bad(source)
        while broken.any():
            source[broken] -= 1
            broken[broken] = self._is_bad(source[broken])
        person[positions] = source
        keys = (self.unique_people + ordinal).astype(np.uint64)
        middle = rows // 2
        halves = positions < middle
        return [
            _Part(person[:middle], positions[halves], keys[halves], is_exact[halves]),
            _Part(person[middle:], positions[~halves] - middle, keys[~halves], is_exact[~halves]),
        ]

    def rows(self, part: _Part) -> _Rows:
        words = _hash_words(part.person, self.person_key)
        traits = self.vocabulary.traits(words)
        id_keys = part.person.astype(np.uint64)
        email_keys = id_keys.copy()
        duplicate_kinds = self._vary_extras(part, traits, id_keys, email_keys)
        slots = self.vocabulary.slots(traits)
        id_digits, email_digits = (
            self.row_formats["customer_id"][1],
            self.row_formats["email_number"][1],
        )
        slots["customer_id"] = _permute_below(id_keys, 10**id_digits, self.id_key)
        smallest = 10 ** (email_digits - 1)
        slots["email_number"] = smallest + _permute_below(email_keys, 9 * smallest, self.email_key)
        # Duplicates never copy a broken row, so only people's own rows can be broken.
        bad = np.flatnonzero(self._is_bad(part.person, words[-1]))
        bad_rows, bad_row_kinds = self._break(slots, bad, words[-1][bad])
        return _Rows(slots, bad.tolist(), bad_rows, duplicate_kinds, bad_row_kinds)

    def _vary_extras(
        self,
        part: _Part,
        traits: dict[str, np.ndarray],
        id_keys: np.ndarray,
        email_keys: np.ndarray,
    ) -> Counter[str]:
        """Turn copies of earlier people into duplicates and near-duplicates of them."""
        rows, keys = part.extra_rows, part.extra_keys
        own = self.vocabulary.traits(
            _hash_words(keys, self.person_key), region=traits["region"][rows]
        )
        choices = _hash_words(keys, self.extra_key, 1)[0]
        kind = np.where(part.extra_exact, _pick(_lane(choices, 0), 3), 3)
        # Every kind but "same customer id" is a new customer record, and each record
        # says something different about what was exposed.
        id_keys[rows] = np.where(kind == 0, id_keys[rows], keys)
        traits["flags"][rows] = own["flags"]

        case_rows = rows[kind == 1]
        lower = self.vocabulary.style_case[traits["style"][case_rows]] == 0
        # Same form and separator, another case: styles are ordered case-major, 6 a case.
        shift = np.where(lower, np.where(_lane(choices, 1)[kind == 1] & 1, 12, 6), 0)
        traits["style"][case_rows] = traits["style"][case_rows] % 6 + shift

        fresh = kind >= 2
        email_keys[rows[fresh]] = keys[fresh]
        for name in ("style", "domain"):
            traits[name][rows[fresh]] = own[name][fresh]
        for name in ("phone_head", "phone_tail"):
            traits[name][rows[kind == 2]] = own[name][kind == 2]

        near = kind == 3
        choice, slip = _pick(_lane(choices, 2)[near], 100), _pick(_lane(choices, 3)[near], 3)
        first, last = traits["first"][rows[near]], traits["last"][rows[near]]
        nickname = self.vocabulary.nickname_of[first]
        by_nickname = (choice < 30) & (nickname >= 0)
        first_slip = ~by_nickname & (choice < 65)
        traits["first"][rows[near]] = np.where(
            by_nickname,
            nickname,
            np.where(first_slip, self.vocabulary.first_typo_start + first * 3 + slip, first),
        )
        traits["last"][rows[near]] = np.where(
            by_nickname | first_slip, last, self.vocabulary.last_typo_start + last * 3 + slip
        )
        return Counter({name: int((kind == n).sum()) for n, name in enumerate(DUPLICATE_KINDS)})

    def _break(
        self, slots: Mapping[str, np.ndarray], rows: np.ndarray, words: np.ndarray
    ) -> tuple[list[list[str | None]], Counter[str]]:
        """The rows of people whose only row is broken, each broken one way."""
        kinds: Counter[str] = Counter()
        if len(rows) == 0:
            return [], kinds
        people = self.columns.table({name: index[rows] for name, index in slots.items()})
        broken = []
        ways = _octet(words, 6).tolist()
        variants = _octet(words, 7).tolist()
        for person, way, variant in zip(people.to_pylist(), ways, variants, strict=True):
            kind = self.bad_kinds[way * len(self.bad_kinds) >> 8]
            kinds[kind] += 1
            fields = [person[column] for column in COLUMNS]
            if kind == "extra_field":
                fields.append(("Y", "see notes", "")[variant % 3])
            elif kind == "missing_field":
                del fields[COLUMNS.index("address_line2")]
            elif kind == "no_contact_or_jurisdiction":
                fields[3:11] = [None] * 8  # email to country
            elif kind == "invalid_email":
                local, _, domain = (fields[3] or "ann@example.com").partition("@")
                fields[3] = (
                    f"{local}@@{domain}",
                    f"{local}@",
                    f"{local}{domain}",
                    f"{local}@{domain.rsplit('.', 1)[0]}",  # no top-level domain
                )[variant % 4]
            else:
                at = 1 + variant % 2  # first or last name
                name = fields[at] or "Ann"
                fields[at] = name[: len(name) // 2] + "\x00" + name[len(name) // 2 :]
            broken.append(fields)
        return broken, kinds


class _Columns:
    """Rows as an Arrow table of strings, each column put together from its slots."""

    def __init__(
        self, vocabulary: _Vocabulary, row_formats: Mapping[str, tuple[bytes, int]]
    ) -> None:
        self.columns = vocabulary.column_strings
        self.schema = pa.schema([(column, pa.string()) for column in COLUMNS])
        self.row_formats = row_formats

    def _row_strings(self, slot: str, slots: Mapping[str, np.ndarray]) -> pa.StringArray:
        prefix, width = self.row_formats[slot]
        return _decimal_strings(slots[slot], width, prefix, b"")

    def table(self, slots: Mapping[str, np.ndarray]) -> pa.Table:
        rows = len(slots["first"])
        arrays = []
        for column in COLUMNS:
            strings, starts = self.columns[column]
            if len(starts) == 1 and starts[0][1] is None:
                arrays.append(self._row_strings(starts[0][0], slots))
                continue
            values, pieces = [strings], []
            for slot, start in starts:
                if start is None:  # a row slot: its rows follow the table's strings
                    pieces.append(np.arange(rows) + sum(len(array) for array in values))
                    values.append(self._row_strings(slot, slots))
                else:
                    pieces.append(slots[slot] + np.uint32(start))
            taken = pa.concat_arrays(values).take(np.stack(pieces).T.reshape(-1))
            if len(starts) > 1:
                # A row's pieces are consecutive: every len(starts)-th offset ends a row.
                offsets = np.frombuffer(taken.buffers()[1], dtype=np.int32)[: len(taken) + 1]
                taken = pa.StringArray.from_buffers(
                    rows,
                    pa.py_buffer(np.ascontiguousarray(offsets[:: len(starts)])),
                    taken.buffers()[2],
                )
            arrays.append(taken)
        return pa.Table.from_arrays(arrays, schema=self.schema)
