"""Writing synthetic rows as CSV or Parquet, a part at a time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from breachdesk.people.synth.layout import CHUNK_ROWS, COLUMNS, _csv_field
from breachdesk.people.synth.randomness import _decimal_strings
from breachdesk.people.synth.rows import _Part, _Rows, _Run


class _File:
    """Counts what it wrote; closes on leaving a `with`."""

    def __init__(self) -> None:
        self.duplicate_kinds: Counter[str] = Counter()
        self.bad_row_kinds: Counter[str] = Counter()

    def count(self, rows: _Rows) -> None:
        self.duplicate_kinds += rows.duplicate_kinds
        self.bad_row_kinds += rows.bad_row_kinds

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class _CsvFile(_File):
    """RFC 4180, UTF-8, "\\n" line ends, fields quoted only where they must be."""

    def __init__(self, path: Path, run: _Run) -> None:
        super().__init__()
        self.run = run
        self.pieces, self.starts = run.vocabulary.csv_pieces
        self.handle = path.open("wb")
        self.handle.write((",".join(COLUMNS) + "\n").encode())

    def encode(self, part: _Part) -> tuple[_Rows, pa.Buffer, np.ndarray]:
        """The part's rows as CSV bytes, and where each row starts in them."""
        rows = self.run.rows(part)
        count = len(part.person)
        # Filled a slot at a time, then transposed so a row's pieces follow each other.
        matrix = np.empty((len(self.starts), count), dtype=np.int32)
        strings = [self.pieces]
        after = len(self.pieces)
        for number, (slot, start, end) in enumerate(self.starts):
            if start is None:
                prefix, width = self.run.row_formats[slot]
                strings.append(_decimal_strings(rows.slots[slot], width, prefix, end))
                matrix[number] = np.arange(after, after + count, dtype=np.int32)
                after += count
            else:
                np.add(rows.slots[slot], start, out=matrix[number], casting="unsafe")
        taken = pa.concat_arrays(strings).take(matrix.T.reshape(-1))
        offsets = np.frombuffer(taken.buffers()[1], dtype=np.int32)[: len(taken) + 1]
        return rows, taken.buffers()[2], offsets[:: len(self.starts)]

    def write(self, encoded: tuple[_Rows, pa.Buffer, np.ndarray]) -> None:
        rows, text, starts = encoded
        self.count(rows)
        view = memoryview(text)
        done = 0
        for position, fields in zip(rows.bad_positions, rows.bad_rows, strict=True):
            self.handle.write(view[starts[done] : starts[position]])
            self.handle.write((",".join(map(_csv_field, fields)) + "\n").encode())
            done = position + 1
        self.handle.write(view[starts[done] : starts[-1]])

    def close(self) -> None:
        self.handle.close()


class _ParquetFile(_File):
    """Every column a string; empty values are nulls. A row group per half chunk."""

    def __init__(self, path: Path, run: _Run) -> None:
        super().__init__()
        self.run = run
        self.writer = pq.ParquetWriter(path, run.columns.schema)

    def encode(self, part: _Part) -> tuple[_Rows, pa.Table]:
        rows = self.run.rows(part)
        table = self.run.columns.table(rows.slots)
        pieces, done = [], 0
        for position, fields in zip(rows.bad_positions, rows.bad_rows, strict=True):
            broken = pa.Table.from_pylist([dict(zip(COLUMNS, fields, strict=True))], table.schema)
            pieces += [table.slice(done, position - done), broken]
            done = position + 1
        return rows, pa.concat_tables([*pieces, table.slice(done)]).combine_chunks()

    def write(self, encoded: tuple[_Rows, pa.Table]) -> None:
        rows, table = encoded
        self.count(rows)
        self.writer.write_table(table, row_group_size=CHUNK_ROWS)

    def close(self) -> None:
        self.writer.close()
