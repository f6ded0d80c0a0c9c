"""Whether mail from the notice sender's domain will be believed: its SPF, DKIM and DMARC
records, given as text (a zone file's TXT lines, or `dig` output) or looked up.

Receivers file a notice that fails these checks as spam, or reject it, and a domain
without an enforcing DMARC policy is one a phisher can send "your data was breached"
mail from: exactly what the organisation's own notices must not be mistaken for.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from breachdesk.inputs import InputError
from breachdesk.notices.domains import registrable

PASS, WARN, FAIL = "pass", "warn", "fail"
# A name, optionally a TTL and class, "TXT", then the record's quoted strings.
_TXT_LINE = re.compile(r"^(?P<name>\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(?P<value>.+)$", re.IGNORECASE)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
LOOKUP_TIMEOUT_SECONDS = 5.0

# TXT records by lower-case name without the trailing dot; None when they could not be
# read (the string says why).
TxtLookup = Callable[[str], list[str] | str]


@dataclass(frozen=True)
class Finding:
    name: str  # what was checked, e.g. "SPF for notices.example"
    status: str  # pass, warn or fail
    detail: str  # what was found
    fix: str | None = None  # what to do about it; None when nothing need be done


def parse_zone_text(text: str, *, source: str) -> dict[str, list[str]]:
    """TXT records from zone-file or `dig` lines (``name [ttl] [IN] TXT "value" ...``);
    a record split into several quoted strings is joined, as receivers read it."""
    records: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#")):  # zone-file and shell comments
            continue
        match = _TXT_LINE.match(line)
        if match is None:
            if re.search(r"\bTXT\b", line, re.IGNORECASE):
                raise InputError(
                    f"{source}, line {number}: not a TXT record line; write it as "
                    '`name TXT "value"`, as in a zone file or `dig` output'
                )
            continue  # other record types (A, MX...) in a pasted zone file
        strings = _QUOTED.findall(match["value"])
        value = "".join(strings) if strings else match["value"].strip()
        name = match["name"].lower().rstrip(".")
        records.setdefault(name, []).append(value.replace('\\"', '"'))
    return records


def records_from_file(path: Path) -> TxtLookup:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--dns: cannot read {path} ({error})") from error
    records = parse_zone_text(text, source=str(path))
    return lambda name: records.get(name.lower().rstrip("."), [])


def dns_lookup(name: str) -> list[str] | str:
    """The TXT records the public DNS has for ``name``; a string saying why when the
    look-up failed (no network, say), so the check can tell "absent" from "unknown"."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=LOOKUP_TIMEOUT_SECONDS)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        return f"the DNS look-up failed ({type(error).__name__})"
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def check_domain_mail(
    domain: str, lookup: TxtLookup, *, dkim_selector: str | None, dkim_private_pem: bytes | None
) -> list[Finding]:
    return [
        _check_spf(domain, lookup),
        _check_dkim(domain, lookup, dkim_selector, dkim_private_pem),
        _check_dmarc(domain, lookup),
    ]


def _unknown(name: str, why: str) -> Finding:
    return Finding(name, WARN, f"not checked: {why}", "give the records as text with --dns FILE")


def _check_spf(domain: str, lookup: TxtLookup) -> Finding:
    name = f"SPF for {domain}"
    found = lookup(domain)
    if isinstance(found, str):
        return _unknown(name, found)
    spf = [record for record in found if record.lower().startswith("v=spf1")]
    if not spf:
        return Finding(
            name,
            FAIL,
            f"{domain} publishes no SPF record",
            f'publish `{domain} TXT "v=spf1 include:<your relay> -all"` naming the servers '
            "that send your notices",
        )
    if len(spf) > 1:
        return Finding(
            name,
            FAIL,
            f"{domain} publishes {len(spf)} SPF records; receivers treat that as an error",
            "merge them into one record",
        )
    terms = spf[0].lower().split()
    ending = next((term for term in terms if term.endswith("all")), None)
    if any(term.startswith("redirect=") for term in terms) and ending is None:
        return Finding(name, PASS, f"{spf[0]!r} defers to another domain's policy")
    if ending in ("-all", "~all"):
        return Finding(name, PASS, f"{spf[0]!r} ends in {ending}: other senders are refused")
    return Finding(
        name,
        FAIL,
        f"{spf[0]!r} ends in {ending or 'nothing'}: it lets anyone send as {domain}",
        "end the record with -all (or ~all while you are testing)",
    )


def _check_dkim(
    domain: str, lookup: TxtLookup, selector: str | None, private_pem: bytes | None
) -> Finding:
    name = f"DKIM for {domain}"
    if selector is None or private_pem is None:
        return Finding(
            name,
            FAIL,
            "notices are not DKIM-signed (BREACHDESK_DKIM_SELECTOR and "
            "BREACHDESK_DKIM_PRIVATE_KEY are not both set)",
            "generate a 2048-bit RSA key, publish its public key at "
            f"<selector>._domainkey.{domain} and set both settings",
        )
    key_name = f"{selector}._domainkey.{domain}"
    found = lookup(key_name)
    if isinstance(found, str):
        return _unknown(name, found)
    published = [_tags(record).get("p") for record in found if "p=" in record]
    if not published:
        return Finding(
            name,
            FAIL,
            f"no DKIM key published at {key_name}",
            f'publish `{key_name} TXT "v=DKIM1; k=rsa; p=<public key>"`',
        )
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError):
        return Finding(
            name,
            FAIL,
            "BREACHDESK_DKIM_PRIVATE_KEY is not an unencrypted PEM private key",
            "set it to the PEM text of the RSA key whose public half is published",
        )
    ours = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode("ascii")
    if ours not in [re.sub(r"\s+", "", value or "") for value in published]:
        return Finding(
            name,
            FAIL,
            f"the key published at {key_name} is not the public half of "
            "BREACHDESK_DKIM_PRIVATE_KEY: every signature would fail",
            "publish this key's public half, or configure the key that is published",
        )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 2048:
        return Finding(
            name,
            WARN,
            f"signing key matches {key_name} but is {key.key_size} bits",
            "move to a 2048-bit key; some receivers distrust shorter ones",
        )
    return Finding(name, PASS, f"notices are signed for {domain}; {key_name} holds the key")


def _check_dmarc(domain: str, lookup: TxtLookup) -> Finding:
    name = f"DMARC for {domain}"
    # A subdomain without its own record falls under its organisational domain's, whose
    # sp= tag (else p=) is the policy for subdomains.
    organisational = registrable(domain)
    records: list[str] = []
    for candidate in dict.fromkeys((domain, organisational)):
        found = lookup(f"_dmarc.{candidate}")
        if isinstance(found, str):
            return _unknown(name, found)
        records = [record for record in found if record.lower().startswith("v=dmarc1")]
        if records:
            break
    if not records:
        return Finding(
            name,
            FAIL,
            f"no DMARC record at _dmarc.{domain}: anyone can send mail as {domain}",
            f'publish `_dmarc.{organisational} TXT "v=DMARC1; p=reject; '
            f'rua=mailto:dmarc@{organisational}"`',
        )
    policy_tag = "p" if candidate == domain else "sp"
    tags = _tags(records[0])
    policy = (tags.get(policy_tag) or tags.get("p") or "none").lower()
    where = f"_dmarc.{candidate}"
    if policy == "none":
        return Finding(
            name,
            WARN,
            f"{where} has p=none: receivers only report mail that fakes {domain}",
            "move to p=quarantine, then p=reject, once reports show only your own mail",
        )
    percent = tags.get("pct", "100")
    if percent != "100":
        return Finding(
            name,
            WARN,
            f"{where} applies p={policy} to only {percent}% of failing mail",
            "raise pct to 100 (or remove it)",
        )
    return Finding(name, PASS, f"{where} has p={policy}: mail faking {domain} is refused")


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            tags[key.strip().lower()] = value.strip()
    return tags
