"""notice campaigns, waves and the outbox

Revision ID: 19be6bd6f964
Revises: c631d074064a
Create Date: 2026-11-24 06:42:07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "19be6bd6f964"
down_revision: str | None = "c631d074064a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "channel_policy",
            sa.Enum("email", "letter", "auto", name="channel_policy"),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum("ready", "paused", "cancelled", "completed", name="campaign_state"),
            nullable=False,
        ),
        sa.Column("templates", sa.JSON(), nullable=False),
        sa.Column("remedy", sa.JSON(), nullable=True),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_campaign_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("selection", sa.String(length=200), nullable=False),
        sa.Column("starts_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("max_per_second", sa.Integer(), nullable=True),
        sa.Column("created_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_wave_campaign_id_campaign"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
        sa.UniqueConstraint("campaign_id", "number", name=op.f("uq_wave_campaign_id_number")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "letter", "substitute", name="outbox_channel"),
            nullable=False,
        ),
        sa.Column("channel_reason", sa.String(length=120), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued", "sending", "sent", "deferred", "bounced", "failed", name="message_state"
            ),
            nullable=False,
        ),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.String(length=64), nullable=True),
        sa.Column("fact_revision", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("queued_at", breachdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sending_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deferred_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resent_after_interruption", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_outbox_message_campaign_id_campaign"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_person.id"],
            name=op.f("fk_outbox_message_person_id_affected_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["wave.id"],
            name=op.f("fk_outbox_message_wave_id_wave"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_message_id")),
        sa.UniqueConstraint(
            "person_id", "kind", "channel", name=op.f("uq_outbox_message_person_id_kind_channel")
        ),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_message_claim", ["campaign_id", "state", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_wave_id"), ["wave_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_wave_id"))
        batch_op.drop_index("ix_outbox_message_claim")

    op.drop_table("outbox_message")
    op.drop_table("wave")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_incident_id"))

    op.drop_table("campaign")
    for enum_name in ("channel_policy", "campaign_state", "outbox_channel", "message_state"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
