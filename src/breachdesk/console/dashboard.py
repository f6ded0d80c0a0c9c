"""The incident dashboard: the facts, the legal obligations on a map and a timeline, the
campaigns' progress against the earliest deadline, the desk's load against capacity,
remedies, claims, regulator deadlines, the scorecard and the wave plan's chart.

The panels refresh in place every minute through htmx (``/panels``); without scripts
the page is complete as it is served. The regulators page is dashboard_regulators.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.console import dashboard_panels, dashboard_regulators
from breachdesk.console.access import Can
from breachdesk.console.dashboard_regulators import problem
from breachdesk.console.web import PREFIX, Staff, console_state, page, signed_in, transaction
from breachdesk.db import utcnow
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound
from breachdesk.planning import waves_service
from breachdesk.planning.capacity import CapacityModel
from breachdesk.planning.chart import svg_chart

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# The chart is a document of its own: its inline presentation attributes, nothing else.
PLAN_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def dashboard(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD))
) -> Response:
    """Every panel of the incident, as one page."""
    return _panels(request, incident_id, staff, "dashboard.html")


@router.get("/incidents/{incident_id}/panels", response_class=HTMLResponse)
def panels(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD))
) -> Response:
    """The panels alone, for htmx to swap in when it refreshes the dashboard."""
    return _panels(request, incident_id, staff, "dashboard_panels.html")


def _panels(request: Request, incident_id: int, staff: Staff, template: str) -> Response:
    settings = console_state(request).settings
    with transaction(request) as db_session:
        try:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            found = dashboard_panels.build(
                db_session=db_session, settings=settings, incident_id=incident_id, now=utcnow()
            )
        except NotFound as error:
            return problem(request, staff, str(error), 404)
        return page(
            request,
            template,
            staff=staff,
            incident={"id": incident.id, "title": incident.title},
            panels=found,
        )


@router.get("/incidents/{incident_id}/plan.svg")
def plan_chart(
    request: Request, incident_id: int, _staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD))
) -> Response:
    """The wave plan's chart (as `breachdesk plan waves --chart` writes it): each day's
    busiest hour of calls against what the desk can answer."""
    settings = console_state(request).settings
    with transaction(request) as db_session:
        try:
            wave_plan = waves_service.plan_incident(
                db_session=db_session,
                incident_id=incident_id,
                model=CapacityModel.from_settings(settings),
                rate=settings.plan_delivery_rate,
                now=utcnow(),
            )
        except (NotFound, InputError) as error:
            return Response(str(error), 404 if isinstance(error, NotFound) else 422)
    return Response(
        svg_chart(wave_plan),
        media_type="image/svg+xml",
        headers={"cache-control": "no-store", "content-security-policy": PLAN_SVG_CSP},
    )


router.include_router(dashboard_regulators.router)
