"""Writing, verifying and exporting the audit chain.

Each event's hash is SHA-256 over the canonical JSON array
``[seq, occurred_at, actor, event_type, incident_id, payload, prev_hash]`` (UTF-8,
no spaces, ``occurred_at`` as ISO 8601 UTC with microseconds, ``payload`` as its
stored canonical JSON text). The first event's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from breachdesk.audit.events import AuditEvent
from breachdesk.audit.models import AuditEventRow, AuditHead
from breachdesk.audit.schemas import ChainProblem, VerifyResult
from breachdesk.db import utcnow

GENESIS_HASH = "0" * 64
HEAD_ROW_ID = 1
VERIFY_BATCH = 5000


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot record a {type(value).__name__} in an audit payload")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def chain_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    event_type: str,
    incident_id: int | None,
    payload: str,
    prev_hash: str,
) -> str:
    material = json.dumps(
        [seq, _timestamp(occurred_at), actor, event_type, incident_id, payload, prev_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def record(*, db_session: Session, event: AuditEvent, actor: str) -> AuditEventRow:
    """Append ``event`` to the chain in the caller's transaction."""
    # Updating the head row first takes its write lock (a row lock on PostgreSQL, the
    # database write lock on SQLite), so concurrent appenders queue here instead of
    # forking the chain.
    db_session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ROW_ID).values(seq=AuditHead.seq)
    )
    head = db_session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ROW_ID)
        .execution_options(populate_existing=True)
    ).scalar_one()
    occurred_at = utcnow()
    payload = canonical_json(event.payload())
    row = AuditEventRow(
        seq=head.seq + 1,
        occurred_at=occurred_at,
        actor=actor,
        event_type=event.event_type,
        incident_id=event.incident_id,
        payload=payload,
        prev_hash=head.hash,
    )
    row.hash = chain_hash(
        seq=row.seq,
        occurred_at=occurred_at,
        actor=actor,
        event_type=row.event_type,
        incident_id=row.incident_id,
        payload=payload,
        prev_hash=row.prev_hash,
    )
    db_session.add(row)
    head.seq, head.hash = row.seq, row.hash
    db_session.flush()
    return row


def verify(*, db_session: Session) -> VerifyResult:
    """Walk the whole chain in order and report the first event that does not hold."""
    head = db_session.get(AuditHead, HEAD_ROW_ID)
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    problem: ChainProblem | None = None
    for row in _rows_in_order(db_session):
        problem = _check_row(row, expected_seq, prev_hash)
        if problem:
            break
        checked += 1
        expected_seq, prev_hash = row.seq + 1, row.hash
    last_seq = expected_seq - 1
    if problem is None and head is None:
        problem = ChainProblem(0, "the chain's head record is missing")
    elif problem is None and (head.seq, head.hash) != (last_seq, prev_hash):
        problem = ChainProblem(
            last_seq + 1,
            f"events {last_seq + 1} to {head.seq} were deleted from the end of the chain"
            if head.seq > last_seq
            else "the chain's head record does not match its last event",
        )
    return VerifyResult(
        events_checked=checked,
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else GENESIS_HASH,
        problem=problem,
    )


def _rows_in_order(db_session: Session) -> Iterator[Any]:
    columns = (
        AuditEventRow.seq,
        AuditEventRow.occurred_at,
        AuditEventRow.actor,
        AuditEventRow.event_type,
        AuditEventRow.incident_id,
        AuditEventRow.payload,
        AuditEventRow.prev_hash,
        AuditEventRow.hash,
    )
    last_seq = None
    while True:
        query = select(*columns).order_by(AuditEventRow.seq).limit(VERIFY_BATCH)
        if last_seq is not None:
            query = query.where(AuditEventRow.seq > last_seq)
        rows = db_session.execute(query).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def _check_row(row: Any, expected_seq: int, prev_hash: str) -> ChainProblem | None:
    if row.seq > expected_seq:
        missing = (
            f"event {expected_seq} is"
            if row.seq == expected_seq + 1
            else f"events {expected_seq} to {row.seq - 1} are"
        )
        return ChainProblem(expected_seq, f"{missing} missing (deleted)")
    if row.prev_hash != prev_hash:
        return ChainProblem(
            row.seq,
            f"event {row.seq} does not follow event {row.seq - 1} "
            "(events were reordered, or one was inserted)",
        )
    recomputed = chain_hash(
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        event_type=row.event_type,
        incident_id=row.incident_id,
        payload=row.payload,
        prev_hash=row.prev_hash,
    )
    if recomputed != row.hash:
        return ChainProblem(row.seq, f"event {row.seq} was changed after it was written")
    return None


def export(*, db_session: Session, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every event (from ``since`` on), oldest first, as plain dictionaries."""
    query = select(AuditEventRow).order_by(AuditEventRow.seq)
    if since is not None:
        query = query.where(AuditEventRow.occurred_at >= since)
    for row in db_session.execute(query.execution_options(yield_per=VERIFY_BATCH)).scalars():
        yield {
            "seq": row.seq,
            "occurred_at": row.occurred_at.isoformat(),
            "actor": row.actor,
            "event_type": row.event_type,
            "incident_id": row.incident_id,
            "payload": json.loads(row.payload),
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        }


def events_for_incident(
    *, db_session: Session, incident_id: int, event_type: str | None = None
) -> list[AuditEventRow]:
    query = select(AuditEventRow).where(AuditEventRow.incident_id == incident_id)
    if event_type is not None:
        query = query.where(AuditEventRow.event_type == event_type)
    return list(db_session.execute(query.order_by(AuditEventRow.seq)).scalars())
