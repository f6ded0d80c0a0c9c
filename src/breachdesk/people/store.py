"""Bulk reads and writes of people, at the speed an import of millions needs.

Core SQL, not the ORM: rows go in by executemany on SQLite and COPY on PostgreSQL,
and ids are allocated in bulk up front so merges can point at people in the same
batch. Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.orm import Session

from breachdesk.people.models import AffectedPerson

LOOKUP_BATCH = 500
PERSON = AffectedPerson.__table__


def allocate_ids(db_session: Session, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, reserved for this transaction."""
    if count == 0:
        return []
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        # One row holding an array: fetching 100,000 single-value rows costs seconds.
        return connection.execute(
            text(
                "SELECT array_agg(nextval(pg_get_serial_sequence(:table, 'id'))) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        ).scalar_one()
    # SQLite transactions hold the write lock from their start (see db.py), so no
    # other writer can take these numbers before this transaction commits.
    highest = connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}"))  # noqa: S608
    start = highest.scalar_one() + 1
    return list(range(start, start + count))


def insert_rows(
    db_session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    if not rows:
        return
    connection = db_session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})",  # noqa: S608
        list(rows),
    )


def find_by_key(
    db_session: Session, *, incident_id: int, column: str, values: Sequence[str]
) -> dict[str, list[int]]:
    """Existing people of the incident whose ``column`` equals one of ``values``,
    oldest first."""
    found: dict[str, list[int]] = {}
    key_column = PERSON.c[column]
    query = (
        select(key_column, PERSON.c.id)
        .where(PERSON.c.incident_id == incident_id, key_column.in_(bindparam("values")))
        .order_by(PERSON.c.id)
    )
    unique = sorted(set(values))
    for start in range(0, len(unique), LOOKUP_BATCH):
        batch = unique[start : start + LOOKUP_BATCH]
        for value, person_id in db_session.execute(query, {"values": batch}):
            found.setdefault(value, []).append(person_id)
    return found


def load_people(db_session: Session, ids: Sequence[int], columns: Sequence[str]) -> list[Any]:
    rows = []
    query = select(PERSON.c.id, *(PERSON.c[name] for name in columns)).where(
        PERSON.c.id.in_(bindparam("ids"))
    )
    unique = sorted(set(ids))
    for start in range(0, len(unique), LOOKUP_BATCH):
        rows.extend(db_session.execute(query, {"ids": unique[start : start + LOOKUP_BATCH]}))
    return rows


def update_people(
    db_session: Session, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Rows of (id, *columns) written back to existing people."""
    if not rows:
        return
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    statement = text(f"UPDATE affected_person SET {assignments} WHERE id = :id")  # noqa: S608
    db_session.execute(statement, [dict(zip(("id", *columns), row, strict=True)) for row in rows])


def existing_keys(
    db_session: Session, *, incident_id: int, columns: Sequence[str], batch: int = 200_000
) -> Iterator[dict[str, list[str | None]]]:
    """The incident's people's key columns, in batches, for the in-memory key filter."""
    last_id = 0
    while True:
        rows = db_session.execute(
            select(PERSON.c.id, *(PERSON.c[name] for name in columns))
            .where(PERSON.c.incident_id == incident_id, PERSON.c.id > last_id)
            .order_by(PERSON.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        last_id = rows[-1][0]
        yield {name: [row[i + 1] for row in rows] for i, name in enumerate(columns)}
