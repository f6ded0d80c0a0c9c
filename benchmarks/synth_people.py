"""How fast `breachdesk synth people` writes a synthetic affected-people file.

Target: at least 1,000,000 rows a second for CSV.

    .venv/bin/python benchmarks/synth_people.py                    # 10 million CSV rows
    .venv/bin/python benchmarks/synth_people.py --rows 110000000 --format parquet

The file is written to a temporary folder (`--folder` picks the disk) and deleted
afterwards. Wall-clock rows/s is the headline figure; rows per CPU second and peak memory
are printed too, because other work on the machine slows only the first.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine
from breachdesk.people.synth import FORMATS, write_synthetic_people

TARGET_ROWS_PER_SECOND = 1_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="where to write (default: the temp folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        path = Path(folder) / f"people.{args.format}"
        cpu_started = time.process_time()
        summary = write_synthetic_people(
            path=path, count=args.rows, seed=args.seed, file_format=args.format
        )
        cpu_seconds = time.process_time() - cpu_started
        size = path.stat().st_size
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    rate = summary.rows_per_second
    meets = rate >= TARGET_ROWS_PER_SECOND or args.format != "csv"  # the target is for CSV
    verdict = "meets" if meets else "MISSES"
    print(f"machine: {describe_machine()}")
    print(
        f"wrote: {summary.rows_written:,} rows ({args.format}, {size / 1e9:.2f} GB) in "
        f"{summary.seconds:.1f} s: {summary.unique_people:,} unique people, "
        f"{summary.exact_duplicates:,} duplicates, {summary.near_duplicates:,} "
        f"near-duplicates, {summary.bad_rows:,} bad rows"
    )
    print(
        f"speed: {rate:,.0f} rows/s ({summary.rows_written / cpu_seconds:,.0f} per CPU second); "
        f"CSV target >= {TARGET_ROWS_PER_SECOND:,}: {verdict if args.format == 'csv' else 'n/a'}"
    )
    print(f"peak memory: {peak_mib:,.0f} MiB")
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
