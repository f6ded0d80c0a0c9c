"""Is a link or sender domain the organisation's own, or one made to look like it?

Equifax sent people to equifaxsecurity2017.com; phishers register acmehea1th.com. A
notice may link only to the organisation's registered domains and to a short list of
official resources (the FTC, the credit bureaus, US government sites); anything else
is a finding, and one that resembles a protected name is a worse one.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import tldextract

# Official resources a notice may send people to (US government sites count too).
OFFICIAL_DOMAINS = (
    "annualcreditreport.com",
    "equifax.com",
    "experian.com",
    "transunion.com",
    "identitytheft.gov",
    "ftc.gov",
    "consumer.gov",
    "usa.gov",
)
OFFICIAL_SUFFIXES = ("gov", "mil")
SHORTENERS = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly",
        "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "lnkd.in", "rb.gy", "bl.ink", "s.id",
        "t.ly", "v.gd", "qr.ae", "shorte.st", "adf.ly", "short.io", "tinyurl.at", "x.co",
    }
)  # fmt: skip

# Characters that read as other characters: digits and letters people confuse, and the
# Cyrillic and Greek letters that look Latin.
_CONFUSABLE = str.maketrans(
    {
        "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "і": "i", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
        "ѕ": "s", "ј": "j", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ν": "v", "ι": "i",
        "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "ѵ": "v", "ӏ": "l", "ı": "i",
    }
)  # fmt: skip
_MULTI_CONFUSABLE = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_SEPARATORS = re.compile(r"[-_.]")


@dataclass(frozen=True)
class DomainCheck:
    domain: str
    # None when the domain may be used; else "ip_address", "shortener", "homoglyph",
    # "lookalike" or "not_registered".
    problem: str | None
    resembles: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot: never fetched from the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url_or_host: str) -> str:
    """The lower-case host of a URL, an email address or a bare host name."""
    text = url_or_host.strip().lower()
    if "@" in text and "://" not in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", text)
    text = re.split(r"[/?#\\]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]  # user:password@host
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _split(host: str) -> tuple[str, str]:
    """(registered domain, its name): mail.acme.co.uk -> (acme.co.uk, acme). A suffix the
    public list does not know (.example, .test) is taken to be the last label."""
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}", parts.domain
    labels = host.split(".")
    if len(labels) < 2:
        return host, host
    return ".".join(labels[-2:]), labels[-2]


def registrable(host: str) -> str:
    """The part of a host its owner registered: mail.acme.co.uk -> acme.co.uk."""
    return _split(host)[0]


def _brand(domain: str) -> str:
    return _split(domain)[1]


def skeleton(label: str) -> str:
    """How a label reads: accents dropped, confusable characters folded, separators gone."""
    decoded = label
    if label.startswith("xn--") or ".xn--" in label:
        try:
            decoded = label.encode("ascii").decode("idna")
        except UnicodeError:
            decoded = label
    folded = unicodedata.normalize("NFKD", decoded.lower())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    folded = _SEPARATORS.sub("", folded.translate(_CONFUSABLE))
    for pair, single in _MULTI_CONFUSABLE:
        folded = folded.replace(pair, single)
    return folded


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, enough for short labels."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(re.fullmatch(r"\d+", host))  # http://3232235777/ is an address too
    return True


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def check_domain(url_or_host: str, owned: list[str] | tuple[str, ...]) -> DomainCheck:
    """Whether a notice may point at this host, given the organisation's own domains."""
    host = host_of(url_or_host)
    if not host:
        return DomainCheck(url_or_host, "not_registered")
    if _is_ip(host):
        return DomainCheck(host, "ip_address")
    owned = [domain.lower().rstrip(".") for domain in owned]
    if any(_within(host, domain) for domain in owned):
        return DomainCheck(host, None)
    if any(_within(host, domain) for domain in OFFICIAL_DOMAINS):
        return DomainCheck(host, None)
    site = registrable(host)
    if site in SHORTENERS or host in SHORTENERS:
        return DomainCheck(host, "shortener")
    if _extractor()(host).suffix in OFFICIAL_SUFFIXES:
        return DomainCheck(host, None)
    protected = {registrable(domain) for domain in owned} | set(OFFICIAL_DOMAINS)
    label = _brand(site)
    shape = skeleton(label)
    for name in sorted(protected):
        brand = _brand(name)
        if len(brand) < 4:
            continue  # too short to tell a lookalike from a coincidence
        foreign_script = not label.isascii() or label.startswith("xn--")
        if foreign_script and skeleton(brand) in shape:
            return DomainCheck(host, "homoglyph", name)
        if shape == skeleton(brand) and label != brand:
            return DomainCheck(host, "homoglyph", name)
        if label == brand:
            return DomainCheck(host, "lookalike", name)  # same name, another suffix
        if brand in label or skeleton(brand) in shape:
            return DomainCheck(host, "lookalike", name)
        if len(brand) >= 6 and _distance(shape, skeleton(brand)) <= 2:
            return DomainCheck(host, "lookalike", name)
    return DomainCheck(host, "not_registered")
