"""approved answers: other ways customers ask the question

Revision ID: b71c04e9a5d3
Revises: 3e8a51c7d2b4
Create Date: 2026-11-24 18:10:00

Answer suggestion also matches an inquiry against an entry's other phrasings of its
question. Existing versions get none, which is what they were approved with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b71c04e9a5d3"
down_revision: str | None = "3e8a51c7d2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approved_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("also_asked", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("approved_answer", schema=None) as batch_op:
        batch_op.drop_column("also_asked")
