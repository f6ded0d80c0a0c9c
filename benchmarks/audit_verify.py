"""How long `breachdesk audit verify` takes over an untouched chain of N events.

Target (foundation issue): 100,000 events verify in under 5 seconds.

    .venv/bin/python benchmarks/audit_verify.py                 # SQLite, 100k events
    .venv/bin/python benchmarks/audit_verify.py --database-url postgresql+psycopg://...

The PostgreSQL database given is emptied first. The events are written through the
same `audit.record` path the application uses, in batches of 10,000 per transaction.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine, fresh_database
from breachdesk.audit import service as audit
from breachdesk.security.events import StaffPasswordChanged

TARGET_SECONDS = 5.0
BATCH = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied!); default SQLite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = fresh_database(args.database_url, Path(folder))
        started = time.perf_counter()
        for start in range(0, args.events, BATCH):
            with database.session() as session:
                for number in range(start, min(start + BATCH, args.events)):
                    audit.record(
                        db_session=session,
                        event=StaffPasswordChanged(user=number, email=f"u{number}@example.com"),
                        actor="benchmark",
                    )
        written = time.perf_counter() - started

        started = time.perf_counter()
        with database.session() as session:
            result = audit.verify(db_session=session)
        verified = time.perf_counter() - started
        backend = database.engine.dialect.name
        database.dispose()

    if not result.intact or result.events_checked != args.events:
        print(f"chain did not verify: {result}", file=sys.stderr)
        return 1
    verdict = "meets" if verified < TARGET_SECONDS else "MISSES"
    print(f"machine: {describe_machine()}")
    print(f"backend: {backend}")
    print(f"append: {args.events:,} events in {written:.1f} s ({args.events / written:,.0f}/s)")
    print(
        f"verify: {args.events:,} events in {verified:.2f} s "
        f"({args.events / verified:,.0f}/s); target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    return 0 if verified < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
