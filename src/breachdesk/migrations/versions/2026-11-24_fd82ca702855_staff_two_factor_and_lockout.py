"""Staff two-factor sign-in, lock-out after failed sign-ins, idle session expiry.

Sessions signed in before this migration count as verified: they were complete
under the rules of their day.

Revision ID: fd82ca702855
Revises: 55849ba8cdd7
Create Date: 2026-11-24 18:05:49.825896
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import breachdesk.db

revision: str = "fd82ca702855"
down_revision: str | None = "55849ba8cdd7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("second_factor_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_seen_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE staff_session SET second_factor_at = created_at, last_seen_at = created_at")

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("totp_confirmed_at", breachdesk.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", breachdesk.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_confirmed_at")
        batch_op.drop_column("totp_secret")

    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("second_factor_at")
