"""How long the console's incident dashboard takes to build, on the demo's story.

    .venv/bin/python benchmarks/dashboard.py [--people 100000] [--loads 5]

Builds the demo (its incident, people, approved notices, a sent first wave, inquiries
and claims) into a temporary data dir, then times `console.dashboard_panels.build`,
everything the dashboard page computes, over several loads, and counts how often one
load scans the incident's people (the part that grows with the incident).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine
from breachdesk.config import get_settings
from breachdesk.console import dashboard_panels
from breachdesk.db import Database, utcnow
from breachdesk.demo import build_story
from breachdesk.rules import service as rules_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="rows in the demo's list")
    parser.add_argument("--loads", type=int, default=5, help="dashboard loads to time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in [n for n in os.environ if n.startswith("BREACHDESK_")]:
            del os.environ[name]
        os.environ["BREACHDESK_DATA_DIR"] = folder
        settings = get_settings()
        build_story(settings, options.people)
        database = Database.from_settings(settings)
        scans = []
        counted = rules_service.people_groups

        def counting(**arguments):
            scans.append(arguments["incident_id"])
            return counted(**arguments)

        rules_service.people_groups = counting
        seconds = []
        with database.session() as db_session:
            for _load in range(options.loads + 1):  # the first load warms the caches
                scans.clear()
                started = time.perf_counter()
                dashboard_panels.build(
                    db_session=db_session, settings=settings, incident_id=1, now=utcnow()
                )
                seconds.append(time.perf_counter() - started)
        database.dispose()
    timed = seconds[1:]
    print(describe_machine())
    median = statistics.median(timed)
    print(
        f"dashboard of the demo with {options.people:,} rows: median {median:.2f} s "
        f"(min {min(timed):.2f}, max {max(timed):.2f}) over {len(timed)} loads; "
        f"first load {seconds[0]:.2f} s; {len(scans)} scan(s) of the people per load"
    )


if __name__ == "__main__":
    main()
