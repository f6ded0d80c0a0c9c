"""notice templates and approvals

Revision ID: c631d074064a
Revises: 020d0d361616
Create Date: 2026-11-24 05:12:59.733702
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "c631d074064a"
down_revision: str | None = "020d0d361616"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_notice_template_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_template")),
        sa.UniqueConstraint(
            "organisation_id",
            "kind",
            "language",
            "version",
            name=op.f("uq_notice_template_organisation_id_kind_language_version"),
        ),
    )
    with op.batch_alter_table("notice_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_template_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "template_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_template_approval_staff_user_id_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["notice_template.id"],
            name=op.f("fk_template_approval_template_id_notice_template"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_approval")),
        sa.UniqueConstraint(
            "template_id", "role", name=op.f("uq_template_approval_template_id_role")
        ),
    )
    with op.batch_alter_table("template_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_template_approval_template_id"), ["template_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("template_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_approval_template_id"))

    op.drop_table("template_approval")
    with op.batch_alter_table("notice_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_template_organisation_id"))

    op.drop_table("notice_template")
