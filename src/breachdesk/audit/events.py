"""The base of every typed audit event, and the registry of event types.

Each domain declares its events as dataclasses in its own ``events.py``; the class
docstring is the event's documentation (docs/audit-events.md lists every type, and
tests/test_docs.py checks it does). Payloads hold identifiers and facts about the
change, never personal data or secrets.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Any, ClassVar

_REGISTRY: dict[str, type[AuditEvent]] = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class AuditEvent:
    event_type: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            raise TypeError(f"{cls.__name__} must set event_type")
        if event_type in _REGISTRY and _REGISTRY[event_type] is not cls:
            raise TypeError(f"event type {event_type!r} is declared twice")
        _REGISTRY[event_type] = cls

    @property
    def incident_id(self) -> int | None:
        """The incident the event belongs to: its ``incident`` field, when it has one."""
        return getattr(self, "incident", None)

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def all_event_types() -> dict[str, type[AuditEvent]]:
    """Every event type declared anywhere in breachdesk, by name."""
    import breachdesk

    for module in pkgutil.walk_packages(breachdesk.__path__, "breachdesk."):
        if module.name.endswith(".events"):
            importlib.import_module(module.name)
    return dict(sorted(_REGISTRY.items()))
