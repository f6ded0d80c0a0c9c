"""Finding the same person twice: within a chunk, and against everyone already imported.

Exact keys merge (external id; normalised email; first and last name + date of birth +
postcode). A 64-bit hash of every key already on the list is kept in memory
(8 bytes a key, sorted runs merged as they grow), so the database is asked only about
the few rows whose key may already be there; the database's answer decides.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MERGE_KEYS = ("k_external", "k_email", "k_identity")
_HASH_SEED = 0x6272656163


def hash64(values: pl.Series) -> np.ndarray:
    """A 64-bit hash per non-null value (nulls dropped), stable within one process."""
    return values.drop_nulls().hash(seed=_HASH_SEED).to_numpy()


class KeyFilter:
    """A set of 64-bit hashes, as sorted runs: cheap to add to, cheap to probe."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []

    def add(self, hashes: np.ndarray) -> None:
        if len(hashes) == 0:
            return
        self._runs.append(np.unique(hashes))
        # Merge while the newest run is as big as the one before: a binary counter, so
        # there are at most log2(n) runs and each hash is copied log2(n) times overall.
        while len(self._runs) > 1 and len(self._runs[-1]) >= len(self._runs[-2]) // 2:
            newest = self._runs.pop()
            self._runs[-1] = np.union1d(self._runs[-1], newest)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        if len(hashes) == 0:
            return found
        order = np.argsort(hashes)
        probes = hashes[order]
        for run in self._runs:
            positions = np.searchsorted(run, probes)
            positions[positions == len(run)] = 0
            found[order] |= run[positions] == probes
        return found


def group_rows(people: pl.DataFrame) -> pl.Series:
    """For each row, the position of the first row that is the same person.

    Rows sharing any merge key are one person, transitively (A shares an email with B,
    B an external id with C); found by repeatedly taking the smallest position over
    each key until nothing changes.
    """
    frame = people.select(*MERGE_KEYS).with_columns(pl.int_range(pl.len()).alias("_group"))
    for _ in range(len(people)):
        before = frame["_group"]
        for key in MERGE_KEYS:
            frame = frame.with_columns(
                pl.when(pl.col(key).is_not_null())
                .then(pl.col("_group").min().over(key))
                .otherwise(pl.col("_group"))
                .alias("_group")
            )
        # Follow links to their root, so chains of any length settle.
        frame = frame.with_columns(pl.col("_group").gather(pl.col("_group")))
        if frame["_group"].equals(before):
            break
    return frame["_group"]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def similar_names(
    first_a: str | None, last_a: str | None, first_b: str | None, last_b: str | None
) -> bool:
    """Probably the same person's name: last names within one edit; first names with the
    same first letter and one edit apart (two for names of six letters or more), or one
    a prefix or initial of the other. 'Jon' and 'John' are; 'Jane' and 'Jon' are not."""
    if not (last_a and last_b) or edit_distance(last_a.casefold(), last_b.casefold(), 1) > 1:
        return False
    if not (first_a and first_b):
        return True
    a, b = first_a.casefold().rstrip("."), first_b.casefold().rstrip(".")
    if a[0] != b[0]:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    allowed = 2 if min(len(a), len(b)) >= 6 else 1
    return edit_distance(a, b, allowed) <= allowed
