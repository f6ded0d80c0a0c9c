"""Alembic environment: runs against the engine the caller passes, or the settings' one."""

from __future__ import annotations

from alembic import context

from breachdesk.db import Base, make_engine
from breachdesk.migrations import ours
from breachdesk.models import import_all_models

import_all_models()
target_metadata = Base.metadata

engine = context.config.attributes.get("engine")
if engine is None:
    from breachdesk.config import get_settings

    engine = make_engine(get_settings().resolved_database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=ours,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
