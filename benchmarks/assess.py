"""How fast `breachdesk assess --facts … --people FILE` assesses a list of people.

Target (rules issue): 10,000,000 synthetic people read from Parquet and assessed at
**at least 2,000,000 people a second**.

    .venv/bin/python benchmarks/assess.py                  # 10 million people
    .venv/bin/python benchmarks/assess.py --rows 1000000 --format csv

The script writes a synthetic list with `breachdesk synth people` (Parquet, seed 1;
untimed), then times the whole what-if assessment: reading the file, deciding each
person's residence from the state, ZIP and country columns as an import would, counting
people by residence and exposed elements, and applying every rule file. Printed beside
it, for reference, is the time pyarrow takes to read the same columns alone. `--format
csv` measures a CSV list, read in chunks as an import reads it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine
from breachdesk.incidents.models import DataElement, Protection
from breachdesk.people.mapping import MappingFile
from breachdesk.people.records import elements_to_bits
from breachdesk.people.synth import COLUMNS, FORMATS, write_synthetic_people
from breachdesk.rules.catalog import shipped_rules
from breachdesk.rules.engine import Exposure, Facts, assess
from breachdesk.rules.people_file import people_groups_from_file

TARGET_PEOPLE_PER_SECOND = 2_000_000
FACTS = Facts(
    discovered_at=datetime(2026, 9, 14, 15, tzinfo=UTC),
    exposures=(
        Exposure(DataElement.NAME),
        Exposure(DataElement.ADDRESS),
        Exposure(DataElement.SSN, Protection.ENCRYPTED, key_compromised=True),
        Exposure(DataElement.PAYMENT_CARD),
        Exposure(DataElement.DATE_OF_BIRTH),
        Exposure(DataElement.MEDICAL, Protection.HASHED),
    ),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--format", choices=FORMATS, default="parquet")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="where to write (default: the temp folder)")
    args = parser.parse_args()

    rules = shipped_rules()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        path = Path(folder) / f"people.{args.format}"
        write_synthetic_people(path=path, count=args.rows, seed=args.seed, file_format=args.format)

        started = time.perf_counter()
        columns = ["state", "postcode", "country"] + [
            name for name in COLUMNS if name.startswith("exposed_")
        ]
        if args.format == "parquet":
            pq.read_table(path, columns=columns)
        else:
            pa_csv.read_csv(
                path,
                parse_options=pa_csv.ParseOptions(invalid_row_handler=lambda _row: "skip"),
                convert_options=pa_csv.ConvertOptions(include_columns=columns),
            )
        read_seconds = time.perf_counter() - started

        started = time.perf_counter()
        facts_bits = elements_to_bits([element.value for element in FACTS.elements])
        found = people_groups_from_file(path, MappingFile(), facts_bits)
        assessment = assess(rules, FACTS, found.groups)
        seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    rate = found.rows_read / seconds
    # The target is for Parquet; CSV is printed for comparison.
    verdict = "meets" if rate >= TARGET_PEOPLE_PER_SECOND else "MISSES"
    if args.format != "parquet":
        verdict = "n/a (the target is for Parquet)"
    owed = sum(result.residents_owed_notice for result in assessment.jurisdictions.values())
    print(f"machine: {describe_machine()}")
    print(
        f"assessed: {found.rows_read:,} rows ({found.rows_unreadable:,} unreadable) in "
        f"{len(found.groups):,} groups under {len(assessment.jurisdictions)} of {len(rules)} "
        f"laws; {owed:,} notices owed"
    )
    print(
        f"speed: {rate:,.0f} people/s ({seconds:.2f} s); reading the columns alone "
        f"{read_seconds:.2f} s; target >= {TARGET_PEOPLE_PER_SECOND:,}: {verdict}; "
        f"peak memory {peak_mib:,.0f} MiB"
    )
    return 0 if rate >= TARGET_PEOPLE_PER_SECOND or args.format != "parquet" else 1


if __name__ == "__main__":
    sys.exit(main())
