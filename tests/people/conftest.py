"""Helpers for importing people: files to import, and reading the import summary."""

from __future__ import annotations

import csv
import json
import traceback
from pathlib import Path


def write_csv(path: Path, header: list[str], rows: list[list[str]], **options) -> Path:
    with path.open("w", encoding=options.pop("encoding", "utf-8"), newline="") as handle:
        writer = csv.writer(handle, **options)
        writer.writerow(header)
        writer.writerows(rows)
    return path


HEADER = ["customer_id", "first_name", "last_name", "email", "phone", "address_line1", "city",
          "state", "postcode", "country", "date_of_birth"]  # fmt: skip


def person(number: int, **changes: str) -> list[str]:
    values = {
        "customer_id": f"C{number:05d}",
        "first_name": "Ann",
        "last_name": f"Lee{number}",
        "email": f"ann.lee{number}@example.com",
        "phone": "(512) 555-0142",
        "address_line1": f"{number} Main St",
        "city": "Austin",
        "state": "TX",
        "postcode": "78701",
        "country": "US",
        "date_of_birth": "1980-02-03",
    }
    values.update(changes)
    return [values[name] for name in HEADER]


def import_json(run_cli, path: Path, incident: int, *extra: str) -> tuple[int, dict]:
    result = run_cli("import", "people", path, "--incident", incident, "--json", *extra)
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        failure = "".join(traceback.format_exception(result.exception)) if result.exception else ""
        return result.exit_code, {"output": result.output, "exception": failure}
