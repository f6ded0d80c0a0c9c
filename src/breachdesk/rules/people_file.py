"""Counting the people in a file by residence and exposed elements, with no database.

For counsel's what-if questions. The file is read and mapped as an import would read
it, but only the columns that decide residence and exposure are used. Rows are first
counted by their distinct raw values (a list of millions holds a few thousand distinct
state, ZIP and flag combinations), then each distinct combination is normalised once.
Nothing is stored, so columns of stolen values are not refused here as an import would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from breachdesk.people.mapping import ColumnPlan, MappingFile, plan_columns
from breachdesk.people.records import element_set, residence_and_elements
from breachdesk.people.sources import RawChunk, open_source
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
    info, chunks = open_source(
        path,
        file_format=mapping.format,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        sheet=mapping.sheet,
    )
    plan = plan_columns(info.headers, mapping)
    plan = ColumnPlan(
        fields={field: plan.fields[field] for field in RESIDENCE_FIELDS if field in plan.fields},
        elements=plan.elements,
        ignored=[],
    )
    used = [column for columns in plan.fields.values() for column in columns]
    used += list(plan.elements)
    counted = []
    rows_read = unreadable = 0
    for chunk in chunks:
        rows_read += chunk.size + len(chunk.bad_rows)
        unreadable += len(chunk.bad_rows)
        if not used:
            counted.append(pl.DataFrame({COUNT: [chunk.size]}))
            continue
        frame = pl.DataFrame({column: pl.from_arrow(chunk.columns[column]) for column in used})
        counted.append(frame.group_by(used).agg(pl.len().alias(COUNT)))
    if not counted:
        return FilePeople([], rows_read, unreadable)
    if not used:
        total = int(pl.concat(counted)[COUNT].sum())
        return FilePeople([PeopleGroup(None, None, total)], rows_read, unreadable)

    distinct = pl.concat(counted).group_by(used).agg(pl.col(COUNT).sum())
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
