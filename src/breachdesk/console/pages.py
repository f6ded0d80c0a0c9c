"""Every area of the console, in the order of the navigation."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from breachdesk.console import (
        audit,
        campaigns,
        claims,
        dashboard,
        desk,
        desk_inquiry,
        facts,
        notices,
        outbox,
        people,
    )

    areas = (
        dashboard,
        facts,
        people,
        notices,
        campaigns,
        desk,
        desk_inquiry,
        claims,
        audit,
        outbox,
    )
    return [area.router for area in areas]
