"""Lint rules about how a notice reads: trust, plain language, oversharing and tone."""

from __future__ import annotations

import re
from collections.abc import Iterable

from breachdesk.notices.documents import Block, Document
from breachdesk.notices.domains import check_domain, host_of
from breachdesk.notices.extract import Extracted
from breachdesk.notices.findings import ERROR, WARNING, Finding, LintContext
from breachdesk.notices.readability import readability, sentences, words

MAX_GRADE = 8.0
MAX_SENTENCE_WORDS = 30

# --- trust --------------------------------------------------------------------------------

_SECRET_REQUEST = re.compile(
    r"\b(?:reply|respond|send|provide|confirm|verify|enter|update|submit|type|call us with"
    r"|env[ií]e|proporcione|confirme)\b[^.]{0,60}?\b(?:password|passcode|social security"
    r"|ssn|card number|pin\b|bank account|login|contraseña|seguro social|n[uú]mero de tarjeta)",
    re.I,
)
_PRESSURE = re.compile(
    r"\b(?:act (?:now|immediately)|urgent(?:ly)?|final (?:notice|warning)|within (?:24|48) hours"
    r"|(?:account|card) will be (?:suspended|closed|locked|deactivated)|failure to (?:respond|act)"
    r"|immediate action required|limited time|urgente|inmediatamente)\b",
    re.I,
)


def trust_rules(
    document: Document, extracted: Extracted, context: LintContext
) -> Iterable[Finding]:
    places = [(host_of(link.url), link.location) for link in document.links]
    places += [(host_of(address), header) for header, address in document.senders]
    places += [(domain, "text") for domain in extracted.domains]
    checked: set[str] = set()
    for host, location in places:
        if host and host not in checked:
            checked.add(host)
            yield from _domain_findings(host, location, context)
    for link in document.links:
        shown = link.text.strip()
        looks_like_address = re.match(
            r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", shown, re.I
        )
        if looks_like_address and host_of(shown) != host_of(link.url):
            yield Finding(
                "trust.link-text",
                ERROR,
                f"the link shows {host_of(shown)} but goes to {host_of(link.url)}",
                link.location,
                "make the visible address the one the link goes to",
            )
    for attachment in document.attachments:
        yield Finding(
            "trust.attachment",
            ERROR,
            f"attachment {attachment!r}: breach notices carry no attachments",
            "attachments",
            "put the content in the message, or on the organisation's own site",
        )
    for block in document.blocks:
        for clause in re.split(r"[.;!?]", block.text):
            request = _SECRET_REQUEST.search(clause)
            if request and not re.search(r"\b(?:never|not|no|nunca)\b", clause, re.I):
                yield Finding(
                    "trust.asks-for-secrets",
                    ERROR,
                    f'asks the reader for something sensitive ("{request.group(0)}")',
                    block.location,
                    "never ask for passwords, SSNs or card numbers; say you never will",
                )
        yield from _phrases(
            block,
            _PRESSURE,
            ("trust.pressure", WARNING),
            'pressure phrase "{}" reads like phishing',
            "give the reader time; state deadlines plainly without threats",
        )


def _domain_findings(host: str, location: str, context: LintContext) -> Iterable[Finding]:
    verdict = check_domain(host, context.owned_domains)
    if verdict.ok:
        return
    messages = {
        "ip_address": (f"links to the IP address {host}", "link to the organisation's own domain"),
        "shortener": (
            f"{host} is a URL shortener: the reader cannot see where it goes",
            "use the full address on the organisation's own domain",
        ),
        "homoglyph": (
            f"{host} imitates {verdict.resembles} with look-alike characters",
            f"use {verdict.resembles} itself, or the organisation's own domain",
        ),
        "lookalike": (
            f"{host} looks like {verdict.resembles} but is another domain",
            "lookalike domains are how Equifax's breach site was mistaken for phishing; "
            "use the organisation's established domain",
        ),
        "not_registered": (
            f"{host} is not one of the organisation's domains"
            + ("" if context.owned_domains else " (none given: use --org or --domain)"),
            "link and send only from the organisation's registered domains",
        ),
    }
    message, hint = messages[verdict.problem or "not_registered"]
    yield Finding(f"trust.domain.{verdict.problem}", ERROR, message, location, hint)


# --- plain language --------------------------------------------------------------------

_HEDGING = re.compile(
    r"\b(?:may have been|might have been|could have been|may be affected|might be affected"
    r"|potentially|possibly|it is possible that|may have accessed|puede haber|podr[ií]a haber)\b",
    re.I,
)
_STOCK = re.compile(
    r"\b(?:we take (?:your |the )?(?:privacy|security)(?: and (?:privacy|security))?(?: of your"
    r" (?:information|data))? (?:very )?seriously|(?:out of )?an abundance of caution"
    r"|(?:highly )?sophisticated (?:cyber)?(?:-)?attack|is (?:our|a) (?:top|highest) priority"
    r"|we value your (?:trust|privacy)|nos tomamos muy en serio)\b",
    re.I,
)


def plain_rules(
    document: Document, extracted: Extracted, context: LintContext
) -> Iterable[Finding]:
    prose = "\n".join(block.text for block in document.blocks if block.kind != "heading")
    if context.language == "en" and words(prose):
        measured = readability(prose)
        if measured.grade > MAX_GRADE:
            yield Finding(
                "plain.grade",
                WARNING,
                f"reading grade {measured.grade:g} (Flesch-Kincaid); aim for {MAX_GRADE:g} "
                "or below",
                "document",
                "use shorter sentences and everyday words",
            )
    for block in document.blocks:
        for sentence in sentences(block.text):
            count = len(words(sentence))
            if count > MAX_SENTENCE_WORDS:
                yield Finding(
                    "plain.long-sentence",
                    WARNING,
                    f'a {count}-word sentence: "{sentence[:60]}…"',
                    block.location,
                    f"split it; keep sentences under {MAX_SENTENCE_WORDS} words",
                )
        yield from _phrases(
            block,
            _HEDGING,
            ("plain.hedging", WARNING),
            'hedging: "{}"',
            'say what is known: "your card number was taken"',
        )
        yield from _phrases(
            block,
            _STOCK,
            ("plain.stock-phrase", WARNING),
            'stock phrase: "{}"',
            "say what you did instead",
        )


# --- oversharing -------------------------------------------------------------------------

_IPV4 = re.compile(
    # Not inside a longer dotted number; a full stop may follow.
    r"(?<!\d)(?<!\d\.)(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
    r"(?!\d|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])", re.I)
_HOSTNAME = re.compile(
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:local|internal|corp|lan|intranet|localdomain)\b"
    r"|\b(?:srv|prod|dev|db|sql|dc|web|app)[-_]?[a-z0-9]*-?\d{1,3}\b",
    re.I,
)
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.I)
_TOOLS = re.compile(
    r"\b(?:mimikatz|cobalt ?strike|metasploit|lockbit|blackcat|alphv|conti|ryuk|revil|emotet"
    r"|trickbot|qakbot|black ?basta|cl0p|clop|akira|play ransomware|rhysida|scattered spider"
    r"|log4shell|moveit|bloodhound|psexec|anydesk|ram scraper|web shell|webshell|rdp)\b",
    re.I,
)
_VULNERABILITY = re.compile(
    r"\b(?:unpatched|zero-day|0-day|remote code execution|privilege escalation|lateral movement"
    r"|exploit(?:ed|ing)? (?:a|the) vulnerability|buffer overflow|backdoor|command and control)\b",
    re.I,
)
_OVERSHARE = (
    ("overshare.ip-address", _IPV4, ERROR, "an IP address"),
    ("overshare.ip-address", _IPV6, ERROR, "an IP address"),
    ("overshare.hostname", _HOSTNAME, WARNING, "an internal host name"),
    ("overshare.cve", _CVE, ERROR, "a vulnerability id"),
    ("overshare.tooling", _TOOLS, WARNING, "an attack tool or malware name"),
    ("overshare.vulnerability", _VULNERABILITY, WARNING, "vulnerability detail"),
)


def overshare_rules(
    document: Document, extracted: Extracted, context: LintContext
) -> Iterable[Finding]:
    for block in document.blocks:
        for rule, pattern, severity, what in _OVERSHARE:
            yield from _phrases(
                block,
                pattern,
                (rule, severity),
                what + ' in customer-facing text: "{}"',
                "leave technical detail out; it helps attackers and tells readers nothing",
            )


def _phrases(
    block: Block, pattern: re.Pattern[str], rule: tuple[str, str], message: str, hint: str
) -> Iterable[Finding]:
    """A finding for each place in a block where ``pattern`` matches."""
    for match in pattern.finditer(block.text):
        yield Finding(rule[0], rule[1], message.format(match.group(0)), block.location, hint)


# --- tone -----------------------------------------------------------------------------------

_VALEDICTION = re.compile(
    r"^(?:sincerely|regards|respectfully|yours truly|atentamente|cordialmente)\b", re.I
)
_PERSON_NAME = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’.-]+|[A-Z]\.)(?: (?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’.-]+|[A-Z]\.)){1,3}\b"
)


def tone_rules(document: Document, extracted: Extracted, context: LintContext) -> Iterable[Finding]:
    if not extracted.apology:
        yield Finding(
            "tone.apology",
            ERROR,
            "the notice does not apologise",
            "document",
            'say plainly: "We are sorry this happened."',
        )
    if context.signatory:
        signed = context.signatory.lower() in document.text.lower()
    else:
        signed = _signed_by_a_person(document)
    if not signed:
        who = f" ({context.signatory})" if context.signatory else ""
        yield Finding(
            "tone.signatory",
            ERROR,
            f"no named person signs the notice{who}",
            "document",
            "end with the executive's name and title, not only the company's",
        )


# Words that sign for a company, not a person.
_NOT_A_PERSON = re.compile(
    r"\b(?:team|the|inc|llc|ltd|company|customer|care|support|services?|department"
    r"|management|office|group|corporation|corp|equipo|servicio|atenci[oó]n)\b",
    re.I,
)


def _signed_by_a_person(document: Document) -> bool:
    lines = [line.strip() for line in document.text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        valediction = _VALEDICTION.match(line)
        if not valediction:
            continue
        rest = line[valediction.end() :].lstrip(" ,")
        following = [rest] if rest else []
        following += lines[index + 1 : index + 3]
        if any(
            _PERSON_NAME.match(candidate) and not _NOT_A_PERSON.search(candidate)
            for candidate in following
        ):
            return True
    return False
