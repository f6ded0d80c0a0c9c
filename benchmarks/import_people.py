"""End-to-end import speed of affected people, beside the raw insert rate of the same rows.

Target (people issue): 10M synthetic rows imported (parse, normalise, deduplicate,
encrypt, insert) at >= 250,000 rows/s on SQLite and on PostgreSQL, reported beside
the rate of inserting the same rows unprocessed (SQLite executemany / PostgreSQL
COPY), measured in the same run, with peak memory.

    .venv/bin/python benchmarks/import_people.py --rows 1000000
    .venv/bin/python benchmarks/import_people.py --rows 10000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench   # emptied!

Each measurement runs in its own process, so peak RSS is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine, fresh_database
from breachdesk.incidents import service as incidents
from breachdesk.incidents.schemas import IncidentCreate, OrganisationCreate
from breachdesk.people import flows
from breachdesk.people.mapping import MappingFile
from breachdesk.people.synth import write_synthetic_people
from breachdesk.security.crypto import Keyring

TARGET_ROWS_PER_SECOND = 250_000
DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(csv_path: Path, url: str | None) -> dict:
    import yaml

    with tempfile.TemporaryDirectory() as folder:
        database = fresh_database(url, Path(folder))
        with database.session() as session:
            incidents.create_organisation(
                db_session=session,
                organisation_in=OrganisationCreate.model_validate(
                    yaml.safe_load((DOCS / "org.yaml").read_text())
                ),
                actor="benchmark",
            )
            incident_id = incidents.create_incident(
                db_session=session,
                incident_in=IncidentCreate.model_validate(
                    yaml.safe_load((DOCS / "incident.yaml").read_text())
                ),
                actor="benchmark",
            ).id
        keyring = Keyring.from_keys(os.urandom(32), os.urandom(32))
        started = time.perf_counter()
        summary = flows.import_people(
            database=database,
            keyring=keyring,
            incident_id=incident_id,
            path=csv_path,
            mapping=MappingFile(),
            reports_dir=Path(folder) / "reports",
            actor="benchmark",
        )
        seconds = time.perf_counter() - started
        database.dispose()
    return {
        "rows": summary.rows_read,
        "seconds": seconds,
        "people_created": summary.people_created,
        "rows_merged": summary.rows_merged,
        "rows_quarantined": summary.rows_quarantined,
        "reconciles": summary.reconciles,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_raw(csv_path: Path, url: str | None) -> dict:
    """The same rows, unprocessed: every column as text, straight into a plain table."""
    with tempfile.TemporaryDirectory() as folder:
        database = fresh_database(url, Path(folder))
        reader = pa_csv.open_csv(
            csv_path,
            read_options=pa_csv.ReadOptions(block_size=16 << 20),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=lambda row: "skip"
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={}, strings_can_be_null=False, include_missing_columns=True
            ),
        )
        names = reader.schema.names
        columns = ", ".join(f"c{i} TEXT" for i in range(len(names)))
        rows = 0
        started = time.perf_counter()
        with database.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE TABLE raw_rows ({columns})")
            for batch in reader:
                # PostgreSQL text cannot hold NUL; the import quarantines such rows.
                columns_text = (
                    pc.replace_substring(batch.column(i).cast("string"), "\x00", "").to_pylist()
                    for i in range(len(names))
                )
                tuples = list(zip(*columns_text, strict=True))
                rows += len(tuples)
                if connection.dialect.name == "postgresql":
                    cursor = connection.connection.driver_connection.cursor()
                    with cursor.copy("COPY raw_rows FROM STDIN") as copy:
                        for row in tuples:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(names))
                    connection.exec_driver_sql(f"INSERT INTO raw_rows VALUES ({marks})", tuples)
        seconds = time.perf_counter() - started
        database.dispose()
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def run_child(kind: str, csv_path: Path, url: str | None) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--csv", str(csv_path)]
    if url:
        command += ["--database-url", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied!); default SQLite")
    parser.add_argument("--child", choices=["import", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        measure = measure_import if args.child == "import" else measure_raw
        print(json.dumps(measure(args.csv, args.database_url)))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "people.csv"
        synth = write_synthetic_people(path=csv_path, count=args.rows, seed=args.seed)
        raw = run_child("raw", csv_path, args.database_url)
        imported = run_child("import", csv_path, args.database_url)
    backend = "postgresql" if args.database_url else "sqlite"
    rate = imported["rows"] / imported["seconds"]
    raw_rate = raw["rows"] / raw["seconds"]
    print(f"machine: {describe_machine()}")
    print(f"backend: {backend}; file: {synth.rows_written:,} synthetic rows (seed {args.seed})")
    print(
        f"raw insert (unprocessed): {raw_rate:,.0f} rows/s, peak RSS {raw['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"import (end to end): {rate:,.0f} rows/s in {imported['seconds']:,.1f} s, "
        f"peak RSS {imported['peak_rss_mb']:,.0f} MB; created {imported['people_created']:,}, "
        f"merged {imported['rows_merged']:,}, quarantined {imported['rows_quarantined']:,}, "
        f"reconciles: {imported['reconciles']}"
    )
    verdict = "meets" if rate >= TARGET_ROWS_PER_SECOND else "MISSES"
    print(
        f"target >= {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict} "
        f"({rate / raw_rate:.0%} of the raw insert rate)"
    )
    return 0 if imported["reconciles"] else 1


if __name__ == "__main__":
    sys.exit(main())
