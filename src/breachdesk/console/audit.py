"""The console's audit pages."""

from __future__ import annotations

from fastapi import APIRouter

from breachdesk.console.web import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False)
