"""One place that imports every domain's tables, so Alembic and tests see them all."""

from __future__ import annotations

import importlib

DOMAINS_WITH_TABLES = (
    "audit",
    "security",
    "incidents",
    "people",
    "notices",
    "delivery",
    "desk",
    "reports",
)


def import_all_models() -> None:
    for domain in DOMAINS_WITH_TABLES:
        importlib.import_module(f"breachdesk.{domain}.models")
