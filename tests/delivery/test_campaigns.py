"""Campaigns from the command line: every person owed notice is in the outbox on a
channel, each email is sent once, and the campaign says where it stands."""

from __future__ import annotations

import base64
import json
import mailbox
from email import message_from_bytes
from email.policy import default

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.delivery.conftest import WITH_EMAIL, approve_default_template, import_people
from tests.people.conftest import person


def _status(run_cli, campaign: str) -> dict:
    result = run_cli("campaign", "status", campaign, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _create(run_cli, incident, *extra: str) -> str:
    created = run_cli("campaign", "create", "--incident", incident, *extra)
    assert created.exit_code == 0, created.output
    return created.output.strip()


def test_a_campaign_is_refused_without_an_approved_template(run_cli, incident) -> None:
    result = run_cli("campaign", "create", "--incident", incident)
    assert result.exit_code == 2
    assert "no approved initial template in 'en'" in result.output
    assert "legal_approver and a comms_approver" in result.output


def test_a_wave_puts_everyone_owed_on_a_channel_and_a_run_sends_each_email_once(
    run_cli, ready, data_dir
) -> None:
    campaign = _create(run_cli, ready)
    wave = run_cli("campaign", "wave", campaign)
    assert wave.exit_code == 0, wave.output
    assert f"{WITH_EMAIL} email" in wave.output and "1 letter" in wave.output
    assert "1 substitute" in wave.output and "substitute-notice list" in wave.output

    sent = run_cli("campaign", "run", campaign)
    assert sent.exit_code == 0, sent.output
    assert f"{WITH_EMAIL} sent" in sent.output

    status = _status(run_cli, campaign)
    assert status["owed"] == WITH_EMAIL + 2
    assert status["by_channel"] == {
        "email": {"sent": WITH_EMAIL},
        "letter": {"queued": 1},
        "substitute": {"queued": 1},
    }
    assert status["duplicates_suspected"] == 0
    # One letter still to go, at the pace just seen; the breach was found in September,
    # so Texas's 60 days have run out and the campaign says it is behind.
    assert status["remaining"] == 1 and status["rate_per_second"] > 0
    assert status["earliest_deadline"]["jurisdiction"] == "US-TX"
    assert status["eta"] > status["earliest_deadline"]["day"] and status["on_track"] is False
    text = run_cli("campaign", "status", campaign).output
    assert "1 emails and letters to go" in text and "(US-TX), BEHIND" in text

    captured = list(mailbox.Maildir(data_dir / "mail-capture", create=False))
    assert len(captured) == WITH_EMAIL
    messages = [message_from_bytes(bytes(item), policy=default) for item in captured]
    recipients = sorted(m["To"].addresses[0].addr_spec for m in messages)
    assert recipients == [f"ann.lee{n}@example.com" for n in range(1, WITH_EMAIL + 1)]
    assert len({m["Message-ID"] for m in messages}) == WITH_EMAIL
    assert all(m["Message-ID"].endswith("@mail.acme-health.example>") for m in messages)
    body = messages[0].get_body(("plain",)).get_content()
    assert "Dear Ann Lee" in body and "Your reference code is" in body

    # Nobody is told twice: the next wave finds no one left.
    again = run_cli("campaign", "wave", campaign)
    assert "none left to notify" in again.output
    assert "nothing was due" in run_cli("campaign", "run", campaign).output
    assert len(list(mailbox.Maildir(data_dir / "mail-capture", create=False))) == WITH_EMAIL

    # The first notice sent discloses the revision it was written from.
    assert "disclosed" in run_cli("incident", "show", ready).output
    events = run_cli("audit", "export").output
    for event in ("campaign.created", "campaign.wave_scheduled", "campaign.run"):
        assert f'"{event}"' in events


def test_a_wave_can_take_a_jurisdiction_and_a_size(run_cli, ready) -> None:
    campaign = _create(run_cli, ready)
    elsewhere = run_cli("campaign", "wave", campaign, "--jurisdiction", "US-CA")
    assert "none left to notify" in elsewhere.output
    first = run_cli("campaign", "wave", campaign, "--jurisdiction", "US-TX", "--size", "3")
    assert first.exit_code == 0 and "wave 2: 3 people" in first.output
    assert _status(run_cli, campaign)["owed"] == 3


def test_a_paused_campaign_sends_nothing_until_resumed(run_cli, ready) -> None:
    campaign = _create(run_cli, ready)
    run_cli("campaign", "wave", campaign)
    assert run_cli("campaign", "pause", campaign).exit_code == 0
    assert "nothing was due" in run_cli("campaign", "run", campaign).output
    assert _status(run_cli, campaign)["state"] == "paused"
    assert run_cli("campaign", "resume", campaign).exit_code == 0
    assert f"{WITH_EMAIL} sent" in run_cli("campaign", "run", campaign).output
    cancelled = run_cli("campaign", "cancel", campaign)
    assert cancelled.exit_code == 0
    refused = run_cli("campaign", "wave", campaign)
    assert refused.exit_code == 2 and "is cancelled" in refused.output
    assert run_cli("campaign", "resume", campaign).exit_code == 2


def test_campaign_list_shows_each_with_its_state(run_cli, ready) -> None:
    campaign = _create(run_cli, ready, "--channel", "letter")
    listed = json.loads(run_cli("campaign", "list", "--incident", ready, "--json").output)
    assert [(c["id"], c["kind"], c["state"]) for c in listed] == [
        (int(campaign), "initial", "ready")
    ]
    run_cli("campaign", "wave", campaign)
    # Letter first: the six with both get letters, the one with only email gets email.
    assert _status(run_cli, campaign)["by_channel"] == {
        "letter": {"queued": WITH_EMAIL + 1},
        "substitute": {"queued": 1},
    }


def test_bad_input_is_refused_with_what_to_do(run_cli, ready) -> None:
    bad_channel = run_cli("campaign", "create", "--incident", ready, "--channel", "fax")
    assert bad_channel.exit_code == 2 and "email, letter, auto" in bad_channel.output
    campaign = _create(run_cli, ready)
    no_zone = run_cli("campaign", "wave", campaign, "--start", "2026-12-01T09:00")
    assert no_zone.exit_code == 2 and "needs a zone" in no_zone.output
    assert run_cli("campaign", "wave", campaign, "--size", "0").exit_code == 2
    assert run_cli("campaign", "status", "999").exit_code != 0


def test_emails_are_dkim_signed_when_a_key_is_configured(
    run_cli, ready, data_dir, tmp_path, monkeypatch
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    campaign = _create(run_cli, ready)
    run_cli("campaign", "wave", campaign)
    monkeypatch.setenv("BREACHDESK_DKIM_SELECTOR", "notices")
    half = run_cli("campaign", "run", campaign)
    assert half.exit_code == 2 and "set both" in half.output
    monkeypatch.setenv("BREACHDESK_DKIM_PRIVATE_KEY_FILE", str(pem))
    assert run_cli("campaign", "run", campaign).exit_code == 0

    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"notices._domainkey.mail.acme-health.example."
        return record

    captured = list(mailbox.Maildir(data_dir / "mail-capture", create=False))
    assert len(captured) == WITH_EMAIL
    assert all(dkim.verify(bytes(item), dnsfunc=dns) for item in captured)


def test_a_campaign_must_offer_the_credit_monitoring_the_law_requires(
    run_cli, incident, tmp_path, data_dir
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("elements: [name, ssn]\npeople_affected: 2\npublic_description: Copied.\n")
    assert run_cli("incident", "revise", incident, "--from", facts, "--reason", "x").exit_code == 0
    approve_default_template(run_cli, tmp_path)
    hartford = person(1, state="CT", city="Hartford", postcode="06103")
    import_people(run_cli, tmp_path, incident, [hartford, person(2)])
    create = ("campaign", "create", "--incident", incident)

    refused = run_cli(*create)
    assert refused.exit_code == 2 and "US-CT 24 months" in refused.output
    short = run_cli(
        *create, "--monitoring-months", "12", "--enrol-url", "https://acme-health.example/id"
    )
    assert short.exit_code == 2 and "--monitoring-months 24" in short.output
    vendor = run_cli(
        *create, "--monitoring-months", "24", "--enrol-url", "https://idwatch.example/acme"
    )
    assert vendor.exit_code == 2 and "own domains" in vendor.output
    alone = run_cli(*create, "--monitoring-months", "24")
    assert alone.exit_code == 2 and "go together" in alone.output

    made = run_cli(
        *create, "--monitoring-months", "24", "--enrol-url", "https://acme-health.example/id"
    )
    assert made.exit_code == 0, made.output
    campaign = made.output.strip()
    run_cli("campaign", "wave", campaign)
    assert run_cli("campaign", "run", campaign).exit_code == 0
    for item in mailbox.Maildir(data_dir / "mail-capture", create=False):
        body = message_from_bytes(bytes(item), policy=default).get_body(("plain",)).get_content()
        assert "24 months of free credit monitoring" in body
        assert "https://acme-health.example/id" in body
