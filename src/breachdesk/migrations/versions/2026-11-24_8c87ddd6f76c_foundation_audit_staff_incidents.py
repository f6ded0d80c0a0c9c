"""foundation: audit, staff, incidents

Revision ID: 8c87ddd6f76c
Revises:
Create Date: 2026-11-24 01:21:30.382844
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "8c87ddd6f76c"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain's head starts at the genesis hash; appenders lock and advance it.
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer),
            sa.column("seq", sa.Integer),
            sa.column("hash", sa.String),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("legal_name", sa.String(length=300), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("owned_domains", sa.JSON(), nullable=False),
        sa.Column("sending_domains", sa.JSON(), nullable=False),
        sa.Column("sender_identities", sa.JSON(), nullable=False),
        sa.Column("support_phone", sa.String(length=40), nullable=False),
        sa.Column("support_email", sa.String(length=320), nullable=True),
        sa.Column("support_postal_address", sa.Text(), nullable=False),
        sa.Column("signatory_name", sa.String(length=200), nullable=False),
        sa.Column("signatory_title", sa.String(length=200), nullable=False),
        sa.Column("hipaa_covered_entity", sa.Boolean(), nullable=False),
        sa.Column("hipaa_business_associate", sa.Boolean(), nullable=False),
        sa.Column("glba_financial_institution", sa.Boolean(), nullable=False),
        sa.Column("sec_registrant", sa.Boolean(), nullable=False),
        sa.Column("established_in", sa.JSON(), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisation_slug")),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "lead",
                "legal_approver",
                "comms_approver",
                "agent",
                "auditor",
                name="staff_role",
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum("investigating", "notifying", "monitoring", "closed", name="incident_status"),
            nullable=False,
        ),
        sa.Column("discovered_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("determined_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("contained_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("law_enforcement_delay_requested_by", sa.String(length=300), nullable=True),
        sa.Column(
            "law_enforcement_delay_until", breachdesk.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_incident_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_audit_event_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_event_type"), ["event_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "fact_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("people_affected", sa.Integer(), nullable=False),
        sa.Column("occurred_from", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("occurred_to", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("public_description", sa.Text(), nullable=False),
        sa.Column("internal_description", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("disclosed_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disclosed_by", sa.String(length=320), nullable=True),
        sa.Column(
            "disclosure", sa.Enum("notice", "public_statement", name="disclosure"), nullable=True
        ),
        sa.Column("expands_revision", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_fact_revision_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_revision")),
        sa.UniqueConstraint(
            "incident_id", "number", name=op.f("uq_fact_revision_incident_id_number")
        ),
    )
    with op.batch_alter_table("fact_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fact_revision_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fact_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_revision_incident_id"))

    op.drop_table("fact_revision")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_incident_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_event_type"))

    op.drop_table("audit_event")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_organisation_id"))

    op.drop_table("incident")
    op.drop_table("staff_user")
    op.drop_table("organisation")
    op.drop_table("audit_head")
    for enum_name in ("staff_role", "incident_status", "disclosure"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
