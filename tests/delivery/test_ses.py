"""Sending with Amazon SES, against a local fake of its API, and reading the bounces and
complaints SES reports through Amazon SNS, signed as SNS signs them."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from breachdesk.audit import service as audit
from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.delivery.bounces import Bounce
from breachdesk.delivery.models import MessageState, OutboxMessage
from breachdesk.delivery.runner import run_campaign
from breachdesk.delivery.senders import OutgoingEmail
from breachdesk.delivery.ses import (
    Complaint,
    SesSender,
    SnsRejected,
    confirm_subscription,
    fetch_sns_certificate,
    ses_events,
    sign_v4,
    signing_key,
    verify_sns_message,
)
from breachdesk.delivery.views import router
from breachdesk.inputs import InputError
from breachdesk.security.crypto import load_keyring
from tests.delivery.conftest import WITH_EMAIL
from tests.delivery.fake_ses import (
    ACCESS_KEY_ID,
    CERT_URL,
    REGION,
    SECRET_ACCESS_KEY,
    TOPIC_ARN,
    FakeSes,
    SnsSigner,
    ses_event,
)

SENDER = "notice@mail.acme-health.example"


@pytest.fixture
def fake() -> Iterator[FakeSes]:
    server = FakeSes().start()
    try:
        yield server
    finally:
        server.stop()


def ses_sender(fake: FakeSes, **changes: object) -> SesSender:
    options: dict[str, object] = {
        "region": REGION,
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "endpoint": fake.url,
    }
    return SesSender(**(options | changes))  # type: ignore[arg-type]


def email(number: int, recipient: str | None = None) -> OutgoingEmail:
    recipient = recipient or f"ann.lee{number}@example.com"
    message_id = f"<{number:032x}@mail.acme-health.example>"
    data = (
        f"From: Acme Health Supply <{SENDER}>\r\nTo: {recipient}\r\n"
        f"Subject: Notice of Data Breach\r\nMessage-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Dear Ann,\r\nWe are writing about notice {number}. \xe9t\xe9\r\n"
    ).encode()
    return OutgoingEmail(SENDER, recipient, message_id, data)


# -- Signature Version 4, against the values AWS publishes ------------------------------

AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_the_signing_key_is_the_one_the_aws_documentation_derives() -> None:
    key = signing_key(AWS_EXAMPLE_SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


@pytest.mark.parametrize(
    ("method", "url", "headers", "service", "signed", "signature"),
    [
        # The IAM ListUsers example of the SigV4 documentation.
        (
            "GET",
            "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            "iam",
            "content-type;host;x-amz-date",
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
        # get-vanilla and post-vanilla of the AWS SigV4 test suite.
        (
            "GET",
            "https://example.amazonaws.com/",
            {},
            "service",
            "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "https://example.amazonaws.com/",
            {},
            "service",
            "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ],
)
def test_requests_are_signed_as_the_published_aws_examples_are(
    method, url, headers, service, signed, signature
) -> None:
    result = sign_v4(
        method=method,
        url=url,
        headers=headers,
        body=b"",
        region="us-east-1",
        service=service,
        access_key_id="AKIDEXAMPLE",
        secret_access_key=AWS_EXAMPLE_SECRET,
        session_token=None,
        now=datetime(2015, 8, 30, 12, 36, tzinfo=UTC),
    )
    assert result["x-amz-date"] == "20150830T123600Z"
    assert result["authorization"] == (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/{service}/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    )


# -- The sender ------------------------------------------------------------------------


def test_a_batch_lands_byte_identical_with_our_message_ids(fake) -> None:
    sender = ses_sender(fake, configuration_set="breachdesk-notices", concurrency=4)
    batch = [email(number) for number in range(1, 7)]
    results = sender.send(batch)
    assert [result.state for result in results] == ["sent"] * 6
    assert all(result.detail.startswith("ses message id 0102fake") for result in results)
    by_recipient = {received.recipient: received for received in fake.received}
    for outgoing in batch:
        received = by_recipient[outgoing.recipient]
        assert received.data == outgoing.data
        assert message_from_bytes(received.data)["Message-ID"] == outgoing.message_id
        assert (received.envelope_from, received.configuration_set) == (
            SENDER,
            "breachdesk-notices",
        )
    assert {"content-type", "host", "x-amz-date"} <= set(fake.signed_headers)
    # Connections are kept open and reused, and the sender works again after close().
    assert len(fake.connections) <= 4
    sender.close()
    assert [result.state for result in sender.send([email(7)])] == ["sent"]
    sender.close()


def test_a_session_token_is_sent_and_signed() -> None:
    fake = FakeSes(session_token="FwoGZXIvYXdzEFAKE//token").start()
    try:
        with_token = ses_sender(fake, session_token="FwoGZXIvYXdzEFAKE//token")
        assert with_token.send([email(1)])[0].state == "sent"
        assert "x-amz-security-token" in fake.signed_headers
        without = ses_sender(fake)
        (result,) = without.send([email(2)])
        assert result.state == "deferred" and "SignatureDoesNotMatch" in result.detail
        with_token.close()
        without.close()
    finally:
        fake.stop()


def test_a_wrong_secret_defers_the_batch_and_names_the_error_without_the_credentials() -> None:
    fake = FakeSes(session_token="FwoGZXIvYXdzEFAKE//token").start()
    try:
        sender = ses_sender(
            fake, secret_access_key="not-the-secret", session_token="FwoGZXIvYXdzEFAKE//token"
        )
        results = sender.send([email(1), email(2)])
        sender.close()
    finally:
        fake.stop()
    # A signature refusal is a configuration problem, not the message's: `failed` would
    # send the person's notice by letter, when fixing the keys lets the email go on the
    # runner's next try. So every message is deferred, with the reason for the record.
    assert [result.state for result in results] == ["deferred", "deferred"]
    for result in results:
        assert result.detail.startswith("ses 403 SignatureDoesNotMatch: The request signature")
        assert "x-amz-security-token:***" in result.detail  # AWS echoes what was signed
        assert "FwoGZXIvYXdzEFAKE" not in result.detail and ACCESS_KEY_ID not in result.detail
        assert len(result.detail) <= 500
    assert fake.received == []


@pytest.mark.parametrize(
    ("refusal", "state", "detail"),
    [
        ("rejected", "failed", "ses 400 MessageRejected: Email address is not verified."),
        ("bad request", "failed", "ses 400 BadRequestException: Illegal header."),
        ("throttled", "deferred", "ses 429 TooManyRequestsException: Maximum sending rate"),
        ("error", "deferred", "ses 500 InternalFailure: The request processing has failed."),
        ("paused", "deferred", "ses 400 SendingPausedException: Sending is paused"),
    ],
)
def test_each_refusal_has_its_outcome(fake, refusal, state, detail) -> None:
    fake.refuse["bad@example.com"] = refusal
    sender = ses_sender(fake)
    results = sender.send([email(1), email(2, "bad@example.com"), email(3)])
    sender.close()
    assert [result.state for result in results] == ["sent", state, "sent"]
    assert results[1].detail.startswith(detail)
    assert sorted(received.recipient for received in fake.received) == [
        "ann.lee1@example.com",
        "ann.lee3@example.com",
    ]


def test_results_keep_the_batch_order_under_concurrency(fake) -> None:
    batch = [email(number) for number in range(1, 9)]
    for position, outgoing in enumerate(batch):
        fake.delay[outgoing.recipient] = 0.05 * (len(batch) - position)  # the first is slowest
    fake.refuse[batch[2].recipient] = "rejected"
    fake.refuse[batch[5].recipient] = "throttled"
    sender = ses_sender(fake, concurrency=8)
    results = sender.send(batch)
    sender.close()
    assert fake.most_in_flight > 1
    states = ["sent"] * 8
    states[2], states[5] = "failed", "deferred"
    assert [result.state for result in results] == states
    # Each "sent" carries the id the fake gave that very message.
    ids = {received.recipient: received.message_id for received in fake.received}
    for outgoing, result in zip(batch, results, strict=True):
        if result.state == "sent":
            assert result.detail == f"ses message id {ids[outgoing.recipient]}"
    # The fake finished the last message first: its results are in the batch's order.
    assert fake.received[0].recipient == batch[-1].recipient


def test_an_endpoint_that_does_not_answer_in_time_defers(fake) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    sender = ses_sender(fake, endpoint=f"http://127.0.0.1:{closed}")
    results = sender.send([email(1), email(2)])
    sender.close()
    assert [result.state for result in results] == ["deferred", "deferred"]
    assert results[0].detail.startswith("ses not reached:")

    fake.delay["ann.lee1@example.com"] = 1.0
    slow = ses_sender(fake, timeout=0.2)
    (result,) = slow.send([email(1)])
    slow.close()
    assert result.state == "deferred" and "timed out" in result.detail


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"endpoint": "http://email.eu-west-1.amazonaws.com"}, "BREACHDESK_SES_ENDPOINT"),
        ({"endpoint": "http://10.0.0.8:8080"}, "BREACHDESK_SES_ENDPOINT"),
        ({"endpoint": "https://vpce.example/v2"}, "BREACHDESK_SES_ENDPOINT"),
        ({"region": ""}, "BREACHDESK_SES_REGION"),
        ({"region": "eu-west-1.evil.example/"}, "BREACHDESK_SES_REGION"),
        ({"access_key_id": ""}, "BREACHDESK_SES_ACCESS_KEY_ID"),
        ({"secret_access_key": ""}, "BREACHDESK_SES_SECRET_ACCESS_KEY"),
    ],
)
def test_settings_it_cannot_work_with_are_refused_at_once(changes, setting) -> None:
    options = {
        "region": REGION,
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
    }
    with pytest.raises(InputError, match=setting) as refused:
        SesSender(**(options | changes))
    assert SECRET_ACCESS_KEY not in str(refused.value)


def test_loopback_http_and_the_regional_default_are_accepted() -> None:
    options = {
        "region": REGION,
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
    }
    assert SesSender(**options).endpoint == f"https://email.{REGION}.amazonaws.com"
    assert SesSender(**options, endpoint="http://localhost:4566").endpoint.startswith("http:")


# -- SNS signatures and SES events ---------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_sns_signatures_of_both_versions_verify(version) -> None:
    signer = SnsSigner()
    event = ses_event("Bounce", "<a1@mail.acme-health.example>", "ann.lee1@example.com")
    verify_sns_message(signer.notification(event, version=version), signer.fetch)
    verify_sns_message(signer.subscription_confirmation(), signer.fetch)
    assert signer.fetched == [CERT_URL, CERT_URL]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Message": '{"eventType": "Bounce"}'}, "does not verify"),
        ({"TopicArn": "arn:aws:sns:eu-west-1:999999999999:other"}, "does not verify"),
        ({"SignatureVersion": "3"}, "SignatureVersion"),
        ({"Signature": "not base64!"}, "not base64"),
        ({"SigningCertURL": "http://sns.eu-west-1.amazonaws.com/cert.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.eu-west-1.amazonaws.com.evil.example/c.pem"}, "SNS host"),
        ({"SigningCertURL": "https://evil.example/sns.eu-west-1.amazonaws.com.pem"}, "SNS host"),
        ({"Type": "Gossip"}, "Type"),
    ],
)
def test_an_sns_message_not_shown_to_come_from_sns_is_refused(change, reason) -> None:
    signer = SnsSigner()
    event = ses_event("Bounce", "<a1@mail.acme-health.example>", "ann.lee1@example.com")
    with pytest.raises(SnsRejected, match=reason):
        verify_sns_message(signer.notification(event, version=2) | change, signer.fetch)
    assert all(url == CERT_URL for url in signer.fetched)  # no other host was asked


@pytest.mark.parametrize("style", ["event publishing", "identity notification"])
def test_ses_events_name_the_notice_by_our_message_id(style) -> None:
    signer = SnsSigner()
    ours = "<a1@mail.acme-health.example>"

    def events(kind: str, **options: str) -> list:
        event = ses_event(kind, ours, "ann.lee1@example.com", style=style, **options)
        return ses_events(signer.notification(event))

    (bounce,) = events("Bounce")
    assert bounce == Bounce(
        message_id=ours,
        action="failed",
        status="5.1.1",
        recipient="ann.lee1@example.com",
        diagnostic="smtp; 550 5.1.1 user unknown",
    )
    assert [event.action for event in events("Bounce", bounce_type="Transient")] == ["delayed"]
    assert [event.action for event in events("Bounce", bounce_type="Undetermined")] == ["delayed"]
    assert events("Complaint") == [Complaint(ours, "ann.lee1@example.com", "abuse")]
    assert events("Delivery") == []


def test_the_message_id_falls_back_to_the_common_headers_with_brackets() -> None:
    event = ses_event("Bounce", "<a1@mail.acme-health.example>", "ann.lee1@example.com")
    event["mail"]["headers"] = []  # headers not included
    (bounce,) = ses_events(SnsSigner().notification(event))
    assert bounce.message_id == "<a1@mail.acme-health.example>"  # as the outbox stores it


# -- The webhook ---------------------------------------------------------------------------


@pytest.fixture
def signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def visited() -> list[str]:
    return []


@pytest.fixture
def hook(database: Database, signer: SnsSigner, visited: list[str]) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.state.database = database
    app.state.sns_certificate_fetcher = signer.fetch
    app.state.sns_subscribe_getter = visited.append
    app.state.ses_sns_topic_arns = {TOPIC_ARN}
    with TestClient(app) as client:
        yield client


@pytest.fixture
def sent(run_cli, ready, database: Database, fake: FakeSes) -> dict[str, str]:
    """A campaign's emails sent through SES (the fake): each recipient's Message-ID."""
    campaign = run_cli("campaign", "create", "--incident", ready).output.strip()
    assert run_cli("campaign", "wave", campaign).exit_code == 0
    summary = run_campaign(
        database=database,
        keyring=load_keyring(get_settings()),
        campaign_id=int(campaign),
        sender=ses_sender(fake),
        actor="test:lena@acme-health.example",
    )
    assert dict(summary.outcomes) == {"sent": WITH_EMAIL}
    return {
        received.recipient: message_from_bytes(received.data)["Message-ID"]
        for received in fake.received
    }


def post(client: TestClient, message: dict) -> tuple[int, dict]:
    response = client.post(
        "/hooks/ses",
        content=json.dumps(message),
        headers={"content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "x"},
    )
    return response.status_code, response.json()


def row(database: Database, message_id: str) -> OutboxMessage:
    with database.session() as db_session:
        return db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.message_id == message_id)
        ).one()


def letters(database: Database) -> list[tuple[int, str]]:
    with database.session() as db_session:
        return list(
            db_session.execute(
                select(OutboxMessage.person_id, OutboxMessage.state).where(
                    OutboxMessage.channel == "letter"
                )
            ).all()
        )


def provider_events(database: Database) -> list[dict]:
    with database.session() as db_session:
        return [
            event["payload"]
            for event in audit.export(db_session=db_session)
            if event["event_type"] == "campaign.provider_events_recorded"
        ]


def test_a_permanent_bounce_marks_the_notice_and_queues_a_letter(hook, sent, signer, database):
    ann = sent["ann.lee1@example.com"]
    letters_before = letters(database)
    notification = signer.notification(ses_event("Bounce", ann, "ann.lee1@example.com"))
    assert post(hook, notification) == (
        200,
        {"type": "Notification", "counts": {"bounced": 1, "queued on the next channel": 1}},
    )
    bounced = row(database, ann)
    assert bounced.state is MessageState.BOUNCED
    assert "5.1.1" in bounced.last_error and "user unknown" in bounced.last_error
    assert letters(database) == [*letters_before, (bounced.person_id, "queued")]
    assert provider_events(database) == [
        {
            "provider": "ses",
            "counts": {"bounced": 1, "queued on the next channel": 1},
            "complaints": 0,
        }
    ]
    # The same notification again (SNS retries) changes nothing.
    assert post(hook, notification) == (
        200,
        {"type": "Notification", "counts": {"already recorded": 1}},
    )
    assert row(database, ann).state is MessageState.BOUNCED
    assert letters(database) == [*letters_before, (bounced.person_id, "queued")]
    others = [row(database, message_id).state for message_id in sent.values()]
    assert sorted(others) == ["bounced"] + ["sent"] * (WITH_EMAIL - 1)


def test_a_tampered_or_foreign_notification_is_refused_and_changes_nothing(
    hook, sent, signer, database
) -> None:
    ann = sent["ann.lee1@example.com"]
    notification = signer.notification(ses_event("Bounce", ann, "ann.lee1@example.com"), version=2)
    other_message = json.loads(notification["Message"])
    other_message["mail"]["headers"][2]["value"] = sent["ann.lee2@example.com"]
    tampered = notification | {"Message": json.dumps(other_message)}
    status, answer = post(hook, tampered)
    assert (status, answer["detail"]) == (403, "the SNS signature does not verify")

    foreign = signer.notification(
        ses_event("Bounce", ann, "ann.lee1@example.com"),
        cert_url="https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem",
    )
    status, answer = post(hook, foreign)
    assert status == 403 and "SigningCertURL is not https on an Amazon SNS host" in answer["detail"]
    assert "evil.example" not in "".join(signer.fetched)

    other_topic = signer.notification(
        ses_event("Bounce", ann, "ann.lee1@example.com"),
        topic_arn="arn:aws:sns:eu-west-1:999999999999:someone-elses-topic",
    )
    status, answer = post(hook, other_topic)
    assert status == 403 and "BREACHDESK_SES_SNS_TOPIC_ARNS" in answer["detail"]

    assert {row(database, message_id).state for message_id in sent.values()} == {"sent"}
    assert provider_events(database) == []


def test_a_complaint_leaves_the_notice_sent_and_is_counted(hook, sent, signer, database):
    ann = sent["ann.lee1@example.com"]
    event = ses_event("Complaint", ann, "ann.lee1@example.com", style="identity notification")
    assert post(hook, signer.notification(event)) == (
        200,
        {"type": "Notification", "counts": {"complaint": 1}},
    )
    stranger = ses_event("Complaint", "<x@elsewhere.example>", "ann.lee1@example.com")
    assert post(hook, signer.notification(stranger, version=2)) == (
        200,
        {"type": "Notification", "counts": {"not our notice": 1}},
    )
    assert row(database, ann).state is MessageState.SENT
    assert provider_events(database) == [
        {"provider": "ses", "counts": {"complaint": 1}, "complaints": 1},
        {"provider": "ses", "counts": {"not our notice": 1}, "complaints": 0},
    ]


def test_a_transient_bounce_or_a_delivery_changes_nothing(hook, sent, signer, database):
    ann = sent["ann.lee1@example.com"]
    letters_before = letters(database)
    transient = ses_event("Bounce", ann, "ann.lee1@example.com", bounce_type="Transient")
    assert post(hook, signer.notification(transient)) == (
        200,
        {"type": "Notification", "counts": {"delayed": 1}},
    )
    delivery = ses_event("Delivery", ann, "ann.lee1@example.com")
    assert post(hook, signer.notification(delivery)) == (
        200,
        {"type": "Notification", "counts": {"ignored delivery": 1}},
    )
    assert row(database, ann).state is MessageState.SENT
    assert letters(database) == letters_before  # nothing queued by either
    # A delayed bounce is recorded; a delivery, which changes nothing, is not audited.
    assert provider_events(database) == [
        {"provider": "ses", "counts": {"delayed": 1}, "complaints": 0}
    ]


def test_a_subscription_confirmation_visits_its_subscribe_url(hook, signer, visited) -> None:
    confirmation = signer.subscription_confirmation()
    assert post(hook, confirmation) == (
        200,
        {"type": "SubscriptionConfirmation", "subscribed": True},
    )
    assert visited == [confirmation["SubscribeURL"]]

    elsewhere = signer.subscription_confirmation(subscribe_url="https://evil.example/confirm")
    status, _ = post(hook, elsewhere)
    assert status == 400
    other_topic = signer.subscription_confirmation(
        topic_arn="arn:aws:sns:eu-west-1:999999999999:someone-elses-topic"
    )
    status, _ = post(hook, other_topic)
    assert status == 403
    unsubscribed = signer.sign(confirmation | {"Type": "UnsubscribeConfirmation"}, 2)
    assert post(hook, unsubscribed) == (200, {"type": "UnsubscribeConfirmation"})
    assert visited == [confirmation["SubscribeURL"]]


def test_the_default_fetchers_ask_only_sns_hosts_over_https() -> None:
    for url in ("https://evil.example/cert.pem", "http://sns.eu-west-1.amazonaws.com/c.pem"):
        with pytest.raises(SnsRejected, match="not https on an Amazon SNS host"):
            fetch_sns_certificate(url)
        with pytest.raises(SnsRejected, match="not https on an Amazon SNS host"):
            confirm_subscription(url)


def test_bodies_that_are_not_sns_messages_are_refused(hook, database) -> None:
    assert hook.post("/hooks/ses", content=b"{not json").status_code == 400
    assert hook.post("/hooks/ses", content=b"[1, 2]").status_code == 400
    assert hook.post("/hooks/ses", content=b"{}").status_code == 403
    too_big = b'{"Message": "' + b"x" * (256 * 1024) + b'"}'
    assert hook.post("/hooks/ses", content=too_big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(300):
            yield b"x" * 1024

    assert hook.post("/hooks/ses", content=chunks()).status_code == 413
    assert provider_events(database) == []


def test_no_topic_is_believed_until_one_is_named(database, signer) -> None:
    app = FastAPI()
    app.include_router(router)
    app.state.database = database
    app.state.sns_certificate_fetcher = signer.fetch
    with TestClient(app) as client:
        status, answer = post(client, signer.subscription_confirmation())
    assert status == 403 and "BREACHDESK_SES_SNS_TOPIC_ARNS" in answer["detail"]


def test_the_settings_choose_ses_and_refuse_two_ways_at_once(monkeypatch, tmp_path) -> None:
    from breachdesk.config import Settings
    from breachdesk.delivery.transport import configured_sender

    keys = {"ses_access_key_id": "AKIDEXAMPLE", "ses_secret_access_key": "secret"}
    sender = configured_sender(Settings(data_dir=tmp_path, ses_region="eu-west-1", **keys))
    assert isinstance(sender, SesSender)
    with pytest.raises(InputError, match="not both"):
        configured_sender(
            Settings(
                data_dir=tmp_path, ses_region="eu-west-1", smtp_url="smtp://127.0.0.1:25", **keys
            )
        )
    with pytest.raises(InputError, match="BREACHDESK_SES_SECRET_ACCESS_KEY"):
        configured_sender(
            Settings(data_dir=tmp_path, ses_region="eu-west-1", ses_access_key_id="AKIDEXAMPLE")
        )


def test_the_web_app_serves_the_hook_and_accepts_only_the_topics_set(database_url, tmp_path):
    from breachdesk.config import Settings
    from breachdesk.main import create_app

    app = create_app(
        Settings(
            database_url=database_url,
            data_dir=tmp_path,
            ses_sns_topic_arns="arn:aws:sns:eu-west-1:123456789012:breachdesk , ",
        )
    )
    assert app.state.ses_sns_topic_arns == {"arn:aws:sns:eu-west-1:123456789012:breachdesk"}
    with TestClient(app) as client:
        assert client.post("/hooks/ses", content=b"not json").status_code == 400
