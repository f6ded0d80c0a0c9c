"""The outbox viewer: emails captured in the embedded mode's Maildir, listed newest first
and shown as a recipient would see them, the HTML part in a sandboxed frame."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from breachdesk.delivery.senders import MaildirSender, OutgoingEmail
from tests.console.conftest import text_of
from tests.console.test_people import send_notices

HTML = (
    "<html><body><h1>We are sorry</h1><p>Your reference is ABCD-2345-EFGH.</p>"
    '<img src="https://tracker.example/pixel.gif"><script>alert(1)</script></body></html>'
)


def capture(data_dir: Path, subject: str, to: str = "ann.lee1@example.com") -> None:
    """An email as a campaign would send it, written to the capture folder."""
    message = EmailMessage()
    message["From"] = "Acme Health Supply <notice@mail.acme-health.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    message["Message-ID"] = f"<{abs(hash(subject))}@mail.acme-health.example>"
    message.set_content("Dear Ann,\nwe are sorry.\n")
    message.add_alternative(HTML, subtype="html")
    sender = MaildirSender(data_dir / "mail-capture")
    sender.send([OutgoingEmail(message["From"], to, message["Message-ID"], message.as_bytes())])
    sender.close()


def names(response) -> list[str]:
    return re.findall(r'href="/console/outbox/([^"/]+)"', response.text)


def test_the_outbox_lists_captured_emails_newest_first(as_persona, data_dir):
    capture(data_dir, "First notice")
    capture(data_dir, "Second notice", to="ann.lee2@example.com")
    page = as_persona("cam").get("/console/outbox")
    assert page.status_code == 200
    text = text_of(page)
    assert "2 captured emails" in text
    assert text.index("Second notice") < text.index("First notice")
    assert "2026-11-24 10:00 ann.lee2@example.com Second notice" in text


def test_an_email_is_shown_as_its_recipient_sees_it(as_persona, data_dir):
    capture(data_dir, "Notice of a data breach")
    cam = as_persona("cam")
    [name] = names(cam.get("/console/outbox"))
    page = cam.get(f"/console/outbox/{name}")
    assert page.status_code == 200
    text = text_of(page)
    assert "From Acme Health Supply &lt;notice@mail.acme-health.example&gt;" in text
    assert "To ann.lee1@example.com Subject Notice of a data breach" in text
    assert "Dear Ann, we are sorry." in text
    assert f'<iframe class="preview" sandbox src="/console/outbox/{name}/html"' in page.text


def test_the_html_part_is_served_sandboxed_for_the_console_frame_only(as_persona, data_dir):
    capture(data_dir, "Notice")
    cam = as_persona("cam")
    [name] = names(cam.get("/console/outbox"))
    html = cam.get(f"/console/outbox/{name}/html")
    assert html.status_code == 200
    assert "<h1>We are sorry</h1>" in html.text
    assert html.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    assert html.headers["x-frame-options"] == "SAMEORIGIN"
    assert html.headers["content-type"].startswith("text/html")


def test_a_campaign_sent_in_the_embedded_mode_shows_up(
    as_persona, run_cli, incident, tmp_path, database_url, data_dir
):
    from tests.delivery.conftest import import_people
    from tests.people.conftest import person

    import_people(run_cli, tmp_path, incident, [person(1)])
    send_notices(run_cli, incident, tmp_path, database_url, data_dir)
    cam = as_persona("cam")
    listing = cam.get("/console/outbox")
    assert "ann.lee1@example.com" in text_of(listing)
    [name] = names(listing)
    page = text_of(cam.get(f"/console/outbox/{name}"))
    assert "mail.acme-health.example" in page


def test_names_outside_the_capture_folder_are_not_found(as_persona, data_dir):
    capture(data_dir, "Notice")
    (data_dir / "secret.txt").write_text("not an email")
    cam = as_persona("cam")
    for name in ("%2E%2E", "..%2Fsecret.txt", ".hidden", "new", "nothing-here"):
        assert cam.get(f"/console/outbox/{name}").status_code == 404, name
        assert cam.get(f"/console/outbox/{name}/html").status_code == 404, name
    assert "There is no captured email" in text_of(cam.get("/console/outbox/nothing-here"))


def test_with_a_mail_relay_it_says_nothing_is_captured(as_persona, console_app):
    console = console_app.state.console
    console.settings = console.settings.model_copy(
        update={"smtp_url": SecretStr("smtp://relay.acme-health.example:25")}
    )
    text = text_of(as_persona("lena").get("/console/outbox"))
    assert "Emails are sent through the SMTP relay, so they are not captured here" in text


def test_agents_may_not_read_the_outbox(as_persona, data_dir):
    capture(data_dir, "Notice")
    assert as_persona("ada").get("/console/outbox").status_code == 403
