"""The desk's JSON API as an agent's tools use it: the queue, replies, the library and
bulk replies, each call checked against the caller's role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from breachdesk.config import get_settings
from breachdesk.desk.suggest import KeywordRanker
from breachdesk.main import create_app

QUESTIONS = {
    "ssn-involved": (
        "Was my Social Security number taken?",
        "Your Social Security number was stored encrypted, and the key was not taken.",
    ),
    "credit-monitoring": (
        "How do I enrol in free credit monitoring?",
        "Use the activation code on your letter on our portal's credit monitoring page.",
    ),
}


@pytest.fixture
def api(settings_env, listed, staff, run_cli, monkeypatch) -> Iterator:
    """A client, and each persona's Authorization header."""
    monkeypatch.setenv("BREACHDESK_PORTAL_INCIDENT", str(listed))
    headers = {}
    for persona, user in staff.items():
        made = run_cli("user", "token", user.email)
        headers[persona] = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    with TestClient(create_app(get_settings()), base_url="http://127.0.0.1:8000") as client:
        client.app.state.ranker = KeywordRanker  # deterministic and quick
        yield client, headers


def library(client, headers, incident) -> dict[str, int]:
    ids = {}
    for key, (question, answer) in QUESTIONS.items():
        saved = client.post(
            f"/api/incidents/{incident}/answers",
            headers=headers["lena"],
            json={"key": key, "language": "en", "question": question, "answer": answer},
        )
        assert saved.status_code == 201, saved.text
        ids[key] = saved.json()["id"]
        for approver in ("lou", "cam"):
            signed = client.post(f"/api/answers/{ids[key]}/approve", headers=headers[approver])
            assert signed.status_code == 200, signed.text
        assert signed.json()["approved"] is True
    return ids


def ask(client, message: str) -> str:
    made = client.post(
        "/api/portal/inquiries",
        json={"name": "Ann", "email": "ann@example.com", "message": message},
    )
    assert made.status_code == 201, made.text
    return made.json()["ticket"]


def test_the_queue_lists_open_inquiries_with_their_clocks(api, listed):
    client, headers = api
    first, second = ask(client, "first question"), ask(client, "second question")
    queue = client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json()
    assert [row["ticket"] for row in queue] == [first, second]
    assert queue[0]["clocks"]["state"] == "ok" and queue[0]["clocks"]["acknowledged_at"]
    detail = client.get(f"/api/inquiries/{queue[0]['id']}", headers=headers["ada"]).json()
    assert detail["email"] == "ann@example.com"
    assert detail["messages"][0] == detail["messages"][0] | {
        "direction": "in",
        "body": "first question",
    }


def test_an_agent_replies_with_the_suggested_answer(api, listed):
    client, headers = api
    ids = library(client, headers, listed)
    ask(client, "hi, was my social security number stolen in this?")
    inquiry = client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json()[0]
    suggested = client.get(f"/api/inquiries/{inquiry['id']}/suggestions", headers=headers["ada"])
    assert suggested.json()[0]["answer_id"] == ids["ssn-involved"]

    sent = client.post(
        f"/api/inquiries/{inquiry['id']}/replies",
        headers=headers["ada"],
        json={"answer_id": ids["ssn-involved"]},
    )
    assert sent.status_code == 201 and sent.json()["released"] is True
    assert client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json() == []


def test_only_approvers_approve_and_only_a_second_person_releases(api, listed):
    client, headers = api
    draft = client.post(
        f"/api/incidents/{listed}/answers",
        headers=headers["lena"],
        json={"key": "hours", "language": "en", "question": "When are you open?",
              "answer": "Every day, 8am to 8pm Central."},
    ).json()  # fmt: skip
    refused = client.post(f"/api/answers/{draft['id']}/approve", headers=headers["ada"])
    assert refused.status_code == 403
    agent_writes = client.post(
        f"/api/incidents/{listed}/answers",
        headers=headers["ada"],
        json={"key": "hours", "language": "en", "question": "Open?", "answer": "Always."},
    )
    assert agent_writes.status_code == 403

    ask(client, "Can I call you at the weekend?")
    inquiry = client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json()[0]
    held = client.post(
        f"/api/inquiries/{inquiry['id']}/replies",
        headers=headers["ada"],
        json={"text": "Yes, we are open at weekends.", "resolve": False},
    ).json()
    assert held["released"] is False
    waiting = client.get(f"/api/incidents/{listed}/held-replies", headers=headers["lou"]).json()
    assert [row["message"] for row in waiting] == [held["message"]]
    assert (
        client.post(
            f"/api/held-replies/{held['message']}/release", headers=headers["ada"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/held-replies/{held['message']}/release", headers=headers["lou"]
        ).status_code
        == 204
    )
    assert client.get(f"/api/incidents/{listed}/held-replies", headers=headers["lou"]).json() == []


def test_other_phrasings_of_a_question_are_approved_with_it_and_then_find_it(api, listed):
    client, headers = api
    ids = library(client, headers, listed)
    ask(client, "is my nine digit government id out there now")

    def first_suggestion() -> int:
        inquiry = client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json()
        suggested = client.get(
            f"/api/inquiries/{inquiry[0]['id']}/suggestions", headers=headers["ada"]
        )
        return suggested.json()[0]["answer_id"]

    assert first_suggestion() != ids["ssn-involved"]  # shares no word with it
    question, answer = QUESTIONS["ssn-involved"]
    phrasings = ["Is my nine digit government ID out there?", question.upper()]
    saved = client.post(
        f"/api/incidents/{listed}/answers",
        headers=headers["lena"],
        json={"key": "ssn-involved", "language": "en", "question": question,
              "answer": answer, "also_asked": phrasings},
    )  # fmt: skip
    assert saved.status_code == 201, saved.text
    new_version = saved.json()
    # The repeat of the question is dropped; the rest is a new version to approve.
    assert new_version["also_asked"] == phrasings[:1]
    assert new_version["version"] == 2 and new_version["approved"] is False
    assert first_suggestion() not in (ids["ssn-involved"], new_version["id"])  # not yet approved
    for approver in ("lou", "cam"):
        client.post(f"/api/answers/{new_version['id']}/approve", headers=headers[approver])
    assert first_suggestion() == new_version["id"]


@pytest.mark.parametrize(
    "phrasings", [["ok"], ["x" * 501], ["a fine one"] * 21, "one string, not a list"]
)
def test_unusable_phrasings_are_refused_naming_the_field(api, listed, phrasings):
    client, headers = api
    refused = client.post(
        f"/api/incidents/{listed}/answers",
        headers=headers["lena"],
        json={"key": "hours", "language": "en", "question": "When are you open?",
              "answer": "Every day, 8am to 8pm Central.", "also_asked": phrasings},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "also_asked" in refused.text


def test_a_bulk_reply_previews_then_answers_each_match(api, listed):
    client, headers = api
    ids = library(client, headers, listed)
    for message in (
        "was my SSN taken",
        "Social Security number stolen?",
        "how to enrol monitoring",
    ):
        ask(client, message)
    preview = client.post(
        "/api/bulk-replies/preview",
        headers=headers["ada"],
        json={"answer_id": ids["ssn-involved"], "min_score": 0},
    ).json()
    assert len(preview) == 2
    sent = client.post(
        "/api/bulk-replies",
        headers=headers["ada"],
        json={"answer_id": ids["ssn-involved"], "inquiry_ids": [row["inquiry"] for row in preview]},
    )
    assert sent.status_code == 201 and sent.json()["answered"] == 2
    remaining = client.get(f"/api/incidents/{listed}/inquiries", headers=headers["ada"]).json()
    assert [row["subject"] for row in remaining] == ["how to enrol monitoring"]


def test_the_api_is_described_by_openapi(api):
    client, _headers = api
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/portal/verify", "/api/portal/lookup", "/api/portal/inquiries",
                 "/api/incidents/{incident_id}/inquiries", "/api/bulk-replies"):  # fmt: skip
        assert path in spec["paths"]
