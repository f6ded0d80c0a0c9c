"""the job queue on PostgreSQL (Procrastinate's tables and functions)

Revision ID: 5a1f0c2e9b7d
Revises: 19be6bd6f964
Create Date: 2026-11-24 07:40:00

Procrastinate keeps its jobs in the application's own database, so a job is enqueued in
the same transaction as the outbox rows it sends. Its schema is the one of the pinned
procrastinate version; upgrading procrastinate needs a migration that applies its own
migration files. SQLite has no job queue: the embedded mode sends in-process.
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "5a1f0c2e9b7d"
down_revision: str | None = "19be6bd6f964"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Everything procrastinate created carries its prefix: tables (with their triggers),
    # then functions, then types.
    op.execute(
        """
        DO $$
        DECLARE item record;
        BEGIN
            FOR item IN SELECT tablename FROM pg_tables
                    WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
                EXECUTE format('DROP TABLE %I CASCADE', item.tablename);
            END LOOP;
            FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                    JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
                EXECUTE format('DROP FUNCTION %s CASCADE', item.signature);
            END LOOP;
            FOR item IN SELECT t.typname FROM pg_type t
                    JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                        AND t.typtype IN ('e', 'c') LOOP
                EXECUTE format('DROP TYPE %I CASCADE', item.typname);
            END LOOP;
        END $$;
        """
    )
