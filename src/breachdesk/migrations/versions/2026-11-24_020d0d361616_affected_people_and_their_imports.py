"""affected people and their imports

Revision ID: 020d0d361616
Revises: 8c87ddd6f76c
Create Date: 2026-11-24 02:12:45.191038
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "020d0d361616"
down_revision: str | None = "8c87ddd6f76c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("status", sa.Enum("running", "completed", name="import_status"), nullable=False),
        sa.Column("rows_through", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("people_created", sa.Integer(), nullable=False),
        sa.Column("rows_merged", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("near_duplicates", sa.Integer(), nullable=False),
        sa.Column("values_dropped", sa.Integer(), nullable=False),
        sa.Column("started_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_person_import_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_import")),
        sa.UniqueConstraint(
            "incident_id", "file_sha256", name=op.f("uq_person_import_incident_id_file_sha256")
        ),
    )
    with op.batch_alter_table("person_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_import_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "affected_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=8), nullable=True),
        sa.Column(
            "jurisdiction_source",
            sa.Enum("stated", "address", "postcode", "unknown", name="jurisdiction_source"),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("elements", sa.Integer(), nullable=True),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("no_contact", sa.Boolean(), nullable=False),
        sa.Column("has_email", sa.Boolean(), nullable=False),
        sa.Column("has_phone", sa.Boolean(), nullable=False),
        sa.Column("has_postal", sa.Boolean(), nullable=False),
        sa.Column("email_index", sa.String(length=32), nullable=True),
        sa.Column("name_postcode_index", sa.String(length=32), nullable=True),
        sa.Column("identity_index", sa.String(length=32), nullable=True),
        sa.Column("address_index", sa.String(length=32), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["person_import.id"],
            name=op.f("fk_affected_person_import_id_person_import"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_affected_person_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affected_person")),
        sa.UniqueConstraint(
            "incident_id", "reference", name=op.f("uq_affected_person_incident_id_reference")
        ),
    )
    with op.batch_alter_table("affected_person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affected_person_address_index", ["incident_id", "address_index"], unique=False
        )
        batch_op.create_index(
            "ix_affected_person_email_index", ["incident_id", "email_index"], unique=False
        )
        batch_op.create_index(
            "ix_affected_person_external_id", ["incident_id", "external_id"], unique=False
        )
        batch_op.create_index(
            "ix_affected_person_identity_index", ["incident_id", "identity_index"], unique=False
        )

    op.create_table(
        "import_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_column", sa.String(length=200), nullable=True),
        sa.Column(
            "action",
            sa.Enum("quarantined", "value_dropped", "flagged", name="issue_action"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["person_import.id"],
            name=op.f("fk_import_issue_import_id_person_import"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_issue")),
    )
    with op.batch_alter_table("import_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_issue_import_id"), ["import_id"], unique=False)

    op.create_table(
        "near_duplicate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["person_import.id"],
            name=op.f("fk_near_duplicate_import_id_person_import"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["affected_person.id"],
            name=op.f("fk_near_duplicate_other_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_near_duplicate_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_near_duplicate")),
    )
    with op.batch_alter_table("near_duplicate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_near_duplicate_import_id"), ["import_id"], unique=False
        )

    op.create_table(
        "person_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("matched_on", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["person_import.id"],
            name=op.f("fk_person_merge_import_id_person_import"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_person_merge_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merge")),
    )
    with op.batch_alter_table("person_merge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_merge_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_merge_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_merge_person_id"))
        batch_op.drop_index(batch_op.f("ix_person_merge_import_id"))

    op.drop_table("person_merge")
    with op.batch_alter_table("near_duplicate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_near_duplicate_import_id"))

    op.drop_table("near_duplicate")
    with op.batch_alter_table("import_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_issue_import_id"))

    op.drop_table("import_issue")
    with op.batch_alter_table("affected_person", schema=None) as batch_op:
        batch_op.drop_index("ix_affected_person_identity_index")
        batch_op.drop_index("ix_affected_person_external_id")
        batch_op.drop_index("ix_affected_person_email_index")
        batch_op.drop_index("ix_affected_person_address_index")

    op.drop_table("affected_person")
    with op.batch_alter_table("person_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_import_incident_id"))

    op.drop_table("person_import")
    for enum_name in ("import_status", "jurisdiction_source", "issue_action"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
