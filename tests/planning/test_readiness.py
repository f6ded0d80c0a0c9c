"""`plan check`: the readiness checklist scores the plan and says how to fix each gap."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from breachdesk.inputs import InputError
from breachdesk.people.synth import write_synthetic_people
from breachdesk.planning.mail_auth import parse_zone_text
from tests.delivery.conftest import approve_default_template
from tests.people.conftest import HEADER, person, write_csv

DOMAIN = "mail.acme-health.example"  # the factory organisation's notice sender's domain
ORGANISATIONAL = "acme-health.example"


def _key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, base64.b64encode(public).decode()


@pytest.fixture(scope="module")
def dkim_key() -> tuple[str, str]:
    return _key()


def zone(public_key: str, *, spf: str = "-all", dmarc: str | None = "p=reject") -> str:
    # A long key is split into several quoted strings, as zone files must.
    halves = f'"v=DKIM1; k=rsa; p={public_key[:200]}" "{public_key[200:]}"'
    lines = [
        "; the sending domain's records, as `dig` prints them",
        f'{DOMAIN}. 300 IN TXT "v=spf1 include:relay.example {spf}"',
        f"{DOMAIN}. 300 IN MX 10 mx.{DOMAIN}.",
        f"s1._domainkey.{DOMAIN}. 300 IN TXT {halves}",
    ]
    if dmarc:
        lines.append(f'_dmarc.{ORGANISATIONAL}. 300 IN TXT "v=DMARC1; {dmarc}; rua=mailto:d@x"')
    return "\n".join(lines) + "\n"


@pytest.fixture
def customers(tmp_path):
    rows = [person(number) for number in range(1, 4)]  # Texas
    rows += [person(number, state="CA", city="Fresno", postcode="93650") for number in (4, 5)]
    rows.append(person(6, state="", city="Osaka", postcode="530-0001", country="JP"))
    return write_csv(tmp_path / "customers.csv", HEADER, rows)


@pytest.fixture
def signing(monkeypatch, settings_env, dkim_key):
    monkeypatch.setenv("BREACHDESK_DKIM_SELECTOR", "s1")
    monkeypatch.setenv("BREACHDESK_DKIM_PRIVATE_KEY", dkim_key[0])


def check(run_cli, *args) -> dict:
    result = run_cli("plan", "check", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_name(report: dict) -> dict[str, dict]:
    return {item["name"]: item for item in report["checks"]}


def test_without_an_organisation_nothing_could_be_sent(run_cli):
    report = check(run_cli)
    assert report["score"] == 0
    assert report["checks"][0]["status"] == "fail"
    assert "breachdesk org create" in report["checks"][0]["fix"]


def test_a_prepared_organisation_passes_what_it_has_prepared(
    run_cli, incident, tmp_path, customers, signing, dkim_key
):
    approve_default_template(run_cli, tmp_path)
    records = tmp_path / "zone.txt"
    records.write_text(zone(dkim_key[1]))
    report = check(run_cli, "--customers", customers, "--dns", records, "--monitoring-codes", "10")
    checks = by_name(report)
    for name in (
        "sending domains are the organisation's own",
        "notice sender identity",
        f"SPF for {DOMAIN}",
        f"DKIM for {DOMAIN}",
        f"DMARC for {DOMAIN}",
        "approved initial notice in 'en'",
        "credit-monitoring codes against the customer count",
    ):
        assert checks[name]["status"] == "pass", checks[name]
    assert checks["approved initial notice in 'en'"]["detail"].endswith("where customers live")
    # The DMARC record is found on the organisational domain, for the mail. subdomain.
    assert f"_dmarc.{ORGANISATIONAL}" in checks[f"DMARC for {DOMAIN}"]["detail"]
    # No Spanish notice: people who prefer Spanish would get English.
    assert checks["approved initial notice in 'es'"]["status"] == "warn"
    assert "notice approve" in checks["approved initial notice in 'es'"]["fix"]
    residences = checks["rules for every customer's residence"]
    assert residences["status"] == "warn" and "1 in JP" in residences["detail"]
    assert report["counts"]["fail"] == 0
    assert 50 < report["score"] < 100


def test_mail_that_receivers_would_not_believe_is_failed_with_the_fix(
    run_cli, incident, tmp_path, signing
):
    other_public = _key()[1]  # the published key is not the configured one
    records = tmp_path / "zone.txt"
    records.write_text(zone(other_public, spf="+all", dmarc=None))
    checks = by_name(check(run_cli, "--dns", records))
    spf = checks[f"SPF for {DOMAIN}"]
    assert spf["status"] == "fail" and "+all" in spf["detail"] and "-all" in spf["fix"]
    dkim = checks[f"DKIM for {DOMAIN}"]
    assert dkim["status"] == "fail" and "not the public half" in dkim["detail"]
    dmarc = checks[f"DMARC for {DOMAIN}"]
    assert dmarc["status"] == "fail" and f"_dmarc.{ORGANISATIONAL}" in dmarc["fix"]
    # Without the approved notice, the English check fails and names the command to run.
    notice = checks["approved initial notice in 'en'"]
    assert notice["status"] == "fail" and "notice save" in notice["fix"]


def test_a_monitoring_only_dmarc_policy_and_unsigned_mail_are_flagged(
    run_cli, incident, tmp_path, dkim_key
):
    records = tmp_path / "zone.txt"
    records.write_text(zone(dkim_key[1], dmarc="p=none"))
    checks = by_name(check(run_cli, "--dns", records))
    assert checks[f"DMARC for {DOMAIN}"]["status"] == "warn"
    assert "p=quarantine" in checks[f"DMARC for {DOMAIN}"]["fix"]
    unsigned = checks[f"DKIM for {DOMAIN}"]
    assert unsigned["status"] == "fail" and "BREACHDESK_DKIM_SELECTOR" in unsigned["detail"]


def test_too_few_monitoring_codes_fail_and_say_how_many_are_needed(run_cli, incident, customers):
    checks = by_name(check(run_cli, "--customers", customers, "--monitoring-codes", "0"))
    codes = checks["credit-monitoring codes against the customer count"]
    assert codes["status"] == "fail"
    assert "6 customers" in codes["detail"] and "contract for at least" in codes["fix"]


def test_unknown_pieces_are_warnings_not_passes(run_cli, incident):
    checks = by_name(check(run_cli))
    assert checks[f"SPF, DKIM and DMARC for {DOMAIN}"]["status"] == "warn"
    assert "--customers" in checks["contact-center capacity"]["fix"]


def test_fail_under_gives_a_failing_exit_status(run_cli, incident):
    result = run_cli("plan", "check", "--fail-under", "90")
    assert result.exit_code == 1
    assert "Readiness of Acme Health Supply" in result.output
    assert "fix:" in result.output


def test_zone_text_is_read_as_dig_and_zone_files_write_it():
    records = parse_zone_text(
        'example.org. 3600 IN TXT "v=spf1 " "-all"\n'
        "; a comment\n"
        'example.org TXT "second"\n'
        "example.org. 300 IN A 192.0.2.1\n",
        source="zone",
    )
    assert records == {"example.org": ["v=spf1 -all", "second"]}
    with pytest.raises(InputError, match="zone, line 1: not a TXT record line"):
        parse_zone_text("example.org TXT\n", source="zone")


@pytest.fixture(scope="module")
def customer_base(tmp_path_factory):
    path = tmp_path_factory.mktemp("customers") / "customers.csv"
    write_synthetic_people(path=path, count=3000, seed=7)
    return path


def test_capacity_is_checked_with_the_wave_plan_for_the_whole_customer_base(
    run_cli, incident, customer_base
):
    enough = by_name(check(run_cli, "--customers", customer_base))["contact-center capacity"]
    assert enough["status"] == "pass", enough
    assert "every deadline met" in enough["detail"]
    short = by_name(check(run_cli, "--customers", customer_base, "--agents", "1"))
    lacking = short["contact-center capacity"]
    assert lacking["status"] == "fail", lacking
    needed = int(re.search(r"plan for ([\d,]+) agents", lacking["fix"]).group(1))
    assert needed > 1
    # The number it names is enough: the check passes with it.
    fixed = by_name(check(run_cli, "--customers", customer_base, "--agents", str(needed)))
    assert fixed["contact-center capacity"]["status"] == "pass"
