"""Checking a proof-of-notice export: its data file against its manifest, the manifest
against the audit event that sealed it, the chain head it names against the chain, and
the chain itself. Each check is reported, passed or failed, with what it found."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.audit.models import AuditEventRow
from breachdesk.inputs import InputError
from breachdesk.reports.events import ProofOfNoticeExported
from breachdesk.reports.proof import FORMAT


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class ProofVerification:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))


def verify_proof(*, db_session: Session, manifest_path: Path) -> ProofVerification:
    """Check an export against itself and the audit chain; every check is reported."""
    result = ProofVerification()
    manifest, manifest_sha256 = _read_manifest(manifest_path)
    data_path = manifest_path.parent / Path(str(manifest["data_file"])).name
    if not data_path.is_file():
        result.check("data file", False, f"{data_path} is missing")
    else:
        data_sha256, lines = _hash_and_count(data_path)
        result.check(
            "data file",
            data_sha256 == manifest["data_sha256"] and lines == manifest["rows"],
            f"{data_path.name}: SHA-256 {data_sha256}, {lines:,} rows; the manifest says "
            f"{manifest['data_sha256']}, {manifest['rows']:,} rows",
        )
    event = _sealing_event(db_session, manifest_sha256)
    if event is None:
        result.check(
            "audit event",
            False,
            f"no {ProofOfNoticeExported.event_type} event records a manifest with SHA-256 "
            f"{manifest_sha256}: the manifest was changed, or the export was never recorded",
        )
    else:
        payload = json.loads(event.payload)
        result.check(
            "audit event",
            payload["data_sha256"] == manifest["data_sha256"]
            and payload["rows"] == manifest["rows"]
            and event.incident_id == manifest["incident"],
            f"event {event.seq} ({event.occurred_at.isoformat()}, by {event.actor}) records "
            f"this manifest, data SHA-256 {payload['data_sha256']}, {payload['rows']:,} rows",
        )
    head = manifest["audit_head"]
    at_head = db_session.scalar(select(AuditEventRow.hash).where(AuditEventRow.seq == head["seq"]))
    before_event = event is None or head["seq"] < event.seq
    result.check(
        "chain head at export",
        (at_head == head["hash"] or (head["seq"] == 0 and head["hash"] == audit.GENESIS_HASH))
        and before_event,
        f"event {head['seq']} of the chain has hash {at_head}; the manifest says {head['hash']}",
    )
    chain = audit.verify(db_session=db_session)
    result.check(
        "audit chain",
        chain.intact,
        f"intact: {chain.events_checked:,} events, head {chain.head_seq} {chain.head_hash}"
        if chain.intact
        else f"broken at event {chain.problem.seq}: {chain.problem.reason}",
    )
    return result


def _read_manifest(path: Path) -> tuple[dict[str, Any], str]:
    """The manifest, checked to have the fields verification needs, and its SHA-256."""
    try:
        content = path.read_bytes()
        manifest = json.loads(content.decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a proof-of-notice manifest: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{path}: not a proof-of-notice manifest (no format {FORMAT!r})")
    head = manifest.get("audit_head")
    fields = {
        "incident": manifest.get("incident"),
        "rows": manifest.get("rows"),
        "data_file": manifest.get("data_file"),
        "data_sha256": manifest.get("data_sha256"),
        "audit_head.seq": head.get("seq") if isinstance(head, dict) else None,
        "audit_head.hash": head.get("hash") if isinstance(head, dict) else None,
    }
    wanted = {
        name: int if name in ("incident", "rows", "audit_head.seq") else str for name in fields
    }
    wrong = [name for name, value in fields.items() if type(value) is not wanted[name]]
    if wrong:
        raise InputError(f"{path}: the manifest's {', '.join(wrong)} missing or malformed")
    return manifest, hashlib.sha256(content).hexdigest()


def _hash_and_count(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), lines


def _sealing_event(db_session: Session, manifest_sha256: str) -> AuditEventRow | None:
    events = db_session.scalars(
        select(AuditEventRow)
        .where(AuditEventRow.event_type == ProofOfNoticeExported.event_type)
        .order_by(AuditEventRow.seq)
    )
    return next(
        (e for e in events if json.loads(e.payload).get("manifest_sha256") == manifest_sha256),
        None,
    )
