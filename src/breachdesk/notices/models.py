"""An organisation's notice templates: numbered versions, and the sign-offs each needs.

A version is never edited: an edit is a new version, which needs its own approvals. A
version is usable once a legal approver and a communications approver, two different
accounts, have signed off that exact version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from breachdesk.db import Base, UTCDateTime, utcnow
from breachdesk.security.approvals import both_signed
from breachdesk.security.models import StaffUser


class NoticeTemplate(Base):
    __tablename__ = "notice_template"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # The template file as validated (TemplateFile), and its content hash.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    based_on: Mapped[int | None] = mapped_column(Integer)  # the version it was edited from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)

    approvals: Mapped[list[TemplateApproval]] = relationship(
        back_populates="template", order_by="TemplateApproval.id"
    )

    @property
    def approved(self) -> bool:
        """Signed off by both approver roles, as two different accounts."""
        return both_signed(self.approvals)


class TemplateApproval(Base):
    __tablename__ = "template_approval"
    __table_args__ = (UniqueConstraint("template_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("notice_template.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)  # a Role value
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT"), nullable=False
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    template: Mapped[NoticeTemplate] = relationship(back_populates="approvals")
    staff_user: Mapped[StaffUser] = relationship()


@event.listens_for(NoticeTemplate, "before_update")
def _refuse_template_edits(_mapper: Any, _connection: Any, template: NoticeTemplate) -> None:
    state = inspect(template)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - {"approvals"}
    if changed:
        raise ValueError(
            f"template version {template.version} is immutable ({', '.join(sorted(changed))} "
            "changed): save the edit as a new version"
        )
