"""Audit events of the notices domain."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoticeTemplateSaved(AuditEvent):
    """A new version of an organisation's notice template was saved (an edit is always a
    new version, which needs its own approvals). ``content_hash`` identifies its wording."""

    event_type = "notice.template_saved"
    organisation: str
    template_id: int
    kind: str
    language: str
    version: int
    content_hash: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoticeTemplateApproved(AuditEvent):
    """An approver signed off one exact template version, in their role (legal or
    communications). ``usable`` is true once both roles have signed."""

    event_type = "notice.template_approved"
    template_id: int
    version: int
    content_hash: str
    role: str
    approver: str
    usable: bool
