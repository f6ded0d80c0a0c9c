"""outbox records the elements each notice listed

Revision ID: 705310ea6934
Revises: 5a1f0c2e9b7d
Create Date: 2026-11-24 08:12:33
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "705310ea6934"
down_revision: str | None = "5a1f0c2e9b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("elements", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("elements")
