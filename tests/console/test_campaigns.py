"""The campaigns pages: create a campaign from approved templates, schedule a wave,
pause, resume and cancel it, and in embedded mode send it from the web process."""

from __future__ import annotations

import html
import mailbox
import time
from datetime import timedelta

import pytest

from breachdesk import main
from breachdesk.db import utcnow
from breachdesk.delivery import embedded
from tests.console.conftest import text_of as page_text
from tests.delivery.conftest import WITH_EMAIL, approve_default_template, everyone, import_people


def text_of(response) -> str:
    """The page's text as a reader sees it, quotes and all."""
    return html.unescape(page_text(response))


def _url(incident: int, campaign: int | str | None = None, tail: str = "") -> str:
    base = f"/console/incidents/{incident}/campaigns"
    return base + (f"/{campaign}" if campaign is not None else "") + tail


def _wait_for_sending(console_app, campaign: int) -> embedded.EmbeddedRun:
    run = embedded.latest_run(console_app.state.console.database, campaign)
    assert run is not None, "nothing was started"
    assert run.wait(60), "the run did not end in 60 s"
    assert run.error is None, run.error
    return run


def _captured(data_dir) -> list:
    folder = data_dir / "mail-capture"
    return list(mailbox.Maildir(folder, create=False)) if folder.exists() else []


@pytest.fixture
def ready(run_cli, incident, tmp_path) -> int:
    """The incident, with an approved English template and eight people imported."""
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, everyone())
    return incident


def _create(lena, incident: int) -> int:
    created = lena.post(_url(incident), {"kind": "initial", "channel": "email"})
    assert created.status_code == 303, text_of(created)
    return int(created.headers["location"].rsplit("/", 1)[1])


def test_a_campaign_without_an_approved_template_is_refused_with_the_reason(
    as_persona, incident
) -> None:
    refused = as_persona("lena").post(_url(incident), {"kind": "initial", "channel": "email"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "The campaign was not created: no approved initial template in 'en'" in page
    assert "legal_approver and a comms_approver" in page


def test_lena_creates_schedules_pauses_resumes_and_sends_a_campaign(
    as_persona, console_app, ready, data_dir, run_cli, database_url
) -> None:
    lena = as_persona("lena")
    campaign = _create(lena, ready)
    page = text_of(lena.get(_url(ready, campaign)))
    assert "Campaign 1: initial notice" in page and "No wave scheduled yet" in page

    # Paused first, so the wave waits: nothing leaves until lena resumes.
    assert lena.post(_url(ready, campaign, "/pause")).status_code == 303
    scheduled = lena.post(_url(ready, campaign, "/waves"), {"size": "", "rate": "50"})
    assert scheduled.status_code == 303
    page = text_of(lena.get(scheduled.headers["location"]))
    assert f"Wave 1 scheduled: {WITH_EMAIL} email, 1 letter, 1 substitute" in page
    assert "is paused" in page and "50 a second" in page
    assert _captured(data_dir) == []

    resumed = text_of(lena.get(lena.post(_url(ready, campaign, "/resume")).headers["location"]))
    if database_url.startswith("sqlite"):  # embedded: this web process sends
        assert "Sending has started from this server" in resumed
        run = _wait_for_sending(console_app, campaign)
        assert run.summary.outcomes["sent"] == WITH_EMAIL
    else:  # the workers send, as `campaign run` does here
        assert "Resumed" in resumed and "from this server" not in resumed
        assert run_cli("campaign", "run", campaign).exit_code == 0
    assert len(_captured(data_dir)) == WITH_EMAIL

    status = lena.get(_url(ready, campaign, "/status"))
    assert status.text.lstrip().startswith('<section id="campaign-status"')
    assert 'hx-trigger="every 10s"' in status.text and "<progress" in status.text
    shown = text_of(status)
    assert f"{WITH_EMAIL} of {WITH_EMAIL + 2} notices done ({WITH_EMAIL} sent)" in shown
    assert "(US-TX): behind" in shown
    if database_url.startswith("sqlite"):
        assert "Last sending from this server ended" in shown and f": {WITH_EMAIL} sent" in shown
    listing = text_of(lena.get(_url(ready)))
    assert "Campaign 1" in listing and "ready" in listing

    events = run_cli("audit", "export").output
    assert '"campaign.wave_scheduled"' in events and '"campaign.run"' in events
    assert events.count('"campaign.state_changed"') == 2


def test_in_embedded_mode_a_wave_scheduled_elsewhere_is_sent_when_lena_asks(
    as_persona, console_app, ready, data_dir, run_cli, database_url
) -> None:
    lena = as_persona("lena")
    campaign = _create(lena, ready)
    # Due at once: the web process's own loop may start sending before lena asks; either
    # way everyone is told exactly once.
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    sent = lena.post(_url(ready, campaign, "/run"))
    assert sent.status_code == 303
    if not database_url.startswith("sqlite"):
        assert "the workers (`breachdesk worker`) send" in text_of(
            lena.get(sent.headers["location"])
        )
        return
    _wait_for_sending(console_app, campaign)
    assert len(_captured(data_dir)) == WITH_EMAIL
    # Nobody is told twice: a second wave finds no one left.
    again = lena.post(_url(ready, campaign, "/waves"), {})
    assert "nobody is left to notify" in text_of(lena.get(again.headers["location"]))


def test_in_embedded_mode_a_wave_scheduled_for_later_goes_out_when_it_comes_due(
    as_persona, console_app, ready, data_dir, database_url, monkeypatch
) -> None:
    monkeypatch.setattr(main, "DESK_MAIL_INTERVAL", 0.5)  # the loop's pause between checks
    lena = as_persona("lena")
    campaign = _create(lena, ready)
    start = (utcnow() + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S")
    assert lena.post(_url(ready, campaign, "/waves"), {"start": start}).status_code == 303
    assert _captured(data_dir) == []  # not yet due
    if not database_url.startswith("sqlite"):
        return  # the workers send on PostgreSQL (tests/delivery/test_worker.py)
    deadline = time.monotonic() + 30
    while len(_captured(data_dir)) < WITH_EMAIL:
        assert time.monotonic() < deadline, "the due wave was not sent within 30 s"
        time.sleep(0.2)
    _wait_for_sending(console_app, campaign)
    assert len(_captured(data_dir)) == WITH_EMAIL


def test_a_wrong_wave_is_refused_with_the_reason(as_persona, ready) -> None:
    lena = as_persona("lena")
    campaign = _create(lena, ready)
    refused = lena.post(_url(ready, campaign, "/waves"), {"size": "0", "start": "soon"})
    assert refused.status_code == 422
    assert "The wave was not scheduled: Start: 'soon' is not a date and time" in text_of(refused)
    assert 'value="soon"' in refused.text
    cancelled = lena.post(_url(ready, campaign, "/cancel"))
    assert "Cancelled" in text_of(lena.get(cancelled.headers["location"]))
    again = lena.post(_url(ready, campaign, "/resume"))
    assert again.status_code == 422 and "cancelled: it cannot become ready" in text_of(again)


def test_a_comms_approver_may_not_create_a_campaign_nor_see_them(as_persona, ready) -> None:
    cam = as_persona("cam")
    assert cam.post(_url(ready), {"kind": "initial", "channel": "email"}).status_code == 403
    assert cam.get(_url(ready)).status_code == 403


def test_the_auditor_sees_campaigns_but_cannot_run_them(as_persona, ready) -> None:
    campaign = _create(as_persona("lena"), ready)
    otto = as_persona("otto")
    page = otto.get(_url(ready, campaign))
    assert page.status_code == 200 and "Pause sending" not in text_of(page)
    assert otto.post(_url(ready, campaign, "/pause")).status_code == 403
