"""regulator notice submissions

Revision ID: 55849ba8cdd7
Revises: 53cce0084cc0
Create Date: 2026-11-24 14:15:49
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "55849ba8cdd7"
down_revision: str | None = "53cce0084cc0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regulator_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("notice", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=300), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("web_form", "email", "post", "other", name="submission_method"),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=320), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("document_name", sa.String(length=300), nullable=True),
        sa.Column("fact_revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_regulator_submission_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulator_submission")),
        sa.UniqueConstraint(
            "incident_id",
            "jurisdiction",
            "notice",
            "number",
            name=op.f("uq_regulator_submission_incident_id_jurisdiction_notice_number"),
        ),
    )
    with op.batch_alter_table("regulator_submission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regulator_submission_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("regulator_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regulator_submission_incident_id"))

    op.drop_table("regulator_submission")
    sa.Enum(name="submission_method").drop(op.get_bind(), checkfirst=True)
