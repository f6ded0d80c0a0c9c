"""Reading affected-people files in chunks, whatever their format and encoding.

Every reader yields ``RawChunk``s: string columns (Arrow) for the rows it could read,
each row's number in the source (a spreadsheet's numbering: the header is row 1), and
the rows it could not read, with why. Nothing is dropped without being reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from breachdesk.inputs import InputError

CHUNK_ROWS = 100_000
CSV_BLOCK_BYTES = 16 << 20  # a single row may not be longer than this
SNIFF_BYTES = 1 << 20
FORMATS = ("csv", "tsv", "xlsx", "parquet", "jsonl")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass
class BadRow:
    row: int
    reason: str
    text: str = ""


@dataclass
class RawChunk:
    columns: dict[str, pa.Array]  # string arrays, one per source column
    rows: np.ndarray  # int64 source row numbers, one per row in columns
    bad_rows: list[BadRow] = field(default_factory=list)  # rows not in columns

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def last_row(self) -> int:
        return max([int(self.rows.max()) if self.size else 0, *(b.row for b in self.bad_rows)])

    def after(self, row: int) -> RawChunk:
        """The part of this chunk after source row ``row``."""
        keep = self.rows > row
        mask = pa.array(keep)
        return RawChunk(
            {name: values.filter(mask) for name, values in self.columns.items()},
            self.rows[keep],
            [bad for bad in self.bad_rows if bad.row > row],
        )


@dataclass(frozen=True)
class SourceInfo:
    path: Path
    file_format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in FORMATS:
            raise InputError(f"format: {given!r} is not one of {', '.join(FORMATS)}")
        return given
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path.name}: cannot tell the format from the extension {path.suffix!r}; "
            f"name it .csv, .tsv, .xlsx, .parquet or .jsonl, or set format: in a mapping file"
        )
    return found


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) unless the bytes say a single-byte Windows encoding.

    A few invalid bytes in an otherwise UTF-8 file stay UTF-8: those rows are
    quarantined as undecodable rather than the whole file being misread.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    text = sample.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - sample.decode("utf-8", errors="ignore").count("\ufffd")
    wide = sum(1 for char in text if ord(char) > 0x7F and char != "\ufffd")
    # Windows-1252 text almost never forms valid multi-byte UTF-8 sequences by chance.
    if invalid == 0 or wide >= invalid:
        return "utf-8"
    # Bytes 0x80-0x9F are printable in Windows-1252 (curly quotes, €) and control
    # characters in Latin-1; five of them are undefined in Windows-1252.
    undefined_in_cp1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    return "latin-1" if undefined_in_cp1252 & set(sample) else "cp1252"


def detect_delimiter(sample_text: str, file_format: str) -> str:
    if file_format == "tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(sample_text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def unique_headers(names: list[str]) -> list[str]:
    """Header names made unique (a second 'email' becomes 'email (2)'), blanks named."""
    seen: dict[str, int] = {}
    result = []
    for position, name in enumerate(names, start=1):
        name = name.strip().replace("\x00", "") or f"column {position}"
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def open_source(
    path: Path,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    columns: list[str] | None = None,
) -> tuple[SourceInfo, Iterator[RawChunk]]:
    """Inspect ``path`` and return what it is, with an iterator over its chunks.

    ``columns`` (header names) lets a reader skip the other columns where the format
    allows it (Parquet); chunks may still hold more.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty (not even a header row)")
    file_format = detect_format(path, file_format)
    if encoding is not None and encoding not in ENCODINGS:
        raise InputError(f"encoding: {encoding!r} is not one of {', '.join(ENCODINGS)}")
    if file_format in ("csv", "tsv"):
        return _open_csv(path, file_format, encoding, delimiter)
    if file_format == "parquet":
        return _open_parquet(path, columns)
    if file_format == "xlsx":
        return _open_xlsx(path, sheet)
    return _open_jsonl(path, encoding)


def _open_csv(
    path: Path, file_format: str, encoding: str | None, delimiter: str | None
) -> tuple[SourceInfo, Iterator[RawChunk]]:
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    encoding = encoding or detect_encoding(sample)
    sample_text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = delimiter or detect_delimiter(sample_text, file_format)
    header_line = next(csv.reader(io.StringIO(sample_text), delimiter=delimiter), [])
    if not any(cell.strip() for cell in header_line):
        raise InputError(f"{path.name}: the first row is empty; it must name the columns")
    headers = unique_headers(header_line)
    info = SourceInfo(path, file_format, encoding, delimiter, headers)
    return info, _csv_chunks(info)


def _csv_chunks(info: SourceInfo) -> Iterator[RawChunk]:
    bad_rows: list[BadRow] = []

    def reject(row: pa_csv.InvalidRow) -> str:
        bad_rows.append(
            BadRow(
                row=row.number,
                reason=f"ragged row: {row.actual_columns} fields where the header has "
                f"{row.expected_columns}",
                text=row.text,
            )
        )
        return "skip"

    # Columns are read as raw bytes and decoded afterwards, so that one undecodable
    # value costs one row (quarantined) rather than the whole file.
    utf8 = info.encoding in ("utf-8", "utf-8-sig")
    reader = pa_csv.open_csv(
        info.path,
        read_options=pa_csv.ReadOptions(
            use_threads=False,  # keeps rejected-row numbers exact and in order
            block_size=CSV_BLOCK_BYTES,
            skip_rows=1,
            column_names=info.headers,
            encoding="utf8" if utf8 else info.encoding,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=info.delimiter,
            newlines_in_values=True,
            invalid_row_handler=reject,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.binary() for name in info.headers},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    next_row = 2
    pending: list[pa.RecordBatch] = []
    pending_rows: list[np.ndarray] = []
    pending_bad: list[BadRow] = []
    for batch in _batches(reader, info.path):
        rows, next_row = _number_rows(batch.num_rows, next_row, bad_rows)
        pending.append(batch)
        pending_rows.append(rows)
        pending_bad.extend(bad_rows)
        bad_rows.clear()
        if sum(len(r) for r in pending_rows) >= CHUNK_ROWS:
            yield _chunk_from_batches(pending, pending_rows, pending_bad, info.headers)
            pending, pending_rows, pending_bad = [], [], []
    pending_bad.extend(bad_rows)
    if pending or pending_bad:
        yield _chunk_from_batches(pending, pending_rows, pending_bad, info.headers)


def _batches(reader: pa_csv.CSVStreamingReader, path: Path) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise InputError(f"{path.name}: cannot be read as CSV: {error}") from error


def _number_rows(count: int, next_row: int, bad_rows: list[BadRow]) -> tuple[np.ndarray, int]:
    """Source row numbers for ``count`` good rows, skipping the rows just rejected.

    The parser reports rejected rows with their record numbers before it hands over
    the batch they fell in, so the good rows fill the remaining numbers in order.
    """
    skipped = sorted(bad.row for bad in bad_rows if bad.row is not None)
    rows = np.empty(count, dtype=np.int64)
    filled, candidate, skip_at = 0, next_row, 0
    while filled < count:
        if skip_at < len(skipped) and skipped[skip_at] == candidate:
            skip_at += 1
        else:
            rows[filled] = candidate
            filled += 1
        candidate += 1
    return rows, max(candidate, (skipped[-1] + 1) if skipped else candidate)


def _chunk_from_batches(
    batches: list[pa.RecordBatch],
    rows: list[np.ndarray],
    bad_rows: list[BadRow],
    headers: list[str],
) -> RawChunk:
    if not batches:
        return RawChunk(
            {name: pa.array([], pa.string()) for name in headers}, np.empty(0, np.int64), bad_rows
        )
    table = pa.Table.from_batches(batches)
    row_numbers = np.concatenate(rows)
    columns, undecodable = _decode_utf8(table)
    if not undecodable:
        return RawChunk(columns, row_numbers, bad_rows)
    keep = np.ones(len(row_numbers), dtype=bool)
    keep[list(undecodable)] = False
    kept = pa.array(keep)
    return RawChunk(
        {name: values.filter(kept) for name, values in columns.items()},
        row_numbers[keep],
        bad_rows + [BadRow(int(row_numbers[p]), why) for p, why in undecodable.items()],
    )


def _decode_utf8(table: pa.Table) -> tuple[dict[str, pa.Array], dict[int, str]]:
    """Cast byte columns to text; returns the positions of rows with invalid UTF-8."""
    columns: dict[str, pa.Array] = {}
    bad: dict[int, str] = {}
    for name in table.column_names:
        raw = table.column(name).combine_chunks()
        try:
            columns[name] = raw.cast(pa.string())
            continue
        except pa.ArrowInvalid:
            pass
        values = []
        for position, value in enumerate(raw.to_pylist()):
            try:
                values.append(value.decode("utf-8"))
            except UnicodeDecodeError:
                bad.setdefault(position, f"undecodable bytes in column {name!r}")
                values.append("")
        columns[name] = pa.array(values, pa.string())
    return columns, bad


def _open_parquet(path: Path, wanted: list[str] | None) -> tuple[SourceInfo, Iterator[RawChunk]]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{path.name}: not a readable Parquet file: {error}") from error
    names = parquet.schema_arrow.names
    headers = unique_headers(names)
    info = SourceInfo(path, "parquet", None, None, headers)
    # Reading fewer columns needs names that say which column they mean.
    project = wanted is not None and headers == names
    read = [name for name in headers if name in wanted] if project else headers

    def chunks() -> Iterator[RawChunk]:
        next_row = 2
        for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=read):
            columns = {name: _as_text(batch.column(index)) for index, name in enumerate(read)}
            rows = np.arange(next_row, next_row + batch.num_rows, dtype=np.int64)
            next_row += batch.num_rows
            yield RawChunk(columns, rows)

    return info, chunks()


def _as_text(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pc.fill_null(array.cast(pa.string()), "")
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        return pc.fill_null(pc.strftime(array, format="%Y-%m-%d"), "")
    return pc.fill_null(array.cast(pa.string()), "")


def _open_xlsx(path: Path, sheet: str | None) -> tuple[SourceInfo, Iterator[RawChunk]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(f"sheet: {path.name} has no sheet {sheet!r} (it has {names})")
        rows = workbook.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as error:  # calamine raises its own types for corrupt workbooks
        raise InputError(f"{path.name}: not a readable XLSX workbook: {error}") from error
    if not rows or not any(str(cell).strip() for cell in rows[0]):
        raise InputError(f"{path.name}: the first row is empty; it must name the columns")
    headers = unique_headers([str(cell) for cell in rows[0]])
    info = SourceInfo(path, "xlsx", None, None, headers)

    def chunks() -> Iterator[RawChunk]:
        width = len(headers)
        for start in range(1, len(rows), CHUNK_ROWS):
            block = rows[start : start + CHUNK_ROWS]
            cells = [
                [_cell_text(row[i]) if i < len(row) else "" for i in range(width)] for row in block
            ]
            columns = {
                name: pa.array([row[i] for row in cells], pa.string())
                for i, name in enumerate(headers)
            }
            numbers = np.arange(start + 1, start + 1 + len(block), dtype=np.int64)
            yield RawChunk(columns, numbers)

    return info, chunks()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12345.0 from a numeric cell means the text 12345
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _open_jsonl(path: Path, encoding: str | None) -> tuple[SourceInfo, Iterator[RawChunk]]:
    encoding = encoding or "utf-8"
    headers: list[str] = []
    with path.open("rb") as handle:
        for line in handle:
            try:
                first = json.loads(line.decode(encoding))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(first, dict):
                headers = unique_headers([str(key) for key in first])
                break
    if not headers:
        raise InputError(f"{path.name}: no line is a JSON object; expected one object a line")
    info = SourceInfo(path, "jsonl", encoding, None, headers)
    return info, _jsonl_chunks(info)


def _jsonl_chunks(info: SourceInfo) -> Iterator[RawChunk]:
    # Every line is a row; its row number is its line number (no header row).
    values: dict[str, list[str]] = {name: [] for name in info.headers}
    rows: list[int] = []
    bad: list[BadRow] = []
    with info.path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode(info.encoding or "utf-8"))
            except UnicodeDecodeError:
                bad.append(BadRow(number, "undecodable bytes"))
                continue
            except json.JSONDecodeError as error:
                bad.append(BadRow(number, f"not a JSON object: {error.msg}"))
                continue
            if not isinstance(record, dict):
                bad.append(BadRow(number, "not a JSON object"))
                continue
            for name in info.headers:
                value = record.get(name)
                values[name].append("" if value is None else _json_text(value))
            rows.append(number)
            if len(rows) >= CHUNK_ROWS:
                yield _jsonl_chunk(values, rows, bad)
                values = {name: [] for name in info.headers}
                rows, bad = [], []
    if rows or bad:
        yield _jsonl_chunk(values, rows, bad)


def _json_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _jsonl_chunk(values: dict[str, list[str]], rows: list[int], bad: list[BadRow]) -> RawChunk:
    return RawChunk(
        {name: pa.array(column, pa.string()) for name, column in values.items()},
        np.array(rows, dtype=np.int64),
        bad,
    )
