"""Importing the affected list: every row lands, merges or is quarantined, and the
counts reconcile."""

from __future__ import annotations

import csv
import json

import polars as pl
import pytest

from breachdesk.audit import service as audit
from breachdesk.db import Database
from tests.people.conftest import HEADER, import_json, person, write_csv


def report_rows(summary: dict) -> list[dict]:
    with open(summary["quarantine_report"], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_clean_list_becomes_one_person_per_row(run_cli, incident, tmp_path):
    path = write_csv(tmp_path / "people.csv", HEADER, [person(n) for n in range(1, 6)])
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert (
        summary["rows_read"],
        summary["people_created"],
        summary["rows_merged"],
        summary["rows_quarantined"],
    ) == (5, 5, 0, 0)
    assert summary["reconciles"] is True

    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    first = next(p for p in people if p["external_id"] == "C00001")
    assert first["first_name"] == "Ann"
    assert first["email"] == "ann.lee1@example.com"
    assert first["phones"] == ["+15125550142"]
    assert first["postcode"] == "78701"
    assert first["jurisdiction"] == "US-TX"
    assert first["elements"] == ["name", "ssn", "medical"]  # the incident's facts
    assert first["elements_from"] == "incident facts"
    shown = json.loads(run_cli("people", "show", first["reference"].lower(), "--json").output)
    assert shown["last_name"] == "Lee1"


def test_duplicates_merge_and_record_both_rows(run_cli, incident, tmp_path, database_url):
    rows = [
        person(1),
        person(2),
        person(3, email="ANN.LEE1@example.com", customer_id="X9"),  # same email as row 2
        person(4, customer_id="C00002", email="other@example.com"),  # same id as row 3
        person(
            5,
            customer_id="Z1",
            email="z@example.com",
            first_name="Ann",
            last_name="Lee5",
            date_of_birth="1980-02-03",
            postcode="78701",
        ),
    ]
    rows[4][HEADER.index("last_name")] = "Lee1"  # same name+birth+postcode as row 2
    path = write_csv(tmp_path / "dupes.csv", HEADER, rows)
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert (summary["people_created"], summary["rows_merged"]) == (2, 3)
    # rows 4 and 6 are row 2's person; row 5 is row 3's
    database = Database(database_url)
    with database.engine.connect() as connection:
        from sqlalchemy import text

        merges = connection.execute(
            text(
                "SELECT m.source_row, p.source_row, m.matched_on FROM person_merge m "
                "JOIN affected_person p ON p.id = m.person_id ORDER BY m.source_row"
            )
        ).all()
    database.dispose()
    assert merges == [(4, 2, "email"), (5, 3, "external id"), (6, 2, "name+birth+postcode")]


def merge_reasons(database_url: str) -> list[str]:
    from sqlalchemy import text

    database = Database(database_url)
    with database.engine.connect() as connection:
        reasons = (
            connection.execute(text("SELECT matched_on FROM person_merge ORDER BY id"))
            .scalars()
            .all()
        )
    database.dispose()
    return list(reasons)


def test_a_second_file_merges_into_people_already_imported(
    run_cli, incident, tmp_path, database_url
):
    first = write_csv(
        tmp_path / "a.csv", [*HEADER, "exposed_ssn"], [[*person(1), "Y"], [*person(2), ""]]
    )
    second = write_csv(
        tmp_path / "b.csv",
        [*HEADER, "exposed_payment_card"],
        [[*person(1, phone="512-555-0199"), "Y"], [*person(3), "Y"]],
    )
    assert import_json(run_cli, first, incident)[0] == 0
    code, summary = import_json(run_cli, second, incident)
    assert code == 0, summary
    assert (summary["people_created"], summary["rows_merged"]) == (1, 1)
    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    ann = next(p for p in people if p["external_id"] == "C00001")
    # Her own flags from both files, with the incident's elements no file spoke for.
    assert ann["elements"] == ["name", "ssn", "payment_card", "medical"]
    assert ann["phones"] == ["+15125550142", "+15125550199"]
    assert merge_reasons(database_url) == ["external id,email,name+birth+postcode"]


def test_same_address_and_similar_name_is_reported_not_merged(run_cli, incident, tmp_path):
    rows = [
        person(1, first_name="Jon", last_name="Smith", address_line1="9 Oak Ave"),
        person(2, first_name="John", last_name="Smith", address_line1="9 Oak Ave"),
        person(3, first_name="Jane", last_name="Smith", address_line1="9 Oak Ave"),
    ]
    code, summary = import_json(run_cli, write_csv(tmp_path / "n.csv", HEADER, rows), incident)
    assert code == 0, summary
    assert (summary["people_created"], summary["near_duplicates"]) == (3, 1)


def test_unusable_rows_are_quarantined_with_their_row_and_reason(run_cli, incident, tmp_path):
    path = tmp_path / "bad.csv"
    lines = [
        ",".join(HEADER),
        ",".join(person(1)),
        ",".join(person(2)) + ",surplus",  # row 3: ragged
        '"C3","Multi\nLine","Name","m@example.com","","","","TX","",,',  # row 4: fine
        ",".join(person(5, first_name="Nu\x00l")),  # row 5: NUL byte
        ",".join(
            person(
                6, email="", phone="", address_line1="", city="", state="", postcode="", country=""
            )
        ),  # row 6: no channel, no jurisdiction
        ",".join(person(7, email="ann@@example")),  # row 7: bad email dropped, row kept
        ",".join(person(8, first_name="x" * 5000)),  # row 8: absurd value
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert (summary["rows_read"], summary["people_created"], summary["rows_quarantined"]) == (
        7,
        3,
        4,
    )
    issues = {(row["row"], row["action"]): row for row in report_rows(summary)}
    assert "ragged row" in issues[("3", "quarantined")]["reason"]
    assert "NUL byte" in issues[("5", "quarantined")]["reason"]
    assert "no email, phone or postal address" in issues[("6", "quarantined")]["reason"]
    assert issues[("7", "value_dropped")]["value"] == "ann@@example"
    assert "too long" in issues[("8", "quarantined")]["reason"]


def test_undecodable_bytes_cost_only_their_row(run_cli, incident, tmp_path):
    good = ",".join(person(1, first_name="José")).encode("utf-8")
    bad = ",".join(person(2)).encode("utf-8").replace(b"Ann", b"A\xffn")
    path = tmp_path / "mixed.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + good + b"\n" + bad + b"\n")
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    assert (summary["people_created"], summary["rows_quarantined"]) == (1, 1)
    assert "undecodable" in report_rows(summary)[0]["reason"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_windows_and_bom_files_are_read_correctly(run_cli, incident, tmp_path, encoding):
    path = write_csv(
        tmp_path / "enc.csv",
        HEADER,
        [person(1, first_name="Zoë"), person(2, first_name="François")],
        encoding=encoding,
        delimiter=";",
    )
    code, summary = import_json(run_cli, path, incident)
    assert code == 0, summary
    names = {
        p["first_name"]
        for p in json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    }
    assert names == {"Zoë", "François"}


def test_formulas_in_the_report_are_neutralised(run_cli, incident, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, [person(1, email='=HYPERLINK("x")')])
    _, summary = import_json(run_cli, path, incident)
    assert report_rows(summary)[0]["value"].startswith("'=")


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("SSN", ["123-45-6789", "987-65-4321"], "Social Security"),
        ("notes", ["123-45-6789", "987-65-4320"], "NNN-NN-NNNN"),
        ("ref", ["4111 1111 1111 1111", "5500 0000 0000 0004"], "card numbers"),
        ("Password", ["hunter2", "letmein"], "passwords"),
    ],
)
def test_columns_of_stolen_values_are_refused_before_anything_is_written(
    run_cli, incident, tmp_path, database_url, header, values, expected
):
    rows = [[*person(n), value] for n, value in enumerate(values, start=1)]
    path = write_csv(tmp_path / "s.csv", [*HEADER, header], rows)
    result = run_cli("import", "people", path, "--incident", incident)
    assert result.exit_code == 2
    assert expected in result.output
    assert "never stores stolen values" in result.output
    assert json.loads(run_cli("people", "list", "--incident", incident, "--json").output) == []


def test_a_stolen_value_column_mapped_to_its_element_keeps_only_the_flag(
    run_cli, incident, tmp_path, database_url
):
    path = write_csv(
        tmp_path / "s.csv", [*HEADER, "SSN"], [[*person(1), "123-45-6789"], [*person(2), ""]]
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  SSN: {element: ssn}\n")
    code, summary = import_json(run_cli, path, incident, "--mapping", mapping)
    assert code == 0, summary
    people = {
        p["external_id"]: p
        for p in json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    }
    assert people["C00001"]["elements"] == ["name", "ssn", "medical"]
    assert people["C00002"]["elements"] == ["name", "medical"]  # the SSN column spoke for ssn
    assert b"123-45-6789" not in _database_bytes(database_url)


def _database_bytes(database_url: str) -> bytes:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        content = b""
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as handle:
                    content += handle.read()
            except FileNotFoundError:
                pass
        return content
    import subprocess

    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host,
            "-p",
            str(url.port or 5432),
            "-U",
            url.username,
            "-d",
            url.database,
        ],
        capture_output=True,
        check=True,
    ).stdout


def test_no_name_or_email_reaches_the_database_in_plaintext(
    run_cli, incident, tmp_path, database_url
):
    rows = [
        person(
            n,
            first_name=f"Quixotic{n}",
            last_name=f"Zanzibar{n}",
            email=f"quixotic.zanzibar{n}@example.org",
        )
        for n in range(1, 40)
    ]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    assert import_json(run_cli, path, incident)[0] == 0
    run_cli("people", "list", "--incident", incident)
    content = _database_bytes(database_url)
    for needle in (b"Quixotic", b"Zanzibar", b"quixotic.zanzibar", b"example.org"):
        assert needle not in content


def test_importing_the_same_file_again_changes_nothing(run_cli, incident, tmp_path, database_url):
    path = write_csv(tmp_path / "p.csv", HEADER, [person(n) for n in range(1, 4)])
    first = import_json(run_cli, path, incident)[1]
    code, again = import_json(run_cli, path, incident)
    assert code == 0
    assert again["already_imported"] is True
    assert again["people_created"] == first["people_created"] == 3
    people = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    assert len(people) == 3


def test_an_interrupted_import_resumes_to_the_clean_counts(
    run_cli, incident, tmp_path, monkeypatch
):
    from breachdesk.people import flows, sources

    rows = [person(n) for n in range(1, 40)] + [person(3), person(17)]  # two duplicates
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    monkeypatch.setattr(sources, "CSV_BLOCK_BYTES", 512)
    monkeypatch.setattr(sources, "CHUNK_ROWS", 5)
    real_write = flows.write_chunk
    calls = {"n": 0}

    def crash_on_the_fourth_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # as if the process were killed mid-chunk
        return real_write(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(flows, "write_chunk", crash_on_the_fourth_chunk)
        interrupted = run_cli("import", "people", path, "--incident", incident, "--json")
    assert interrupted.exit_code != 0
    # Resuming must not depend on chunk boundaries (a newer version may chunk differently).
    monkeypatch.setattr(sources, "CHUNK_ROWS", 7)
    code, resumed = import_json(run_cli, path, incident)
    assert code == 0, resumed
    assert (resumed["rows_read"], resumed["people_created"], resumed["rows_merged"]) == (41, 39, 2)
    people = json.loads(
        run_cli("people", "list", "--incident", incident, "--limit", "100", "--json").output
    )
    assert len(people) == 39


def test_viewing_people_is_on_the_audit_record(run_cli, incident, tmp_path, database_url):
    path = write_csv(tmp_path / "p.csv", HEADER, [person(1)])
    import_json(run_cli, path, incident)
    reference = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)[0][
        "reference"
    ]
    database = Database(database_url)
    with database.session() as session:
        viewed = audit.events_for_incident(
            db_session=session, incident_id=incident, event_type="people.viewed"
        )
    database.dispose()
    assert json.loads(viewed[-1].payload)["references"] == [reference]
    assert "Ann" not in viewed[-1].payload


def test_parquet_jsonl_and_xlsx_files_import_alike(run_cli, incident, tmp_path):
    frame = pl.DataFrame([person(n) for n in range(1, 4)], schema=HEADER, orient="row")
    frame.write_parquet(tmp_path / "p.parquet")
    frame.with_columns(pl.col("customer_id") + "J").write_ndjson(tmp_path / "p.jsonl")
    frame.with_columns(
        pl.col("customer_id") + "X", pl.col("email").str.replace("@", "x@")
    ).write_excel(tmp_path / "p.xlsx")
    for name in ("p.parquet", "p.jsonl", "p.xlsx"):
        code, summary = import_json(run_cli, tmp_path / name, incident)
        assert code == 0, (name, summary)
        assert summary["rows_read"] == 3


def test_countries_are_understood_in_their_own_language_and_never_guessed(
    run_cli, incident, tmp_path
):
    rows = [
        person(1, country="Deutschland", state="", postcode="10115", city="Berlin"),
        person(2, country="Atlantis", state="", postcode="78701"),
    ]
    code, summary = import_json(run_cli, write_csv(tmp_path / "c.csv", HEADER, rows), incident)
    assert code == 0, summary
    people = {
        p["external_id"]: p
        for p in json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    }
    assert people["C00001"]["jurisdiction"] == "DE"
    # An unknown country is reported, and its postcode is not taken for a Texas ZIP.
    assert people["C00002"]["jurisdiction"] is None
    assert people["C00002"]["jurisdiction_source"] == "unknown"


def test_a_merged_person_keeps_one_whole_address(run_cli, incident, tmp_path):
    rows = [
        person(1, address_line1="", city="Austin", postcode="", state="TX"),
        person(1, address_line1="5 Elm St", city="Dallas", postcode="75201", state="TX"),
    ]
    code, summary = import_json(run_cli, write_csv(tmp_path / "a.csv", HEADER, rows), incident)
    assert code == 0, summary
    (ann,) = json.loads(run_cli("people", "list", "--incident", incident, "--json").output)
    assert (ann["address_line1"], ann["city"], ann["postcode"]) == ("5 ELM ST", "DALLAS", "75201")
