"""The console's campaigns pages: the incident's campaigns, creating one from the
approved templates, and one campaign's progress with its waves, scheduling the next
wave, pausing, resuming, cancelling and (in embedded mode) sending.

On PostgreSQL a scheduled wave's send jobs are enqueued with it and `breachdesk worker`
sends them. In embedded mode (SQLite, no job queue) this web process sends: scheduling
a wave that is due, or resuming, starts a run in a background thread, and "Send the due
notices now" starts one for a wave that came due later (see delivery/embedded.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from breachdesk.console.access import Can
from breachdesk.console.web import (
    PREFIX,
    Form,
    Staff,
    console_state,
    page,
    redirect,
    signed_in,
    transaction,
)
from breachdesk.db import utcnow
from breachdesk.delivery import embedded, service
from breachdesk.delivery.models import Campaign, CampaignState, ChannelPolicy, MessageState
from breachdesk.delivery.service import MonitoringOffer
from breachdesk.incidents import service as incidents
from breachdesk.inputs import InputError, NotFound

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# Paths of the routes (under the router's /console prefix), and the URLs they answer.
CAMPAIGNS_PATH = "/incidents/{incident_id}/campaigns"
CAMPAIGN_PATH = CAMPAIGNS_PATH + "/{campaign_id}"
CAMPAIGNS = PREFIX + CAMPAIGNS_PATH
CAMPAIGN = PREFIX + CAMPAIGN_PATH
KINDS = {
    "initial": "Initial notice: everyone owed notice",
    "supplemental": "Supplemental notice: people a wider fact revision left with an incomplete one",
    "update": "Update notice: a further notice after a supplemental one",
}
POLICIES = {
    ChannelPolicy.EMAIL.value: "Email first, then a letter",
    ChannelPolicy.LETTER.value: "Letter first, then email",
    ChannelPolicy.AUTO.value: "Automatic (today the same as email first)",
}
MOVES = {
    "pause": (CampaignState.PAUSED, "Paused: nothing more is sent until you resume it."),
    "resume": (CampaignState.READY, "Resumed: its due notices are being sent again."),
    "cancel": (
        CampaignState.CANCELLED,
        "Cancelled: nothing more is sent; what was sent stays on the record.",
    ),
}
FINAL = (MessageState.SENT.value, MessageState.BOUNCED.value, MessageState.FAILED.value)


def _people(count: int) -> str:
    return "1 person has" if count == 1 else f"{count:,} people have"


def _missing(request: Request, staff: Staff, error: NotFound) -> HTMLResponse:
    return page(request, "campaigns_missing.html", staff=staff, status=404, message=str(error))


def _campaign_of(db_session: Any, incident_id: int, campaign_id: int) -> Campaign:
    campaign = service.get_campaign(db_session=db_session, campaign_id=campaign_id)
    if campaign.incident_id != incident_id:
        raise NotFound(f"campaign {campaign_id} is not one of incident {incident_id}'s")
    return campaign


def _row(status: service.CampaignStatus) -> dict[str, Any]:
    report = status.as_dict()
    total = sum(report["counts"].values())
    return {
        **report,
        "total": total,
        "final": sum(report["counts"][state] for state in FINAL),
        "sent": report["counts"][MessageState.SENT.value],
        "created_at": status.campaign.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "created_by": status.campaign.created_by,
    }


@router.get(CAMPAIGNS_PATH, response_class=HTMLResponse)
def campaigns(
    request: Request, incident_id: int, staff: Staff = Depends(signed_in(Can.SEE_CAMPAIGNS))
) -> Response:
    """The incident's campaigns, and the form to create one."""
    return _list_page(request, staff, incident_id)


def _list_page(
    request: Request,
    staff: Staff,
    incident_id: int,
    *,
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        with transaction(request) as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
            rows = [
                _row(service.campaign_status(db_session=db_session, campaign_id=campaign.id))
                for campaign in service.list_campaigns(
                    db_session=db_session, incident_id=incident_id
                )
            ]
    except NotFound as found:
        return _missing(request, staff, found)
    return page(
        request, "campaigns.html", staff=staff, incident=incident, rows=rows, status=status,
        kinds=KINDS, policies=POLICIES, error=error,
        values={"kind": "initial", "channel": "email", "months": "", "url": "", **(values or {})},
    )  # fmt: skip


def _whole(fields: dict[str, str], name: str, label: str) -> int | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"{label}: give a whole number, or leave it empty")
    return int(value)


@router.post(CAMPAIGNS_PATH)
def create(
    request: Request,
    incident_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Create a campaign of one notice kind from the approved templates."""
    values = {name: fields.get(name, "").strip() for name in ("kind", "channel", "months", "url")}
    try:
        if values["kind"] not in KINDS:
            raise InputError(f"Kind: choose one of {', '.join(KINDS)}")
        if values["channel"] not in POLICIES:
            raise InputError(f"Channel: choose one of {', '.join(POLICIES)}")
        months = _whole(fields, "months", "Months of credit monitoring")
        if (months is None) != (not values["url"]):
            raise InputError(
                "a credit-monitoring offer needs both its months and the enrolment address"
            )
        offer = MonitoringOffer(months, values["url"]) if months is not None else None
        with transaction(request) as db_session:
            campaign = service.create_campaign(
                db_session=db_session,
                incident_id=incident_id,
                kind=values["kind"],
                channel_policy=ChannelPolicy(values["channel"]),
                actor=staff.email,
                offer=offer,
            )
            campaign_id = campaign.id
    except NotFound as found:
        return _missing(request, staff, found)
    except InputError as error:
        return _list_page(
            request, staff, incident_id, status=422, values=values,
            error=f"The campaign was not created: {error}.",
        )  # fmt: skip
    return redirect(
        request,
        CAMPAIGN.format(incident_id=incident_id, campaign_id=campaign_id),
        flash=f"Campaign {campaign_id} created. Schedule its first wave to start sending.",
    )


def _status_values(request: Request, incident_id: int, campaign_id: int) -> dict[str, Any]:
    with transaction(request) as db_session:
        campaign = _campaign_of(db_session, incident_id, campaign_id)
        status = service.campaign_status(db_session=db_session, campaign_id=campaign.id)
        row = _row(status)
        now = utcnow()
        waves = [
            {
                "number": wave.number,
                "selection": wave.selection,
                "starts_at": wave.starts_at.strftime("%Y-%m-%d %H:%M UTC"),
                "started": wave.starts_at <= now,
                "rate": wave.max_per_second,
                "created_by": wave.created_by,
            }
            for wave in status.waves
        ]
    database = console_state(request).database
    return {
        "row": row,
        "waves": waves,
        "embedded": embedded.sends_in_process(database),
        "run": embedded.latest_run(database, campaign_id),
        "status_url": CAMPAIGN.format(incident_id=incident_id, campaign_id=campaign_id) + "/status",
    }


@router.get(CAMPAIGN_PATH, response_class=HTMLResponse)
def campaign_page(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.SEE_CAMPAIGNS)),
) -> Response:
    """One campaign: its progress, its waves, and what the lead can do with it."""
    return _campaign_page(request, staff, incident_id, campaign_id)


def _campaign_page(
    request: Request,
    staff: Staff,
    incident_id: int,
    campaign_id: int,
    *,
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        with transaction(request) as db_session:
            incident = incidents.get_incident(db_session=db_session, incident_id=incident_id)
        shown = _status_values(request, incident_id, campaign_id)
    except NotFound as found:
        return _missing(request, staff, found)
    return page(
        request, "campaigns_detail.html", staff=staff, incident=incident, status=status,
        error=error, kinds=KINDS, policies=POLICIES,
        values={"size": "", "jurisdictions": "", "start": "", "rate": "", **(values or {})},
        **shown,
    )  # fmt: skip


@router.get(CAMPAIGN_PATH + "/status", response_class=HTMLResponse)
def status_panel(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.SEE_CAMPAIGNS)),
) -> Response:
    """The progress panel alone, which the campaign page refreshes every 10 seconds."""
    try:
        shown = _status_values(request, incident_id, campaign_id)
    except NotFound as found:
        return _missing(request, staff, found)
    return page(request, "campaigns_status.html", staff=staff, **shown)


def _start(value: str) -> datetime:
    """The wave's start: now when empty; a time without a zone is taken as UTC."""
    if not value.strip():
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(
            f"Start: {value!r} is not a date and time, e.g. 2026-11-20T09:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _send_here(request: Request, staff: Staff, campaign_id: int) -> str:
    """In embedded mode, start sending the campaign's due emails from this process; a
    sentence for the flash message (empty on a database whose workers send)."""
    state = console_state(request)
    if not embedded.sends_in_process(state.database):
        return ""
    try:
        _run, started = embedded.start_run(
            settings=state.settings,
            database=state.database,
            keyring=state.keyring,
            campaign_id=campaign_id,
            actor=staff.email,
        )
    except InputError as error:  # the sender's settings are wrong
        return f" Sending could not start: {error}."
    if started:
        return " Sending has started from this server: this page shows its progress."
    return " This server is already sending it: this page shows its progress."


@router.post(CAMPAIGN_PATH + "/waves")
def schedule_wave(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Schedule the next wave: who (all owed, some jurisdictions, at most N), from when,
    at what rate."""
    values = {name: fields.get(name, "") for name in ("size", "jurisdictions", "start", "rate")}
    try:
        starts_at = _start(values["start"])
        wanted = [code.upper() for code in re.split(r"[\s,;]+", values["jurisdictions"]) if code]
        with transaction(request) as db_session:
            campaign = _campaign_of(db_session, incident_id, campaign_id)
            wave, channels = service.schedule_wave(
                db_session=db_session,
                campaign_id=campaign.id,
                starts_at=starts_at,
                actor=staff.email,
                jurisdictions=wanted,
                size=_whole(fields, "size", "Size"),
                max_per_second=_whole(fields, "rate", "Rate"),
            )
            number, ready = wave.number, campaign.state is CampaignState.READY
    except NotFound as found:
        return _missing(request, staff, found)
    except InputError as error:
        return _campaign_page(
            request, staff, incident_id, campaign_id, status=422, values=values,
            error=f"The wave was not scheduled: {error}.",
        )  # fmt: skip
    people = ", ".join(f"{count:,} {name}" for name, count in sorted(channels.items()))
    flash = f"Wave {number} scheduled: {people or 'nobody is left to notify'}."
    if channels.get("substitute"):
        who = _people(channels["substitute"])
        flash += f" {who} no usable address: listed for substitute notice."
    if ready and starts_at <= utcnow() and channels.get("email"):
        flash += _send_here(request, staff, campaign_id)
    elif not embedded.sends_in_process(console_state(request).database):
        flash += " The workers send it from its start time."
    return redirect(
        request, CAMPAIGN.format(incident_id=incident_id, campaign_id=campaign_id), flash=flash
    )


def _move(request: Request, staff: Staff, incident_id: int, campaign_id: int, move: str):
    target, done = MOVES[move]
    try:
        with transaction(request) as db_session:
            campaign = _campaign_of(db_session, incident_id, campaign_id)
            service.change_state(
                db_session=db_session, campaign_id=campaign.id, state=target, actor=staff.email
            )
    except NotFound as found:
        return _missing(request, staff, found)
    except InputError as error:
        return _campaign_page(
            request, staff, incident_id, campaign_id, status=422, error=f"{error}.",
        )  # fmt: skip
    if move == "resume":
        done += _send_here(request, staff, campaign_id)
    return redirect(
        request, CAMPAIGN.format(incident_id=incident_id, campaign_id=campaign_id), flash=done
    )


@router.post(CAMPAIGN_PATH + "/pause")
def pause(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Stop claiming notices: the batch being sent finishes, nothing more goes."""
    return _move(request, staff, incident_id, campaign_id, "pause")


@router.post(CAMPAIGN_PATH + "/resume")
def resume(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Back to ready; what waited is sent."""
    return _move(request, staff, incident_id, campaign_id, "resume")


@router.post(CAMPAIGN_PATH + "/cancel")
def cancel(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Nothing more is sent; what was sent stays recorded."""
    return _move(request, staff, incident_id, campaign_id, "cancel")


@router.post(CAMPAIGN_PATH + "/run")
def run(
    request: Request,
    incident_id: int,
    campaign_id: int,
    staff: Staff = Depends(signed_in(Can.RUN_CAMPAIGNS)),
    fields: dict[str, str] = Form,
) -> Response:
    """Embedded mode: send the campaign's due emails from this web process now."""
    try:
        with transaction(request) as db_session:
            campaign = _campaign_of(db_session, incident_id, campaign_id)
            state = campaign.state
    except NotFound as found:
        return _missing(request, staff, found)
    url = CAMPAIGN.format(incident_id=incident_id, campaign_id=campaign_id)
    if not embedded.sends_in_process(console_state(request).database):
        return redirect(
            request, url, flash="On this server the workers (`breachdesk worker`) send "
            "campaigns as their waves come due: there is nothing to start here.",
        )  # fmt: skip
    if state is not CampaignState.READY:
        return redirect(
            request, url, flash=f"The campaign is {state.value}: nothing is sent until it is "
            "ready (resume it first).",
        )  # fmt: skip
    sentence = _send_here(request, staff, campaign_id)
    return redirect(request, url, flash=sentence.strip())
