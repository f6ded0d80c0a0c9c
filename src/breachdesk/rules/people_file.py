"""Counting the people in a file by residence and exposed elements, with no database.

For counsel's what-if questions. The file is read and mapped as an import would read
it, but only the columns that decide residence and exposure are used. Rows are first
counted by their distinct raw values (a list of millions holds a few thousand distinct
state, ZIP and flag combinations), then each distinct combination is normalised once.
Nothing is stored, so columns of stolen values are not refused here as an import would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from breachdesk.people.mapping import ColumnPlan, MappingFile, plan_columns
from breachdesk.people.normalise import normalise_countries, normalise_us_states
from breachdesk.people.records import US_AREAS, element_set, residence_and_elements
from breachdesk.people.sources import RawChunk, SourceInfo, open_source
from breachdesk.rules.engine import PeopleGroup

# The fields an import reads residence from; the rest of a row does not matter here.
RESIDENCE_FIELDS = ("jurisdiction", "address", "state", "postcode", "country")
COUNT = "_people"


@dataclass(frozen=True)
class FilePeople:
    groups: list[PeopleGroup]
    rows_read: int
    rows_unreadable: int


def people_groups_from_file(path: Path, mapping: MappingFile, facts_bits: int) -> FilePeople:
    def source(columns: list[str] | None = None) -> tuple[SourceInfo, Iterator[RawChunk]]:
        return open_source(
            path,
            file_format=mapping.format,
            encoding=mapping.encoding,
            delimiter=mapping.delimiter,
            sheet=mapping.sheet,
            columns=columns,
        )

    info, _ = source()
    plan = plan_columns(info.headers, mapping)
    plan = ColumnPlan(
        fields={field: plan.fields[field] for field in RESIDENCE_FIELDS if field in plan.fields},
        elements=plan.elements,
        ignored=[],
    )
    used = [column for columns in plan.fields.values() for column in columns]
    used += list(plan.elements)
    if info.file_format == "parquet" and info.headers == pq.ParquetFile(path).schema_arrow.names:
        # Parquet is read in parallel, only the columns used, and never holds a bad row.
        scan = pl.scan_parquet(path).select(
            pl.col(column).cast(pl.String).fill_null("") for column in used
        )
        distinct = _count(scan, plan, used) if used else None
        rows_read, unreadable = pq.ParquetFile(path).metadata.num_rows, 0
    else:
        _, chunks = source(used)
        counted = []
        rows_read = unreadable = 0
        for chunk in chunks:
            rows_read += chunk.size + len(chunk.bad_rows)
            unreadable += len(chunk.bad_rows)
            if used and chunk.size:
                columns = {column: pl.from_arrow(chunk.columns[column]) for column in used}
                counted.append(_count(pl.LazyFrame(columns), plan, used))
        distinct = pl.concat(counted).group_by(used).agg(pl.col(COUNT).sum()) if counted else None

    readable = rows_read - unreadable
    if distinct is None:
        # No residence or element columns: everyone's residence is unknown.
        groups = [PeopleGroup(None, None, readable)] if readable else []
        return FilePeople(groups, rows_read, unreadable)
    raw = RawChunk(
        {column: distinct[column].to_arrow() for column in used},
        np.arange(distinct.height, dtype=np.int64),
    )
    decided = residence_and_elements(raw, plan, facts_bits)
    grouped = (
        decided.with_columns(distinct[COUNT])
        .group_by("jurisdiction", "elements")
        .agg(pl.col(COUNT).sum())
    )
    groups = [
        PeopleGroup(residence, element_set(bits), int(count))
        for residence, bits, count in grouped.iter_rows()
    ]
    return FilePeople(groups, rows_read, unreadable)


def _count(rows: pl.LazyFrame, plan: ColumnPlan, used: list[str]) -> pl.DataFrame:
    """The distinct combinations of the used columns, each with how many rows have it."""
    return (
        rows.with_columns(_postcodes_that_can_matter(rows, plan))
        .group_by(used)
        .agg(pl.len().alias(COUNT))
        .collect()
    )


def _postcodes_that_can_matter(rows: pl.LazyFrame, plan: ColumnPlan) -> list[pl.Expr]:
    """The postcode column, blanked on rows whose state or country already decides.

    An import reads a US resident's state from the state column and turns to the ZIP
    code only when no state is given, and reads nothing from a foreign postcode; so on
    those rows the postcode decides nothing, and dropping it lets millions of rows fall
    into a few thousand groups. A single-line address column can carry a state of its
    own, so then nothing is blanked.
    """
    fields = plan.fields
    if "address" in fields or len(fields.get("postcode", [])) != 1:
        return []
    postcode = pl.col(fields["postcode"][0])
    decided = pl.lit(False)
    if len(fields.get("state", [])) == 1:
        state = fields["state"][0]
        states = rows.select(pl.col(state).unique()).collect().to_series()
        named = states.filter(normalise_us_states(states).is_not_null())
        decided = decided | pl.col(state).is_in(named.implode())
    if len(fields.get("country", [])) == 1:
        country = fields["country"][0]
        given = rows.select(pl.col(country).unique()).collect().to_series()
        codes = normalise_countries(given)["country"]
        foreign = given.filter(codes.is_not_null() & ~codes.is_in(US_AREAS))
        decided = decided | pl.col(country).is_in(foreign.implode())
    return [pl.when(decided).then(None).otherwise(postcode).alias(fields["postcode"][0])]
