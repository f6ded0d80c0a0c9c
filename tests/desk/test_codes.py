"""Credit-monitoring codes: a vendor's file imported once per code, one code per person
however often (or however concurrently) they ask, and a warning when a pool runs low."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from breachdesk.audit.models import AuditEventRow
from breachdesk.audit.service import verify
from breachdesk.desk import codes
from breachdesk.desk.models import MonitoringCode
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring

ACTOR = "test:lena@acme-health.example"
VENDOR = "Experian IdentityWorks"
ENROL_URL = "https://www.experianidworks.example/enroll"


def write_codes(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def import_file(
    session: Session,
    keyring: Keyring,
    incident: int,
    path: Path,
    *,
    pool: str = "experian-1",
    low_water: int | None = 0,
    **changes,
) -> codes.ImportResult:
    options = {"vendor": VENDOR, "enrol_url": ENROL_URL, "months": 24} | changes
    return codes.import_codes(
        db_session=session,
        keyring=keyring,
        incident=incidents.get_incident(db_session=session, incident_id=incident),
        pool_name=pool,
        low_water=low_water,
        path=path,
        actor=ACTOR,
        **options,
    )


def people(session: Session, incident: int) -> list[int]:
    return list(
        session.execute(
            select(AffectedPerson.id)
            .where(AffectedPerson.incident_id == incident)
            .order_by(AffectedPerson.id)
        ).scalars()
    )


def issue(session: Session, keyring: Keyring, incident: int, person: int):
    return codes.issue_code(
        db_session=session, keyring=keyring, incident_id=incident, person_id=person, actor=ACTOR
    )


def events(session: Session, event_type: str) -> list[dict]:
    return [
        json.loads(payload)
        for payload in session.execute(
            select(AuditEventRow.payload)
            .where(AuditEventRow.event_type == event_type)
            .order_by(AuditEventRow.seq)
        ).scalars()
    ]


def test_an_import_adds_each_code_once_and_counts_the_ones_already_present(
    session, keyring, listed, tmp_path
):
    first = write_codes(
        tmp_path / "codes.csv", "Activation Code", " AB12-CD34 ", "EF56-GH78", "ab12-cd34", ""
    )
    result = import_file(session, keyring, listed, first)
    assert (result.created, result.read, result.added) == (True, 3, 2)
    assert (result.already_present, result.repeated_in_file) == (1, 1)

    again = write_codes(tmp_path / "more.csv", "EF56-GH78", "JK90-LM12")
    result = import_file(session, keyring, listed, again)
    assert (result.created, result.added, result.already_present) == (False, 1, 1)

    stored = session.execute(select(MonitoringCode.code).order_by(MonitoringCode.id)).scalars()
    plain = [keyring.decrypt(code, context=codes.CODE_CONTEXT) for code in stored]
    assert plain == ["AB12-CD34", "EF56-GH78", "JK90-LM12"]  # stripped, encrypted at rest
    imported = events(session, "desk.code_pool_imported")
    assert [(e["added"], e["already_present"]) for e in imported] == [(2, 1), (1, 1)]
    assert imported[1]["file_sha256"] == result.file_sha256 and len(result.file_sha256) == 64


def test_a_file_imported_in_batches_counts_repeats_across_them(
    session, keyring, listed, tmp_path, monkeypatch
):
    monkeypatch.setattr(codes, "INSERT_BATCH", 2)
    path = write_codes(tmp_path / "codes.csv", "A1", "A2", "A1", "a2", "A3")
    result = import_file(session, keyring, listed, path)  # the second batch adds nothing
    assert (result.added, result.already_present, result.repeated_in_file) == (3, 2, 2)
    again = import_file(session, keyring, listed, path)
    assert (again.added, again.already_present) == (0, 5)


def test_a_code_column_is_found_by_its_name(session, keyring, listed, tmp_path):
    path = write_codes(
        tmp_path / "codes.csv", "batch,enrollment_code", "7,AAAA-1111", "7,BBBB-2222"
    )
    assert import_file(session, keyring, listed, path).added == 2

    unnamed = write_codes(tmp_path / "two.csv", "batch,value", "7,CCCC-3333")
    with pytest.raises(InputError, match="which column holds the codes"):
        import_file(session, keyring, listed, unnamed)


def test_bad_rows_are_refused_by_their_row_number_and_nothing_is_imported(
    session, keyring, listed, tmp_path
):
    path = write_codes(tmp_path / "codes.csv", "code", "AAAA-1111", "BB BB;2222", "CCCC-3333", "é1")
    with pytest.raises(InputError) as refused:
        import_file(session, keyring, listed, path)
    assert "row 3: 'BB BB;2222' has characters other than letters" in str(refused.value)
    assert "row 5:" in str(refused.value)

    empty = write_codes(tmp_path / "empty-code.csv", "code,batch", "AAAA-1111,1", ",1")
    with pytest.raises(InputError, match="row 3: the code is empty"):
        import_file(session, keyring, listed, empty)

    header_only = write_codes(tmp_path / "none.csv", "activation_code", "")
    with pytest.raises(InputError, match="no codes in the file"):
        import_file(session, keyring, listed, header_only)
    assert session.execute(select(func.count(MonitoringCode.id))).scalar_one() == 0


def test_a_pool_name_again_must_be_the_same_vendor_and_offer(session, keyring, listed, tmp_path):
    import_file(session, keyring, listed, write_codes(tmp_path / "a.csv", "AAAA-1111"))
    with pytest.raises(InputError, match="--months: pool 'experian-1' already has 24"):
        import_file(session, keyring, listed, write_codes(tmp_path / "b.csv", "B1"), months=12)
    with pytest.raises(InputError, match="--enrol-url"):
        import_file(
            session, keyring, listed, write_codes(tmp_path / "c.csv", "C1"), enrol_url="http://x"
        )


def test_a_person_gets_one_code_and_the_same_one_every_time_they_ask(
    session, keyring, listed, tmp_path
):
    import_file(session, keyring, listed, write_codes(tmp_path / "c.csv", "AAAA-1111", "BBBB-2222"))
    ann = people(session, listed)[0]
    first = issue(session, keyring, listed, ann)
    again = issue(session, keyring, listed, ann)
    assert first.code == again.code == "AAAA-1111"
    assert (first.first_time, again.first_time) == (True, False)
    assert (again.vendor, again.enrol_url, again.months) == (VENDOR, ENROL_URL, 24)
    assert again.issued_at == first.issued_at
    assert events(session, "desk.monitoring_code_issued") == [
        {"incident": listed, "pool": 1, "person": ann}
    ]


def test_codes_come_from_the_oldest_pool_first_and_none_are_left_after_the_last(
    session, keyring, listed, tmp_path
):
    import_file(session, keyring, listed, write_codes(tmp_path / "a.csv", "A1", "A2"), pool="a")
    import_file(session, keyring, listed, write_codes(tmp_path / "b.csv", "B1"), pool="b")
    issued = [issue(session, keyring, listed, person) for person in people(session, listed)[:4]]
    assert [code.code if code else None for code in issued] == ["A1", "A2", "B1", None]


def test_the_low_water_warning_is_recorded_once_each_time_a_pool_falls_below_it(
    session, keyring, listed, tmp_path, caplog
):
    five = write_codes(tmp_path / "a.csv", *(f"A{n}" for n in range(5)))
    import_file(session, keyring, listed, five, low_water=3)
    everyone = people(session, listed)
    with caplog.at_level(logging.WARNING, logger="breachdesk.desk.codes"):
        for person in everyone[:5]:  # 4, 3, 2 (below 3: warn), 1, 0 left
            issue(session, keyring, listed, person)
    assert [(e["remaining"], e["low_water"]) for e in events(session, "desk.code_pool_low")] == [
        (2, 3)
    ]
    assert "code pool 'experian-1'" in caplog.text and "is low: 2 codes left" in caplog.text

    more = write_codes(tmp_path / "b.csv", *(f"B{n}" for n in range(5)))
    import_file(session, keyring, listed, more, low_water=None)  # 5 left: above the mark again
    for person in everyone[5:8]:  # 4, 3, 2: the second crossing
        issue(session, keyring, listed, person)
    assert len(events(session, "desk.code_pool_low")) == 2


def test_a_new_pool_with_fewer_codes_than_its_mark_is_low_at_once(
    session, keyring, listed, tmp_path
):
    import_file(session, keyring, listed, write_codes(tmp_path / "a.csv", "A1"), low_water=10)
    assert events(session, "desk.code_pool_low") == [
        {"incident": listed, "pool": 1, "name": "experian-1", "remaining": 1, "low_water": 10}
    ]


def test_pool_status_counts_codes_issued_and_left(session, keyring, listed, tmp_path):
    import_file(
        session, keyring, listed, write_codes(tmp_path / "a.csv", "A1", "A2", "A3"), low_water=2
    )
    import_file(session, keyring, listed, write_codes(tmp_path / "b.csv", "B1"), pool="spare")
    for person in people(session, listed)[:2]:
        issue(session, keyring, listed, person)
    status = codes.pool_status(db_session=session, incident_id=listed)
    assert [(p.name, p.total, p.issued, p.remaining, p.low) for p in status] == [
        ("experian-1", 3, 2, 1, True),
        ("spare", 1, 0, 1, False),
    ]


def test_a_new_pool_without_a_mark_warns_at_a_tenth_of_its_codes(
    session, keyring, listed, tmp_path
):
    path = write_codes(tmp_path / "a.csv", *(f"A{n}" for n in range(50)))
    assert import_file(session, keyring, listed, path, low_water=None).low_water == 5


def _issue_concurrently(database_url: str, incident: int, keyring, persons: list[int]) -> list:
    """Each person's request in its own thread, session and connection, started together."""
    engine = create_engine(database_url, pool_size=len(persons), max_overflow=0)
    barrier = threading.Barrier(len(persons))
    results: list = [None] * len(persons)
    errors: list[BaseException] = []

    def enrol(position: int, person: int) -> None:
        try:
            with Session(engine) as own, own.begin():
                own.execute(select(1))  # connected, in a transaction: now start together
                barrier.wait(timeout=30)
                results[position] = issue(own, keyring, incident, person)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=enrol, args=pair) for pair in enumerate(persons)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    return results


@pytest.fixture
def postgres_only(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("the race needs PostgreSQL's concurrent writers")
    return database_url


def test_people_enrolling_at_once_never_get_the_same_code(
    postgres_only, session, keyring, listed, tmp_path
):
    path = write_codes(tmp_path / "a.csv", *(f"A{n}" for n in range(20)))
    import_file(session, keyring, listed, path)
    session.commit()
    everyone = people(session, listed)
    results = _issue_concurrently(postgres_only, listed, keyring, everyone * 2)  # all ask twice

    by_person: dict[int, set[str]] = {}
    for person, result in zip(everyone * 2, results, strict=True):
        by_person.setdefault(person, set()).add(result.code)
    assert all(len(taken) == 1 for taken in by_person.values())  # one code each
    assert len({code for taken in by_person.values() for code in taken}) == len(everyone)
    session.expire_all()
    assert [p.issued for p in codes.pool_status(db_session=session, incident_id=listed)] == [8]
    assert len(events(session, "desk.monitoring_code_issued")) == len(everyone)
    assert verify(db_session=session).problem is None


def test_without_the_person_lock_the_unique_constraint_still_gives_one_code(
    postgres_only, session, keyring, listed, tmp_path, monkeypatch
):
    """The backstop: concurrent requests of one person that are not made to take turns
    lose on the (pool, person) constraint, roll back to their savepoint and look again."""
    path = write_codes(tmp_path / "a.csv", *(f"A{n}" for n in range(20)))
    import_file(session, keyring, listed, path)
    session.commit()
    monkeypatch.setattr(codes, "_lock_person", lambda *args: None)
    ann = people(session, listed)[0]
    results = _issue_concurrently(postgres_only, listed, keyring, [ann] * 6)
    assert len({result.code for result in results}) == 1
    assert sum(result.first_time for result in results) == 1
    session.expire_all()
    assert [p.issued for p in codes.pool_status(db_session=session, incident_id=listed)] == [1]


def test_the_cli_imports_codes_and_warns_when_a_pool_is_low(run_cli, listed, tmp_path):
    path = write_codes(tmp_path / "codes.csv", "code", "AAAA-1111", "BBBB-2222", "AAAA-1111")
    options = ["--incident", listed, "--pool", "experian-1", "--vendor", VENDOR,
               "--enrol-url", ENROL_URL, "--months", "24"]  # fmt: skip
    imported = run_cli("codes", "import", path, *options, "--low-water", "5")
    assert imported.exit_code == 0, imported.output
    assert "pool 'experian-1' (created): 2 codes added" in imported.output
    assert "1 already present (1 repeated in the file)" in imported.output
    again = run_cli("codes", "import", path, *options)
    assert "0 codes added" in again.output and "3 already present" in again.output

    status = run_cli("codes", "status", "--incident", listed)
    assert status.exit_code == 0, status.output
    assert "2 codes" in status.output and "0 issued" in status.output
    assert "warning: pool 'experian-1' is low: 2 codes left" in status.output
    pools = json.loads(run_cli("codes", "status", "--incident", listed, "--json").output)
    assert pools[0] | {"id": 0} == {
        "id": 0, "name": "experian-1", "vendor": VENDOR, "months": 24, "total": 2, "issued": 0,
        "remaining": 2, "low_water": 5, "low": True,
    }  # fmt: skip

    bad = write_codes(tmp_path / "bad.csv", "code", "AAAA 1111")
    refused = run_cli("codes", "import", bad, *options)
    assert refused.exit_code == 2 and "row 2:" in refused.output
