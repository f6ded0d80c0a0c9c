"""The console's home page, its static files and error pages, and ``install``, which
mounts every console router on the app."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from breachdesk.console import signin
from breachdesk.console.access import Can
from breachdesk.console.web import (
    HERE,
    PREFIX,
    BadForm,
    Console,
    Refused,
    SignInNeeded,
    Staff,
    page,
    redirect,
    signed_in,
    transaction,
)
from breachdesk.incidents import service as incidents

router = APIRouter(prefix=PREFIX, include_in_schema=False)
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, staff: Staff = Depends(signed_in(Can.SEE_DASHBOARD))) -> Response:
    """The incidents; with one incident, straight to its dashboard."""
    with transaction(request) as db_session:
        known = incidents.list_incidents(db_session=db_session)
        rows = [
            {
                "id": incident.id,
                "title": incident.title,
                "organisation": incident.organisation.display_name,
                "discovered": incident.discovered_at,
                "revisions": len(incident.revisions),
            }
            for incident in known
        ]
    if len(rows) == 1:
        return redirect(request, f"{PREFIX}/incidents/{rows[0]['id']}")
    return page(request, "home.html", staff=staff, incidents=rows, incident=None)


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    path = HERE / "static" / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES:
        raise HTTPException(404)
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(
        path,
        media_type=STATIC_TYPES[path.suffix],
        headers={"cache-control": "public, max-age=3600"},
    )


def install(app: FastAPI, console: Console) -> None:
    """Mount the console on ``app``."""
    from breachdesk.console import pages

    app.state.console = console
    app.include_router(router)
    app.include_router(signin.router)
    for module_router in pages.routers():
        app.include_router(module_router)
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(BadForm, _bad_form)


def _sign_in_needed(request: Request, error: SignInNeeded) -> Response:
    if request.headers.get("hx-request"):
        # htmx would swap the sign-in page into a panel: tell it to load the page instead.
        return Response(status_code=401, headers={"hx-redirect": f"{PREFIX}/login"})
    return redirect(request, f"{PREFIX}/login?next={error.after}")


def _refused(request: Request, error: Refused) -> Response:
    return page(
        request, "refused.html", staff=error.staff, status=403, what=error.can.value, incident=None
    )


def _bad_form(request: Request, _error: BadForm) -> Response:
    return page(
        request, "refused.html", staff=None, status=403, incident=None,
        what="send this form: it expired or came from another site. Reload the page and "
        "try again",
    )  # fmt: skip
