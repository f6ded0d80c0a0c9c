"""The webhook Amazon SNS posts Amazon SES events to: ``POST /hooks/ses``.

The app's state carries what the route needs: ``database``; ``ses_sns_topic_arns``,
the SNS topics whose messages are accepted (none by default: every message is refused
until the operator names the topic); ``sns_certificate_fetcher`` and
``sns_subscribe_getter``, replaced in tests, by default HTTPS requests with a 10 s
timeout.

Status codes follow what SNS does with them: it retries server-side errors only, as
the subscription's delivery policy says (by default three times, 20 s apart). So a
message that will never be good (not JSON, not signed by SNS, from another topic) gets
a 4xx, and one that may be good later (no signing certificate to be had just now, a
database error) a 5xx.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from breachdesk.db import utcnow
from breachdesk.delivery.ses import (
    SnsRejected,
    confirm_subscription,
    fetch_sns_certificate,
    is_sns_url,
    record_ses_notification,
    verify_sns_message,
)

MAX_BODY = 256 * 1024  # SNS messages are at most 256 KiB

router = APIRouter()


@router.post("/hooks/ses", include_in_schema=False)
async def ses_hook(request: Request) -> JSONResponse:
    """Bounces and complaints from SES, by way of an SNS subscription."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return _answer(413, detail=f"the body is over {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _answer(413, detail=f"the body is over {MAX_BODY} bytes")
    # Fetching a certificate and writing to the database block: off the event loop.
    return await run_in_threadpool(_handle, request.app.state, bytes(body))


def _handle(state: State, body: bytes) -> JSONResponse:
    try:
        message = json.loads(body)
    except ValueError:
        return _answer(400, detail="the body is not JSON")
    if not isinstance(message, dict):
        return _answer(400, detail="the body is not an SNS message")
    try:
        verify_sns_message(
            message, getattr(state, "sns_certificate_fetcher", fetch_sns_certificate)
        )
    except SnsRejected as error:
        return _answer(403, detail=str(error))
    except OSError:
        return _answer(503, detail="the SNS signing certificate could not be fetched")
    if message["TopicArn"] not in (getattr(state, "ses_sns_topic_arns", None) or ()):
        # Anyone can create an SNS topic and subscribe this URL to it; its messages are
        # signed by SNS all the same. Only the operator's own topics are believed.
        return _answer(
            403, detail="this SNS topic is not in BREACHDESK_SES_SNS_TOPIC_ARNS; ignored"
        )
    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        url = message["SubscribeURL"]
        if not is_sns_url(url):
            return _answer(400, detail="the SubscribeURL is not https on an Amazon SNS host")
        try:
            getattr(state, "sns_subscribe_getter", confirm_subscription)(url)
        except OSError:
            return _answer(502, detail="the SubscribeURL could not be visited: confirm in SNS")
        return _answer(200, type=kind, subscribed=True)
    if kind != "Notification":
        return _answer(200, type=kind)  # an UnsubscribeConfirmation: nothing to do
    with state.database.session() as db_session:
        counts = record_ses_notification(db_session=db_session, message=message, now=utcnow())
    return _answer(200, type=kind, counts=dict(counts))


def _answer(status: int, **content: Any) -> JSONResponse:
    return JSONResponse(content, status)
