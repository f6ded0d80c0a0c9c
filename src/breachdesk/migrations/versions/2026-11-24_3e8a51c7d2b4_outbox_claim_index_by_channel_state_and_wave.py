"""outbox claim index by channel, state and wave

Revision ID: 3e8a51c7d2b4
Revises: fd82ca702855
Create Date: 2026-11-24 16:40:00

A claim now asks for one channel and one state at a time (delivery.models.due_now), in
(wave_id, id) order, so the index leads with both and then gives that order: a claim
walks only the rows it may take, never those already sent nor the campaign's other
channel. Before, on PostgreSQL each claim walked the primary key past every email
already sent (35 ms a claim half-way through a 120,000-email wave).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e8a51c7d2b4"
down_revision: str | None = "fd82ca702855"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_claim")
        batch_op.create_index(
            "ix_outbox_message_claim",
            ["campaign_id", "channel", "state", "wave_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_claim")
        batch_op.create_index(
            "ix_outbox_message_claim", ["campaign_id", "state", "id"], unique=False
        )
