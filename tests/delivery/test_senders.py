"""The SMTP sender's connections and its caps per recipient domain."""

from __future__ import annotations

import pytest

from breachdesk.delivery.senders import DomainLimit, DomainLimits, OutgoingEmail, SmtpSender
from breachdesk.inputs import InputError


def email(number: int, domain: str) -> OutgoingEmail:
    message_id = f"<n{number}@mail.acme-health.example>"
    data = (
        f"From: notice@mail.acme-health.example\r\nTo: ann{number}@{domain}\r\n"
        f"Message-ID: {message_id}\r\nSubject: Notice\r\n\r\n.a line that starts with a dot\r\n"
    ).encode()
    return OutgoingEmail(
        "notice@mail.acme-health.example", f"ann{number}@{domain}", message_id, data
    )


def test_domain_limits_are_read_with_a_default_and_refused_when_unclear() -> None:
    limits = DomainLimits.parse(" *=4/20, Gmail.com=2/- , slow.example=-/0.5")
    assert limits.for_domain("gmail.com") == DomainLimit(2, None)
    assert limits.for_domain("slow.example") == DomainLimit(None, 0.5)
    assert limits.for_domain("elsewhere.example") == DomainLimit(4, 20.0)
    assert DomainLimits.parse("").for_domain("any.example") == DomainLimit()
    for wrong in ("gmail.com=2", "=2/3", "gmail.com=0/3", "gmail.com=two/3"):
        with pytest.raises(InputError, match=r"BREACHDESK_SMTP_DOMAIN_LIMITS: .* DOMAIN="):
            DomainLimits.parse(wrong)


def test_several_connections_share_a_batch_but_a_domain_gets_at_most_its_share(
    relay,
) -> None:
    handler, url = relay
    handler.seconds_per_message = 0.05
    batch = [email(n, "big.example") for n in range(8)] + [
        email(n, "small.example") for n in range(8, 12)
    ]
    sender = SmtpSender(url, connections=4, domain_limits=DomainLimits.parse("big.example=2/-"))
    try:
        results = sender.send(batch)
    finally:
        sender.close()
    assert [result.state for result in results] == ["sent"] * 12
    assert handler.most_in_flight["big.example"] == 2
    assert handler.most_in_flight["*"] >= 3  # the other connections sent meanwhile
    sent = {recipient: data for recipient, data in handler.received}
    assert len(sent) == 12
    assert b"\r\n.a line that starts with a dot" in sent["ann0@big.example"]


def test_a_rate_cap_spaces_one_domain_and_leaves_the_others_alone(relay) -> None:
    handler, url = relay
    batch = [email(n, "capped.example") for n in range(6)] + [
        email(n, "free.example") for n in range(6, 12)
    ]
    limits = DomainLimits.parse("capped.example=-/10")
    sender = SmtpSender(url, connections=3, domain_limits=limits)
    try:
        assert [result.state for result in sender.send(batch)] == ["sent"] * 12
    finally:
        sender.close()
    capped = [moment for domain, moment in handler.arrivals if domain == "capped.example"]
    # Ten a second: six messages span half a second (less the first one's connection
    # set-up); uncapped, they would take a few milliseconds.
    assert capped[-1] - capped[0] >= 0.4
    free = [moment for domain, moment in handler.arrivals if domain == "free.example"]
    assert max(free) < max(capped)  # not queued behind the capped domain


@pytest.mark.parametrize("smtputf8", [True, False], ids=["smtputf8", "ascii-only relay"])
def test_international_addresses_go_as_idna_or_need_smtputf8(relay, smtputf8) -> None:
    handler, url = relay
    handler.smtputf8 = smtputf8
    idn = email(1, "bücher.example")
    mailbox_name = OutgoingEmail(
        idn.envelope_from, "zoë@example.com", "<n2@mail.acme-health.example>", idn.data
    )
    sender = SmtpSender(url)
    try:
        results = sender.send([idn, mailbox_name, email(3, "example.com")])
    finally:
        sender.close()
    # The domain goes in its ASCII form; a non-ASCII mailbox name needs SMTPUTF8, and
    # without it that notice fails (and goes by letter) while the batch goes on.
    assert [result.state for result in results] == [
        "sent", "sent" if smtputf8 else "failed", "sent"
    ]  # fmt: skip
    assert [recipient for recipient, _ in handler.received] == [
        "ann1@xn--bcher-kva.example",
        *(["zoë@example.com"] if smtputf8 else []),
        "ann3@example.com",
    ]
    if not smtputf8:
        assert "SMTPUTF8" in results[1].detail
