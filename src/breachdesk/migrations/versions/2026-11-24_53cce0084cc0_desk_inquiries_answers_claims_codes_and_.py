"""desk inquiries answers claims codes and api tokens

Revision ID: 53cce0084cc0
Revises: 705310ea6934
Create Date: 2026-11-24 11:24:25.452122
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "53cce0084cc0"
down_revision: str | None = "705310ea6934"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("last_used_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_api_token_staff_user_id_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_staff_user_id"), ["staff_user_id"], unique=False
        )

    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_session_staff_user_id_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_staff_session_key_hash")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_session_staff_user_id"), ["staff_user_id"], unique=False
        )

    op.create_table(
        "approved_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "purpose", sa.Enum("faq", "acknowledgement", name="answer_purpose"), nullable=False
        ),
        sa.Column(
            "category",
            sa.Enum(
                "general",
                "affected",
                "genuine",
                "monitoring",
                "claim",
                "complaint",
                "other",
                name="inquiry_category",
            ),
            nullable=False,
        ),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_approved_answer_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approved_answer")),
        sa.UniqueConstraint(
            "incident_id",
            "key",
            "language",
            "version",
            name=op.f("uq_approved_answer_incident_id_key_language_version"),
        ),
    )
    with op.batch_alter_table("approved_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approved_answer_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "code_pool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("enrol_url", sa.String(length=500), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("low_water", sa.Integer(), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_code_pool_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_pool")),
        sa.UniqueConstraint("incident_id", "name", name=op.f("uq_code_pool_incident_id_name")),
    )
    op.create_table(
        "answer_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["approved_answer.id"],
            name=op.f("fk_answer_approval_answer_id_approved_answer"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_answer_approval_staff_user_id_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_approval")),
        sa.UniqueConstraint("answer_id", "role", name=op.f("uq_answer_approval_answer_id_role")),
    )
    with op.batch_alter_table("answer_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_approval_answer_id"), ["answer_id"], unique=False
        )

    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("submitted", "needs_info", "approved", "rejected", name="claim_status"),
            nullable=False,
        ),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_claim_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_claim_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("number", name=op.f("uq_claim_number")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_person_id"), ["person_id"], unique=False)

    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("ticket", sa.String(length=16), nullable=False),
        sa.Column(
            "source", sa.Enum("portal", "email", "phone", name="inquiry_source"), nullable=False
        ),
        sa.Column(
            "category",
            sa.Enum(
                "general",
                "affected",
                "genuine",
                "monitoring",
                "claim",
                "complaint",
                "other",
                name="inquiry_category",
            ),
            nullable=False,
        ),
        sa.Column(
            "status", sa.Enum("open", "answered", "resolved", name="inquiry_status"), nullable=False
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("email_index", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("source_message_id", sa.String(length=998), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("received_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["staff_user.id"],
            name=op.f("fk_inquiry_assigned_to_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_inquiry_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_inquiry_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
        sa.UniqueConstraint("source_message_id", name=op.f("uq_inquiry_source_message_id")),
        sa.UniqueConstraint("ticket", name=op.f("uq_inquiry_ticket")),
    )
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiry_email_index", ["incident_id", "email_index"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inquiry_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_inquiry_queue", ["incident_id", "status", "received_at"], unique=False
        )

    op.create_table(
        "monitoring_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("code_index", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("redeemed_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_monitoring_code_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["code_pool.id"],
            name=op.f("fk_monitoring_code_pool_id_code_pool"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_code")),
        sa.UniqueConstraint(
            "pool_id", "code_index", name=op.f("uq_monitoring_code_pool_id_code_index")
        ),
        sa.UniqueConstraint(
            "pool_id", "person_id", name=op.f("uq_monitoring_code_pool_id_person_id")
        ),
    )
    with op.batch_alter_table("monitoring_code", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monitoring_code_free", ["pool_id", "person_id", "id"], unique=False
        )

    op.create_table(
        "claim_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_as", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_evidence_claim_id_claim"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_evidence")),
    )
    with op.batch_alter_table("claim_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_evidence_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "desk_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column(
            "state", sa.Enum("queued", "sent", "failed", name="desk_mail_state"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_desk_mail_inquiry_id_inquiry"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_mail")),
    )
    with op.batch_alter_table("desk_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_mail_inquiry_id"), ["inquiry_id"], unique=False)
        batch_op.create_index("ix_desk_mail_state", ["state", "id"], unique=False)

    op.create_table(
        "inquiry_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column(
            "direction", sa.Enum("in", "out", "note", name="message_direction"), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("approved_answer_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_message_id", sa.String(length=998), nullable=True),
        sa.Column("released_by", sa.String(length=320), nullable=True),
        sa.Column("released_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_answer_id"],
            ["approved_answer.id"],
            name=op.f("fk_inquiry_message_approved_answer_id_approved_answer"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_message_inquiry_id_inquiry"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_message")),
        sa.UniqueConstraint("source_message_id", name=op.f("uq_inquiry_message_source_message_id")),
    )
    with op.batch_alter_table("inquiry_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inquiry_message_inquiry_id"), ["inquiry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inquiry_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_message_inquiry_id"))

    op.drop_table("inquiry_message")
    with op.batch_alter_table("desk_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_mail_state")
        batch_op.drop_index(batch_op.f("ix_desk_mail_inquiry_id"))

    op.drop_table("desk_mail")
    with op.batch_alter_table("claim_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_evidence_claim_id"))

    op.drop_table("claim_evidence")
    with op.batch_alter_table("monitoring_code", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_code_free")

    op.drop_table("monitoring_code")
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_queue")
        batch_op.drop_index(batch_op.f("ix_inquiry_person_id"))
        batch_op.drop_index("ix_inquiry_email_index")

    op.drop_table("inquiry")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_person_id"))
        batch_op.drop_index(batch_op.f("ix_claim_incident_id"))

    op.drop_table("claim")
    with op.batch_alter_table("answer_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_approval_answer_id"))

    op.drop_table("answer_approval")
    op.drop_table("code_pool")
    with op.batch_alter_table("approved_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approved_answer_incident_id"))

    op.drop_table("approved_answer")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_staff_user_id"))

    op.drop_table("staff_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_staff_user_id"))

    op.drop_table("api_token")
    for enum_name in (
        "inquiry_source",
        "inquiry_category",
        "inquiry_status",
        "message_direction",
        "desk_mail_state",
        "answer_purpose",
        "claim_status",
    ):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
