"""A hostile corpus: files built to break an importer. None may crash it, every bad row
is quarantined with a reason, and the counts always reconcile."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.people.conftest import HEADER, import_json, person, write_csv


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


HOSTILE = {
    "embedded newlines and delimiters": (
        lines(
            ",".join(HEADER),
            '"C1","Ann\nMarie","Lee, Jr","a@example.com","","1 Main","Austin","TX","78701","US",""',
        ),
        {"rows_read": 1, "people_created": 1},
    ),
    "NUL bytes": (
        lines(",".join(HEADER), ",".join(person(1, first_name="A\x00nn")), ",".join(person(2))),
        {"rows_read": 2, "people_created": 1, "rows_quarantined": 1},
    ),
    "a 1 MB cell": (
        lines(
            ",".join(HEADER), ",".join(person(1, last_name="L" * (1 << 20))), ",".join(person(2))
        ),
        {"rows_read": 2, "people_created": 1, "rows_quarantined": 1},
    ),
    "a 1 MB cell in a column nobody uses": (
        lines(",".join([*HEADER, "notes"]), ",".join([*person(1), "n" * (1 << 20)])),
        {"rows_read": 1, "people_created": 1},
    ),
    "ragged rows": (
        lines(",".join(HEADER), ",".join(person(1)), "C2,Bob", ",".join(person(3)) + ",x,y"),
        {"rows_read": 3, "people_created": 1, "rows_quarantined": 2},
    ),
    "duplicate headers": (
        lines(
            ",".join([*HEADER, "email", "last_name"]),
            ",".join([*person(1), "second@example.com", "Other"]),
        ),
        {"rows_read": 1, "people_created": 1},
    ),
    "a header and nothing else": (lines(",".join(HEADER)), {"rows_read": 0}),
    "blank lines between rows": (
        lines(",".join(HEADER), "", ",".join(person(1)), "", ""),
        {"rows_read": 1, "people_created": 1},
    ),
    "mixed valid UTF-8 and stray bytes": (
        lines(",".join(HEADER), ",".join(person(1, first_name="Zoë")))
        + ",".join(person(2)).encode().replace(b"Ann", b"\xc3\x28nn")
        + b"\n",
        {"rows_read": 2, "people_created": 1, "rows_quarantined": 1},
    ),
}


@pytest.mark.parametrize(("content", "expected"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_reconcile(run_cli, incident, tmp_path, content, expected):
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert summary["reconciles"] is True
    for key, value in expected.items():
        assert summary[key] == value, (key, summary)


def test_the_second_email_column_is_kept(run_cli, incident, tmp_path):
    import json

    path = tmp_path / "two.csv"
    path.write_bytes(HOSTILE["duplicate headers"][0])
    import_json(run_cli, path, incident)
    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    assert people[0]["emails"] == ["ann.lee1@example.com", "second@example.com"]
    assert people[0]["last_name"] == "Lee1"


def test_an_empty_file_is_refused_clearly(run_cli, incident, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_cli("import", "people", path, "--incident", incident)
    assert result.exit_code == 2
    assert "the file is empty" in result.output


def test_a_file_with_no_usable_column_is_refused_naming_its_columns(run_cli, incident, tmp_path):
    path = write_csv(tmp_path / "odd.csv", ["colour", "size"], [["red", "L"]])
    result = run_cli("import", "people", path, "--incident", incident)
    assert result.exit_code == 2
    assert "no column was recognised as a name, email or id" in result.output
    assert "'colour', 'size'" in result.output


def test_formula_injection_never_reaches_the_report_as_a_formula(run_cli, incident, tmp_path):
    path = tmp_path / "formula.csv"
    path.write_bytes(
        lines(",".join(HEADER), "=cmd|' /C calc'!A0,x", ",".join(person(2, email="@SUM(1+1)")))
    )
    _, summary = import_json(run_cli, path, incident)
    with open(summary["quarantine_report"], encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'@SUM(1+1)" in cells


# Any text, including the characters CSV and breachdesk treat specially.
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"])
    | st.sampled_from([",", '"', "\n", "\r", "\x00", "=", ";", "\t", "\x1f", "\ufeff"]),
    max_size=40,
)
rows_strategy = st.lists(
    st.lists(cell_text, min_size=len(HEADER), max_size=len(HEADER)), max_size=15
)
ragged_strategy = st.lists(st.lists(cell_text, min_size=1, max_size=len(HEADER) + 3), max_size=3)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows_strategy, extra=ragged_strategy)
def test_generated_files_never_crash_and_always_reconcile(
    run_cli, incident, tmp_path_factory, rows, extra
):
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF rows: quotes values holding \r as well as \n
    writer.writerow(HEADER)
    writer.writerows(rows + extra)
    records = len(rows) + len(extra)
    path = tmp_path_factory.mktemp("generated") / "people.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert summary["reconciles"] is True
    # Blank records (a row of empty cells written as an empty line) are not rows.
    assert summary["rows_read"] <= records


def test_numbers_in_a_broken_row_are_masked_in_the_report(run_cli, incident, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_bytes(lines(",".join(HEADER), "C1,Ann,Lee,123-45-6789,4111 1111 1111 1111"))
    _, summary = import_json(run_cli, path, incident)
    with open(summary["quarantine_report"], encoding="utf-8", newline="") as handle:
        (issue,) = list(csv.DictReader(handle))
    assert issue["value"] == "C1,Ann,Lee,###-##-####,#### #### #### ####"
