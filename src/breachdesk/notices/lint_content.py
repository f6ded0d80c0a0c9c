"""Lint rules about what a notice says: the law's content rules, and the incident's facts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from breachdesk.incidents.models import DataElement
from breachdesk.notices.documents import Document
from breachdesk.notices.domains import host_of
from breachdesk.notices.extract import Extracted
from breachdesk.notices.findings import ERROR, INFO, WARNING, Finding, LintContext
from breachdesk.rules.schema import ContentItem, Jurisdiction

# Plain words for each element, for messages and hints (the notice templates say the same).
ELEMENT_WORDS = {
    DataElement.NAME: "name",
    DataElement.ADDRESS: "postal address",
    DataElement.EMAIL: "email address",
    DataElement.PHONE: "phone number",
    DataElement.DATE_OF_BIRTH: "date of birth",
    DataElement.SSN: "Social Security number",
    DataElement.DRIVERS_LICENSE: "driver's license number",
    DataElement.STATE_ID: "state ID number",
    DataElement.PASSPORT: "passport number",
    DataElement.TAX_ID: "taxpayer identification number",
    DataElement.FINANCIAL_ACCOUNT: "bank account number",
    DataElement.PAYMENT_CARD: "payment card number",
    DataElement.CARD_SECURITY_CODE: "card security code",
    DataElement.PIN: "PIN",
    DataElement.ACCOUNT_CREDENTIALS: "user name and password",
    DataElement.MEDICAL: "medical information",
    DataElement.HEALTH_INSURANCE: "health insurance information",
    DataElement.BIOMETRIC: "biometric data",
    DataElement.GENETIC: "genetic data",
    DataElement.PRECISE_GEOLOCATION: "precise location data",
    DataElement.OTHER: "other information",
}


# --- legal content ---------------------------------------------------------------------


def _any(*patterns: str) -> Callable[[Document, Extracted], bool]:
    compiled = re.compile("|".join(patterns), re.I)
    return lambda document, _extracted: bool(compiled.search(document.text))


_TOLL_FREE = re.compile(r"(?:\+?1[ .-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .-]?\d{3}[ .-]?\d{4}")
_DISCOVERED_ON = re.compile(
    r"(?:discover|learn|became aware|identified|descubri|nos enteramos)[^.]{0,80}?"
    r"(?:\d{4}-\d{2}-\d{2}|\b[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{1,2} de \w+ de \d{4})",
    re.I,
)
_NUMBER_AFFECTED = re.compile(
    r"\b\d[\d,.]*(?: million| thousand)?\s+(?:of our )?(?:customers|people|individuals"
    r"|residents|persons|patients|consumers|accounts|members|employees|clientes|personas)\b",
    re.I,
)
_NATURE_OF_BREACH = re.compile(
    r"\b(?:ransomware|malware|phishing|hack(?:er|ers|ed|ing)?|cyber-?attack|sql injection"
    r"|stolen (?:laptop|device)|misconfigur\w+|brute[- ]force|credential stuffing|skimm\w+"
    r"|virus|intrusion)\b",
    re.I,
)

# How to tell that a notice says each content item. Items that belong only in filings
# to regulators (a sample notice, residents affected, material impact) are not checked.
CONTENT_CHECKS: dict[ContentItem, Callable[[Document, Extracted], bool]] = {
    ContentItem.INCIDENT_DESCRIPTION: _any(
        r"what happened",
        r"qu[eé] (?:pas[oó]|sucedi[oó])",
        r"\bwe (?:discovered|learned)",
        r"unauthori[sz]ed",
        r"incident",
        r"incidente",
    ),
    ContentItem.BREACH_DATE: lambda _document, extracted: bool(extracted.dates),
    ContentItem.DISCOVERY_DATE: lambda document, _extracted: bool(
        _DISCOVERED_ON.search(document.text)
    ),
    ContentItem.NOTICE_DATE: lambda _document, extracted: bool(extracted.dates),
    ContentItem.ELEMENTS_EXPOSED: lambda _document, extracted: bool(extracted.data_elements),
    ContentItem.LAW_ENFORCEMENT_DELAY: _any(r"law enforcement", r"autoridades"),
    ContentItem.ACTIONS_TAKEN: _any(
        r"what we are doing",
        r"qu[eé] estamos haciendo",
        r"\bwe (?:have |are )?(?:taken|implemented|notified|engaged|reset|added|strengthened"
        r"|removed|hired|working)",
    ),
    ContentItem.CONTACT_INFORMATION: lambda _document, extracted: bool(
        extracted.phones or extracted.emails or extracted.links
    ),
    ContentItem.TOLL_FREE_NUMBER: lambda document, _extracted: bool(
        _TOLL_FREE.search(document.text)
    ),
    ContentItem.CONSUMER_STEPS: _any(
        r"what you can do", r"qu[eé] puede hacer", r"\byou (?:can|should|may want to)\b"
    ),
    ContentItem.REMAIN_VIGILANT: _any(
        r"remain vigilant",
        r"review (?:your )?(?:account statements|credit reports?)",
        r"revise sus (?:estados de cuenta|informes de cr[eé]dito)",
    ),
    ContentItem.CREDIT_REPORTING_AGENCIES: lambda document, _extracted: all(
        name in document.text.lower() for name in ("equifax", "experian", "transunion")
    ),
    ContentItem.FTC_CONTACT: lambda _document, extracted: extracted.ftc_info,
    ContentItem.REGULATOR_CONTACT: _any(r"attorney general", r"fiscal general", r"procurador"),
    ContentItem.SECURITY_FREEZE: lambda _document, extracted: extracted.security_freeze_info,
    ContentItem.FRAUD_ALERT: _any(r"fraud alert", r"alerta de fraude"),
    ContentItem.POLICE_REPORT: _any(r"police report", r"informe policial", r"denuncia policial"),
    ContentItem.CREDIT_MONITORING_OFFER: lambda _document, extracted: extracted.credit_monitoring,
    ContentItem.LIKELY_CONSEQUENCES: _any(
        r"\b(?:could|may|might) (?:use|lead|result|try)",
        r"\bpodr[ií]a(?:n)? (?:usar|intentar|causar)",
        r"risk of",
        r"consequences",
        r"consecuencias",
    ),
    ContentItem.MITIGATION_MEASURES: _any(
        r"what we are doing", r"\bwe (?:have )?(?:taken|implemented)"
    ),
    # GDPR Art. 33(3)(b)/34(2): the data protection officer "or other contact point":
    # a named DPO, or a telephone number or email address to reach.
    ContentItem.CONTACT_PERSON: lambda document, extracted: bool(
        re.search(r"data protection officer|\bDPO\b|delegado de protecci[oó]n", document.text, re.I)
        or extracted.phones
        or extracted.emails
    ),
}
CONTENT_CHECKS[ContentItem.NATURE_OF_BREACH] = CONTENT_CHECKS[ContentItem.INCIDENT_DESCRIPTION]
CONTENT_CHECKS[ContentItem.NUMBER_AFFECTED] = lambda document, _extracted: bool(
    _NUMBER_AFFECTED.search(document.text)
)
FORBIDDEN_CHECKS: dict[ContentItem, re.Pattern[str]] = {
    ContentItem.NUMBER_AFFECTED: _NUMBER_AFFECTED,
    ContentItem.RESIDENTS_AFFECTED: _NUMBER_AFFECTED,
    ContentItem.NATURE_OF_BREACH: _NATURE_OF_BREACH,
}
_WORDS_ONLY = re.compile(r"[^a-z0-9áéíóúñü]+")
_NOT_DIGIT = re.compile(r"\D+")


def _heading_key(text: str) -> str:
    return _WORDS_ONLY.sub(" ", text.lower()).strip()


def legal_rules(
    document: Document, extracted: Extracted, context: LintContext
) -> Iterable[Finding]:
    for rule in context.jurisdictions:
        content = rule.content
        if content is None:
            continue
        where = f"{rule.code} ({content.citation})"
        for item in content.required:
            check = CONTENT_CHECKS.get(item)
            if check is not None and not check(document, extracted):
                yield Finding(
                    "legal.required-content",
                    ERROR,
                    f"{rule.name} requires the notice to give: {item.value.replace('_', ' ')}",
                    "document",
                    f"add it; required by {where}",
                )
        for item in content.must_not_include:
            pattern = FORBIDDEN_CHECKS.get(item)
            for block in document.blocks:
                match = pattern.search(block.text) if pattern else None
                if match:
                    yield Finding(
                        "legal.forbidden-content",
                        ERROR,
                        f"{rule.name} forbids stating the {item.value.replace('_', ' ')} "
                        f'("{match.group(0)}")',
                        block.location,
                        f"remove it from notices to {rule.name} residents; {where}",
                    )
        yield from _regulator_contact(document, rule)
        yield from _headings(document, rule)
        yield from _type_size(document, rule)
        for statement in content.must_include:
            yield Finding(
                "legal.statement",
                INFO,
                f"{rule.name} requires the notice to say: {statement.text}",
                "document",
                f"confirm the notice says this; {where}",
            )


def _regulator_contact(document: Document, rule: Jurisdiction) -> Iterable[Finding]:
    """The regulator's numbers and website, as the rules data gives them, are printed."""
    assert rule.content is not None
    contact = rule.content.regulator_contact
    if contact is None:
        return
    digits = _NOT_DIGIT.sub("", document.text)
    wanted = {
        "phone number": contact.phone,
        "toll-free number": contact.toll_free,
        "website": contact.website,
    }
    missing = [
        f"{what} {value}"
        for what, value in wanted.items()
        if value
        and (
            host_of(value) not in document.text.lower()
            if what == "website"
            else _NOT_DIGIT.sub("", value)[-10:] not in digits
        )
    ]
    if missing:
        yield Finding(
            "legal.regulator-contact",
            ERROR,
            f"{rule.name} requires the notice to give {contact.name}'s details; missing: "
            + "; ".join(missing),
            "document",
            f"print them; required by {rule.code} ({contact.citation})",
        )


def _headings(document: Document, rule: Jurisdiction) -> Iterable[Finding]:
    """Required title and headings present and in order. A heading counts when it contains
    the required words, so a translated heading carrying them ("Qué pasó / What
    Happened") satisfies the statute too."""
    content = rule.content
    assert content is not None
    headings = [f" {_heading_key(b.text)} " for b in document.blocks if b.kind == "heading"]

    def find(required: str) -> int | None:
        key = f" {_heading_key(required)} "
        return next((index for index, text in enumerate(headings) if key in text), None)

    if content.title and find(content.title) is None:
        yield Finding(
            "legal.headings",
            ERROR,
            f'{rule.name} requires the title "{content.title}"',
            "document",
            f'give the notice the title "{content.title}" ({content.citation})',
        )
    position = -1
    for required in content.headings:
        index = find(required)
        if index is None:
            yield Finding(
                "legal.headings",
                ERROR,
                f'{rule.name} requires the heading "{required}"',
                "document",
                f'add the heading "{required}", in the statute\'s order ({content.citation})',
            )
            continue
        if index < position:
            yield Finding(
                "legal.headings",
                ERROR,
                f'the heading "{required}" is out of the order {rule.name} requires',
                "document",
                "order the headings: " + ", ".join(content.headings),
            )
        position = max(position, index)


def _type_size(document: Document, rule: Jurisdiction) -> Iterable[Finding]:
    minimum = rule.content.min_type_size_pt if rule.content else None
    if minimum is None:
        return
    for block in document.blocks:
        if block.font_size_pt is not None and block.font_size_pt < minimum:
            yield Finding(
                "legal.type-size",
                ERROR,
                f"{block.font_size_pt:g}-point type; {rule.name} requires at least {minimum}",
                block.location,
                f"set all text to {minimum}-point or larger",
            )


# --- facts coverage ----------------------------------------------------------------------


def facts_rules(
    document: Document, extracted: Extracted, context: LintContext
) -> Iterable[Finding]:
    if context.facts_elements is None:
        return
    named = set(extracted.data_elements)
    for element in sorted(context.facts_elements - named, key=list(DataElement).index):
        if element == DataElement.OTHER:
            continue
        yield Finding(
            "facts.element-missing",
            ERROR,
            f"the facts say the {ELEMENT_WORDS[element]} was exposed; the notice never says so",
            "document",
            f"name the {ELEMENT_WORDS[element]} under what information was involved",
        )
    for mention in extracted.mentions:
        if not mention.negated and mention.element not in context.facts_elements:
            yield Finding(
                "facts.not-in-facts",
                WARNING,
                f'the notice names "{mention.phrase}" but the facts do not list the '
                f"{ELEMENT_WORDS[mention.element]}",
                mention.location,
                "say only what the facts hold, or revise the facts first",
            )
    if not extracted.dates:
        yield Finding(
            "facts.dates",
            WARNING,
            "the notice gives no dates",
            "document",
            "say when the breach happened and when it was discovered",
        )
