"""Audit events of reports: regulator notices submitted."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegulatorNoticeSubmitted(AuditEvent):
    """A notice to a regulator (or to the consumer reporting agencies, ``notice`` "cra")
    was recorded as submitted: which jurisdiction's notice, to which agency, its number
    (1 for the first, higher for an amended or supplemental one), how and when it was
    sent, the regulator's reference, the SHA-256 of the document sent (null when no file
    was given) and the fact revision current when it was recorded."""

    event_type = "report.regulator_notice_submitted"
    incident: int
    jurisdiction: str
    notice: str
    agency: str
    number: int
    method: str
    submitted_at: str
    reference: str
    document_sha256: str | None
    fact_revision: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProofOfNoticeExported(AuditEvent):
    """A proof-of-notice export was written (``report proof``): its selection (``scope``
    incident, jurisdiction or person, with the ``jurisdiction`` or ``reference``), how
    many notice rows it holds, the folder, the SHA-256 of its data file and of its
    manifest, and the audit chain's head when it began (``head_seq``, ``head_hash``).
    ``with_contact`` true means the export decrypted and wrote people's names, email and
    postal addresses. The event is the export's seal: ``report verify-proof`` finds it
    by the manifest's hash."""

    event_type = "report.proof_of_notice_exported"
    incident: int
    selection: dict[str, str]
    with_contact: bool
    rows: int
    folder: str
    data_sha256: str
    manifest_sha256: str
    head_seq: int
    head_hash: str
