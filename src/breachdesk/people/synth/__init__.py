"""Synthetic lists of people affected by a breach, for demos, tests and benchmarks.

`write_synthetic_people` writes a customer list as a company would hand it over: people
spread over the US states and territories by population and a few abroad, with exact
duplicates, near-duplicates and broken rows that an importer must merge, flag or
quarantine.

It is fast (over a million rows a second) and small (a few half-million-row parts in
memory) because no row is built in Python. Every person's details are a pure function of
the seed and the person's number, read from 64-bit hashes of that number, so a duplicate
of someone written millions of rows earlier is rebuilt from the number alone. Each
column is made of pieces (house number, street, ZIP...), each an index into a table of
strings; a CSV part is one `take` over a single table of every piece with its comma, and
the result's buffer is already the file's bytes. Only the few broken rows are written in
Python.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from breachdesk.inputs import InputError
from breachdesk.people.synth.files import _CsvFile, _ParquetFile
from breachdesk.people.synth.layout import COLUMNS, DUPLICATE_KINDS, FORMATS, MAX_COUNT, MAX_SHARE
from breachdesk.people.synth.rows import _Run

__all__ = ["COLUMNS", "FORMATS", "SynthSummary", "write_synthetic_people"]


@dataclass(frozen=True)
class SynthSummary:
    """What a run wrote. Unique people include those whose only row is broken."""

    path: Path
    file_format: str
    rows_written: int
    unique_people: int
    exact_duplicates: int
    near_duplicates: int
    bad_rows: int
    duplicate_kinds: dict[str, int]
    bad_row_kinds: dict[str, int]
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.seconds if self.seconds > 0 else 0.0


def write_synthetic_people(
    *,
    path: Path,
    count: int,
    seed: int,
    file_format: str = "csv",
    duplicate_share: float = 0.03,
    near_duplicate_share: float = 0.01,
    bad_row_share: float = 0.002,
    international_share: float = 0.03,
) -> SynthSummary:
    """Write `count` rows of synthetic affected people to `path`; the same seed, the same bytes.

    Of the rows, `duplicate_share` are exact duplicates of a person earlier in the file
    (the same customer id; or another id and the email in other letter case; or another
    id and email with the same name, date of birth and postcode) and
    `near_duplicate_share` are near-duplicates (the same address, a one-letter typo or a
    nickname, another id and email). About `bad_row_share` of the rows are broken (ragged,
    in CSV only; no way to reach or place the person; an invalid email; a NUL in a name),
    and about `international_share` of people live outside the US. Errors name the
    `breachdesk synth people` option to fix.
    """
    shares = {
        "duplicate_share": duplicate_share,
        "near_duplicate_share": near_duplicate_share,
        "bad_row_share": bad_row_share,
        "international_share": international_share,
    }
    _check_options(path=path, count=count, seed=seed, file_format=file_format, shares=shares)
    started = time.perf_counter()
    run = _Run(count=count, seed=seed, shares=shares, ragged=file_format == "csv")
    # Written beside the target and renamed at the end: a run that fails leaves no
    # file that looks complete.
    partial = path.with_name(path.name + ".partial")
    try:
        writer = _CsvFile(partial, run) if file_format == "csv" else _ParquetFile(partial, run)
    except OSError as error:
        raise InputError(f"--out: cannot write {path}: {error.strerror}") from error
    try:
        with writer:
            for rows in _in_two_threads(writer.encode, run.parts()):
                writer.write(rows)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return SynthSummary(
        path=path,
        file_format=file_format,
        rows_written=count,
        unique_people=run.unique_people,
        exact_duplicates=run.exact_duplicates,
        near_duplicates=run.near_duplicates,
        bad_rows=sum(writer.bad_row_kinds.values()),
        duplicate_kinds={kind: writer.duplicate_kinds[kind] for kind in DUPLICATE_KINDS},
        bad_row_kinds={kind: writer.bad_row_kinds[kind] for kind in run.bad_kinds},
        seconds=time.perf_counter() - started,
    )


def _check_options(
    *, path: Path, count: int, seed: int, file_format: str, shares: Mapping[str, float]
) -> None:
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"--count: must be from 0 to {MAX_COUNT:,}, not {count:,}")
    if not 0 <= seed < 2**63:
        raise InputError(f"--seed: must be from 0 to {2**63 - 1}, not {seed}")
    if file_format not in FORMATS:
        raise InputError(f"--format: must be {' or '.join(FORMATS)}, not {file_format!r}")
    for name, share in shares.items():
        if not 0 <= share <= MAX_SHARE:  # also refuses NaN
            option = "--" + name.replace("_", "-")
            raise InputError(f"{option}: must be from 0 to {MAX_SHARE}, not {share}")
    if shares["duplicate_share"] + shares["near_duplicate_share"] >= 1:
        raise InputError(
            "--duplicate-share and --near-duplicate-share: together must be below 1, "
            "so that some rows are people of their own"
        )
    if not path.parent.is_dir():
        raise InputError(f"--out: folder {path.parent} does not exist; create it first")
    if path.is_dir():
        raise InputError(f"--out: {path} is a folder; give a file name")


def _in_two_threads(work: Any, items: Iterator[Any]) -> Iterator[Any]:
    """`work(item)` for each item, two at a time, in order, with at most three waiting."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: deque[Future[Any]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
