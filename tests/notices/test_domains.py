"""Links and senders: the organisation's own domains, official resources, and imitations."""

from __future__ import annotations

import pytest

from breachdesk.notices.domains import check_domain, host_of, registrable, skeleton

OWNED = ["acmehealth.com", "mail.acmehealth.com"]


@pytest.mark.parametrize(
    "target",
    [
        "https://acmehealth.com/breach",
        "https://www.acmehealth.com",
        "notice@mail.acmehealth.com",
        "https://www.identitytheft.gov/",
        "https://www.equifax.com/personal/credit-report-services/",
        "https://oag.ca.gov/privacy/databreach",  # a state attorney general
        "annualcreditreport.com",
    ],
)
def test_own_and_official_domains_may_be_used(target) -> None:
    assert check_domain(target, OWNED).ok


@pytest.mark.parametrize(
    ("target", "problem", "resembles"),
    [
        ("https://equifaxsecurity2017.com/", "lookalike", "equifax.com"),
        ("https://acmehea1th.com/claim", "homoglyph", "acmehealth.com"),
        ("https://acrnehealth.com", "homoglyph", "acmehealth.com"),  # rn reads as m
        ("https://xn--acmhealth-i0h.com", "homoglyph", "acmehealth.com"),  # Cyrillic е, as punycode
        ("https://аcmehealth.com", "homoglyph", "acmehealth.com"),  # Cyrillic а
        ("https://acmehealth.net", "lookalike", "acmehealth.com"),
        ("https://acmehealth-support.com", "lookalike", "acmehealth.com"),
        ("https://acmeheath.com", "lookalike", "acmehealth.com"),  # one letter dropped
        ("https://bit.ly/3xYz", "shortener", None),
        ("http://192.168.10.4/login", "ip_address", None),
        ("http://3232235777/", "ip_address", None),
        ("https://marketing-vendor.example/track", "not_registered", None),
    ],
)
def test_imitations_shorteners_and_strangers_are_refused(target, problem, resembles) -> None:
    verdict = check_domain(target, OWNED)
    assert (verdict.problem, verdict.resembles) == (problem, resembles)


def test_a_short_brand_is_not_matched_by_coincidence() -> None:
    assert check_domain("https://myftcguide.com", ["ibm.com"]).problem == "not_registered"


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://user:pw@Evil.Example:8443/path?q=1", "evil.example"),
        ("notice@Mail.AcmeHealth.com", "mail.acmehealth.com"),
        ("www.acmehealth.com/help", "www.acmehealth.com"),
        ("http://[2001:db8::1]/", "2001:db8::1"),
    ],
)
def test_hosts_are_read_from_urls_addresses_and_bare_names(text, host) -> None:
    assert host_of(text) == host


def test_registrable_domains_follow_the_public_suffix_list() -> None:
    assert registrable("mail.acme.co.uk") == "acme.co.uk"
    assert skeleton("acme-hea1th") == skeleton("acmehealth")
