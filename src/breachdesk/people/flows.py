"""Importing an affected-people file into an incident: the whole flow.

Each chunk of rows is prepared (normalised, checked), deduplicated and written in one
transaction together with the import's progress (the last source row committed), so an
import killed at any point resumes after the last row it committed, and re-importing
the same bytes is a no-op. The counts always reconcile: rows read = people created +
rows merged into existing people + rows quarantined.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from breachdesk.audit import service as audit
from breachdesk.db import Database, utcnow
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.people.events import PeopleImported, PeopleImportStarted
from breachdesk.people.mapping import (
    ColumnPlan,
    MappingFile,
    plan_columns,
    refuse_stolen_values,
)
from breachdesk.people.merge import FILTERED_COLUMNS, KeyFilters, write_chunk
from breachdesk.people.models import ImportIssue, ImportStatus, PersonImport
from breachdesk.people.records import elements_to_bits, prepare_chunk
from breachdesk.people.sources import open_source
from breachdesk.people.store import existing_keys
from breachdesk.security.crypto import Keyring

REPORTS_DIR = "reports"
CHUNK_ATTEMPTS = 3  # a chunk is retried when a random reference code collides
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportSummary:
    import_id: int
    incident_id: int
    file_name: str
    rows_read: int
    people_created: int
    rows_merged: int
    rows_quarantined: int
    near_duplicates: int
    values_dropped: int
    quarantine_report: str
    seconds: float
    already_imported: bool = False
    mapping: dict[str, Any] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.people_created + self.rows_merged + self.rows_quarantined

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reconciles": self.reconciles}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_people(
    *,
    database: Database,
    keyring: Keyring,
    incident_id: int,
    path: Path,
    mapping: MappingFile,
    reports_dir: Path,
    actor: str,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    started = time.perf_counter()
    if not path.is_file():
        raise InputError(f"FILE: {path} does not exist")
    sha256 = file_sha256(path)
    with database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        facts_bits = elements_to_bits(incident.current_revision.element_names)
        previous = db_session.execute(
            select(PersonImport).where(
                PersonImport.incident_id == incident_id, PersonImport.file_sha256 == sha256
            )
        ).scalar_one_or_none()
    if previous is not None and previous.status == ImportStatus.COMPLETED:
        return _summary(previous, reports_dir, time.perf_counter() - started, already=True)

    info, chunks = open_source(
        path,
        file_format=mapping.format,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        sheet=mapping.sheet,
    )
    plan = plan_columns(info.headers, mapping)
    _require_identity_columns(plan, info.headers)
    first = next(chunks, None)
    if first is not None:
        refuse_stolen_values(plan, mapping, first.columns)
    chunks = itertools.chain([first] if first is not None else [], chunks)

    with database.session() as db_session:
        person_import = _start_or_resume(
            db_session, previous, incident_id, path, sha256, info.file_format, plan, actor
        )
        import_id = person_import.id
    filters = _load_filters(database, incident_id)

    for raw in chunks:
        # Rows up to rows_through were committed before an interruption.
        if raw.last_row <= person_import.rows_through:
            continue
        raw = raw.after(person_import.rows_through)
        for attempt in range(1, CHUNK_ATTEMPTS + 1):
            try:
                with database.session() as db_session:
                    person_import = db_session.get(PersonImport, import_id)
                    prepared = prepare_chunk(raw, plan, facts_bits)
                    counts = write_chunk(
                        db_session=db_session,
                        person_import=person_import,
                        prepared=prepared,
                        keyring=keyring,
                        filters=filters,
                        facts_bits=facts_bits,
                    )
                    person_import.rows_through = raw.last_row
                    person_import.rows_read += prepared.rows_read
                    person_import.people_created += counts.people_created
                    person_import.rows_merged += counts.rows_merged
                    person_import.rows_quarantined += prepared.rows_quarantined
                    person_import.near_duplicates += counts.near_duplicates
                    person_import.values_dropped += sum(
                        1 for issue in prepared.issues if issue.action == "value_dropped"
                    )
                break
            except IntegrityError:
                # Only a reference-code collision can get here; the chunk rolled back
                # whole, and its people get fresh codes on the next attempt. The key
                # filters may hold this chunk's keys: harmless, the database decides.
                if attempt == CHUNK_ATTEMPTS:
                    raise
        if on_progress:
            on_progress(prepared.rows_read)

    with database.session() as db_session:
        person_import = db_session.get(PersonImport, import_id)
        person_import.status = ImportStatus.COMPLETED
        person_import.finished_at = utcnow()
        audit.record(
            db_session=db_session,
            event=PeopleImported(
                incident=incident_id, import_id=import_id, **person_import.counts()
            ),
            actor=actor,
        )
        write_issues_report(db_session, keyring, person_import, reports_dir)
    return _summary(person_import, reports_dir, time.perf_counter() - started)


def _require_identity_columns(plan: ColumnPlan, headers: list[str]) -> None:
    useful = {"first_name", "last_name", "full_name", "email", "external_id"}
    if not useful & plan.fields.keys():
        raise InputError(
            "mapping: no column was recognised as a name, email or id, so no row could be "
            f"used; the file's columns are {', '.join(repr(h) for h in headers)}. Name them "
            "in a mapping file (see docs/people-import.md)"
        )


def _start_or_resume(
    db_session: Any,
    previous: PersonImport | None,
    incident_id: int,
    path: Path,
    sha256: str,
    file_format: str,
    plan: ColumnPlan,
    actor: str,
) -> PersonImport:
    mapping = plan.as_dict()
    if previous is not None:
        person_import = db_session.get(PersonImport, previous.id)
        if person_import.mapping != mapping:
            raise InputError(
                "mapping: this file's import was interrupted and must be finished with the "
                f"mapping it started with: {person_import.mapping}"
            )
    else:
        person_import = PersonImport(
            incident_id=incident_id,
            file_name=path.name,
            file_sha256=sha256,
            file_format=file_format,
            mapping=mapping,
            status=ImportStatus.RUNNING,
            started_by=actor,
        )
        db_session.add(person_import)
        db_session.flush()
    audit.record(
        db_session=db_session,
        event=PeopleImportStarted(
            incident=incident_id,
            import_id=person_import.id,
            file_name=path.name,
            file_sha256=sha256,
            file_format=file_format,
            mapping=mapping,
            resumed_at_row=person_import.rows_read,
        ),
        actor=actor,
    )
    return person_import


def _load_filters(database: Database, incident_id: int) -> KeyFilters:
    filters = KeyFilters()
    with database.session() as db_session:
        for batch in existing_keys(db_session, incident_id=incident_id, columns=FILTERED_COLUMNS):
            for column, values in batch.items():
                filters.add(column, pl.Series(values, dtype=pl.String))
    return filters


def report_path(reports_dir: Path, import_id: int) -> Path:
    return reports_dir / f"import-{import_id}-issues.csv"


def spreadsheet_safe(value: str | None) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_issues_report(
    db_session: Any, keyring: Keyring, person_import: PersonImport, reports_dir: Path
) -> Path:
    """Every issue of the import, as CSV: row, column, action, reason, value."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(reports_dir, person_import.id)
    temporary = path.with_suffix(".tmp")
    issues = db_session.execute(
        select(ImportIssue)
        .where(ImportIssue.import_id == person_import.id)
        .order_by(ImportIssue.source_row, ImportIssue.id)
        .execution_options(yield_per=10_000)
    ).scalars()
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "action", "reason", "value"])
        for issue in issues:
            value = (
                keyring.decrypt(issue.value, context="import_issue.value") if issue.value else ""
            )
            writer.writerow(
                [
                    issue.source_row,
                    spreadsheet_safe(issue.source_column),
                    issue.action.value,
                    spreadsheet_safe(issue.reason),
                    spreadsheet_safe(value),
                ]
            )
    temporary.replace(path)
    return path


def _summary(
    person_import: PersonImport, reports_dir: Path, seconds: float, already: bool = False
) -> ImportSummary:
    return ImportSummary(
        import_id=person_import.id,
        incident_id=person_import.incident_id,
        file_name=person_import.file_name,
        **person_import.counts(),
        quarantine_report=str(report_path(reports_dir, person_import.id)),
        seconds=round(seconds, 3),
        already_imported=already,
        mapping=person_import.mapping,
    )
