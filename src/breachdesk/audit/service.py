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

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from breachdesk.audit.events import AuditEvent
from breachdesk.audit.models import AuditEventRow, AuditHead
from breachdesk.audit.schemas import ChainProblem, VerifyResult
from breachdesk.db import utcnow

GENESIS_HASH = "0" * 64
HEAD_ROW_ID = 1
VERIFY_BATCH = 5000


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=lambda v: _json_default(v)
)
_CHAIN_MATERIAL = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot record a {type(value).__name__} in an audit payload")


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


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
    material = _CHAIN_MATERIAL.encode(
        [seq, _timestamp(occurred_at), actor, event_type, incident_id, payload, prev_hash]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# Built once: appending is on the path of every change breachdesk makes.
_HEAD = AuditHead.__table__
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ROW_ID)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ROW_ID).values(hash=bindparam("new_hash"))
_INSERT_EVENT = insert(AuditEventRow.__table__)


def record(*, db_session: Session, event: AuditEvent, actor: str) -> tuple[int, str]:
    """Append ``event`` to the chain in the caller's transaction; returns (seq, hash).

    The caller flushes the rows the event refers to first, so their ids exist.
    """
    # Advancing the head row first takes its write lock (a row lock on PostgreSQL, the
    # database write lock on SQLite), so concurrent appenders queue here instead of
    # forking the chain; RETURNING hands back the new number and the previous hash.
    seq, prev_hash = db_session.execute(_ADVANCE_HEAD).one()
    occurred_at = utcnow()
    row = {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor": actor,
        "event_type": event.event_type,
        "incident_id": event.incident_id,
        "payload": canonical_json(event.payload()),
        "prev_hash": prev_hash,
    }
    row["hash"] = chain_hash(**row)
    db_session.execute(_INSERT_EVENT, row)
    db_session.execute(_SET_HEAD_HASH, {"new_hash": row["hash"]})
    return seq, row["hash"]


def verify(*, db_session: Session) -> VerifyResult:
    """Walk the whole chain in order and report the first event that does not hold."""
    head = db_session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ROW_ID)
    ).one_or_none()
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    problem: ChainProblem | None = None
    for seq, occurred_at, actor, event_type, incident_id, payload, linked, stored in _rows_in_order(
        db_session
    ):
        if seq != expected_seq:
            problem = _missing(expected_seq, seq)
        elif linked != prev_hash:
            problem = ChainProblem(
                seq,
                f"event {seq} does not follow event {seq - 1} "
                "(events were reordered, or one was inserted)",
            )
        elif stored != chain_hash(
            seq=seq,
            occurred_at=occurred_at,
            actor=actor,
            event_type=event_type,
            incident_id=incident_id,
            payload=payload,
            prev_hash=linked,
        ):
            problem = ChainProblem(seq, f"event {seq} was changed after it was written")
        if problem:
            break
        checked += 1
        expected_seq, prev_hash = seq + 1, stored
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


def _missing(expected_seq: int, found_seq: int) -> ChainProblem:
    missing = (
        f"event {expected_seq} is"
        if found_seq == expected_seq + 1
        else f"events {expected_seq} to {found_seq - 1} are"
    )
    return ChainProblem(expected_seq, f"{missing} missing (deleted)")


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


def search(
    *,
    db_session: Session,
    event_type: str | None = None,
    actor: str | None = None,
    incident_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEventRow], int]:
    """One page of events, newest first, narrowed by each filter given, and how many
    events match in all. ``actor`` matches any part of the actor, ignoring case;
    ``since`` is inclusive and ``before`` exclusive."""
    conditions = []
    if event_type:
        conditions.append(AuditEventRow.event_type == event_type)
    if actor:
        conditions.append(func.lower(AuditEventRow.actor).contains(actor.lower(), autoescape=True))
    if incident_id is not None:
        conditions.append(AuditEventRow.incident_id == incident_id)
    if since is not None:
        conditions.append(AuditEventRow.occurred_at >= since)
    if before is not None:
        conditions.append(AuditEventRow.occurred_at < before)
    total = db_session.execute(
        select(func.count()).select_from(AuditEventRow).where(*conditions)
    ).scalar_one()
    rows = db_session.execute(
        select(AuditEventRow)
        .where(*conditions)
        .order_by(AuditEventRow.seq.desc())
        .offset(max(offset, 0))
        .limit(limit)
    ).scalars()
    return list(rows), total
