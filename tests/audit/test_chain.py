"""The audit chain: written with each change, and any tampering by raw SQL is found."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text

from breachdesk.audit import service as audit
from breachdesk.db import Database
from breachdesk.security.events import StaffPasswordChanged


def append(database: Database, count: int, start: int = 1) -> None:
    with database.session() as session:
        for number in range(start, start + count):
            audit.record(
                db_session=session,
                event=StaffPasswordChanged(user=number, email=f"user{number}@example.com"),
                actor="test",
            )


def verify(database: Database):
    with database.session() as session:
        return audit.verify(db_session=session)


def sql(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_events_link_each_to_the_one_before(database):
    append(database, 3)
    with database.session() as session:
        rows = list(audit.export(db_session=session))
    assert [row["seq"] for row in rows] == [1, 2, 3]
    assert rows[0]["prev_hash"] == "0" * 64
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[2]["prev_hash"] == rows[1]["hash"]
    assert rows[2]["payload"] == {"email": "user3@example.com", "user": 3}


def test_an_untouched_chain_verifies(database):
    append(database, 5)
    result = verify(database)
    assert result.intact
    assert (result.events_checked, result.head_seq) == (5, 5)


def test_an_empty_chain_verifies(database):
    assert verify(database).intact


def test_a_rolled_back_change_leaves_no_event(database):
    append(database, 2)
    session = database.session_factory()
    audit.record(
        db_session=session, event=StaffPasswordChanged(user=9, email="x@example.com"), actor="t"
    )
    session.rollback()
    session.close()
    result = verify(database)
    assert result.intact
    assert result.head_seq == 2


def test_it_names_an_edited_event(database):
    append(database, 5)
    sql(database, "UPDATE audit_event SET payload = '{}' WHERE seq = 3")
    result = verify(database)
    assert result.problem.seq == 3
    assert "changed" in result.problem.reason


def test_it_names_an_event_whose_actor_was_edited(database):
    append(database, 5)
    sql(database, "UPDATE audit_event SET actor = 'someone else' WHERE seq = 4")
    assert verify(database).problem.seq == 4


def test_it_names_a_deleted_event(database):
    append(database, 5)
    sql(database, "DELETE FROM audit_event WHERE seq = 3")
    result = verify(database)
    assert result.problem.seq == 3
    assert "missing" in result.problem.reason


def test_it_notices_events_deleted_from_the_end(database):
    append(database, 5)
    sql(database, "DELETE FROM audit_event WHERE seq >= 4")
    result = verify(database)
    assert result.problem.seq == 4
    assert "deleted from the end" in result.problem.reason


def test_it_names_reordered_events(database):
    append(database, 5)
    sql(
        database,
        "UPDATE audit_event SET seq = 1002 WHERE seq = 2",
        "UPDATE audit_event SET seq = 2 WHERE seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE seq = 1002",
    )
    result = verify(database)
    assert result.problem.seq == 2
    assert "reordered" in result.problem.reason


def test_it_names_an_event_inserted_in_the_middle(database):
    append(database, 5)
    with database.session() as session:
        second = next(row for row in audit.export(db_session=session) if row["seq"] == 2)
    # A forger shifts events 3..5 up and slots in an event whose own hash is right.
    forged_payload = '{"email":"forged@example.com","user":99}'
    with database.session() as session:
        occurred_at = audit.utcnow()
        forged_hash = audit.chain_hash(
            seq=3,
            occurred_at=occurred_at,
            actor="test",
            event_type="staff.password_changed",
            incident_id=None,
            payload=forged_payload,
            prev_hash=second["hash"],
        )
    sql(
        database,
        "UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 3",
        "UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1000",
    )
    with database.session() as session:
        session.execute(
            text(
                "INSERT INTO audit_event (seq, occurred_at, actor, event_type, payload, "
                "prev_hash, hash) VALUES (3, :at, 'test', 'staff.password_changed', "
                ":payload, :prev, :hash)"
            ),
            {
                "at": occurred_at.replace(tzinfo=None)
                if database.engine.dialect.name == "sqlite"
                else occurred_at,
                "payload": forged_payload,
                "prev": second["hash"],
                "hash": forged_hash,
            },
        )
    result = verify(database)
    assert result.problem.seq == 4
    assert "inserted" in result.problem.reason


def test_it_names_an_event_appended_by_raw_sql(database):
    append(database, 3)
    sql(
        database,
        "INSERT INTO audit_event (seq, occurred_at, actor, event_type, payload, prev_hash, hash) "
        "VALUES (4, '2026-01-01 00:00:00', 'x', 'staff.password_changed', '{}', "
        "(SELECT hash FROM audit_event WHERE seq = 3), 'forged')",
    )
    assert verify(database).problem.seq == 4


def test_concurrent_writers_extend_one_chain(database):
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for index in range(10):
                append(database, 1, start=offset + index)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(database)
    assert result.intact
    assert result.events_checked == 40


def test_verify_command_exits_0_on_an_intact_chain(database, run_cli):
    append(database, 3)
    result = run_cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact: 3 events" in result.output


def test_verify_command_exits_1_naming_the_first_bad_event(database, run_cli):
    append(database, 3)
    sql(database, "UPDATE audit_event SET event_type = 'staff.user_added' WHERE seq = 2")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at event 2" in result.output


def test_export_writes_json_lines_since_a_date(database, run_cli, tmp_path):
    append(database, 3)
    sql(database, "UPDATE audit_event SET occurred_at = '2020-01-01 00:00:00' WHERE seq = 1")
    result = run_cli("audit", "export", "--since", "2021-01-01")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["seq"] for line in lines] == [2, 3]

    target = tmp_path / "audit.jsonl"
    assert run_cli("audit", "export", "-o", target).exit_code == 0
    assert len(target.read_text().splitlines()) == 3


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01"])
def test_export_rejects_a_date_it_cannot_read(run_cli, since):
    result = run_cli("audit", "export", "--since", since)
    assert result.exit_code == 2
    assert "--since" in result.output
