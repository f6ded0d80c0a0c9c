"""The desk from the command line: the shipped answer library, sign-off, the queue and
sending the desk's emails."""

from __future__ import annotations

import json
import mailbox

from breachdesk.desk.models import InquirySource
from breachdesk.desk.schemas import InquiryIn
from breachdesk.desk.service import receive_inquiry
from breachdesk.incidents.models import Incident
from tests.factories import PASSWORD


def approve_all(run_cli, tmp_path, incident) -> None:
    listed = json.loads(run_cli("desk", "answer", "list", "--incident", incident, "--json").output)
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    ids = [str(row["id"]) for row in listed]
    for persona in ("lou", "cam"):
        signed = run_cli(
            "desk", "answer", "approve", *ids,
            "--user", f"{persona}@acme-health.example", "--password-file", secret,
        )  # fmt: skip
        assert signed.exit_code == 0, signed.output


def test_the_shipped_library_is_saved_then_approved_by_both(run_cli, incident, staff, tmp_path):
    saved = run_cli("desk", "answer", "save", "--incident", incident)
    assert saved.exit_code == 0, saved.output
    assert "acknowledgement (es) v1: needs approval" in saved.output
    approve_all(run_cli, tmp_path, incident)
    listed = json.loads(run_cli("desk", "answer", "list", "--incident", incident, "--json").output)
    assert listed and all(row["approved"] for row in listed)
    # The shipped entries come with other ways customers ask each question.
    faq = [row for row in listed if not row["key"].startswith("acknowledgement")]
    assert faq and all(len(row["also_asked"]) >= 2 for row in faq)
    again = run_cli("desk", "answer", "save", "--incident", incident)
    assert "v2" not in again.output  # unchanged wording is not a new version


def test_a_library_file_with_a_mistake_is_refused_with_where(run_cli, incident, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("- key: Bad Key\n  language: en\n  question: Q?\n  answer: A.\n")
    refused = run_cli("desk", "answer", "save", path, "--incident", incident)
    assert refused.exit_code == 2
    assert "answer 1" in refused.output and "key" in refused.output


def test_a_phrasing_that_is_not_a_list_of_questions_is_refused_with_where(
    run_cli, incident, tmp_path
):
    path = tmp_path / "answers.yaml"
    path.write_text(
        "- key: hours\n  language: en\n  question: When are you open?\n"
        "  also_asked: [When can I call?, ok]\n  answer: Every day, 8am to 8pm.\n"
    )
    refused = run_cli("desk", "answer", "save", path, "--incident", incident)
    assert refused.exit_code == 2
    assert "answer 1" in refused.output and "also_asked" in refused.output


def test_the_queue_and_send_mail_deliver_the_acknowledgement(
    run_cli, incident, staff, tmp_path, session, keyring, data_dir
):
    run_cli("desk", "answer", "save", "--incident", incident)
    approve_all(run_cli, tmp_path, incident)
    receive_inquiry(
        db_session=session,
        keyring=keyring,
        incident=session.get(Incident, incident),
        inquiry_in=InquiryIn(name="Bo", email="bo@example.com", message="Is this real?"),
        source=InquirySource.PORTAL,
        actor="portal",
    )
    session.commit()
    queue = run_cli("desk", "queue", "--incident", incident)
    assert "Is this real?" in queue.output and "1 open" in queue.output

    sent = run_cli("desk", "send-mail")
    assert sent.exit_code == 0 and "1 sent" in sent.output
    captured = list(mailbox.Maildir(data_dir / "mail-capture"))
    assert len(captured) == 1 and "received your question" in captured[0]["Subject"]
    assert "0 sent" in run_cli("desk", "send-mail").output
