"""What a notice says: the data elements it names, dates, headings, links, phone numbers,
and whether it apologises and offers credit monitoring, freeze and FTC information.

An element counts as named only where the text says it was involved: "no Social
Security numbers were involved" and "your PIN was not compromised" name nothing.
Negation is judged per clause, so "your name and card number, but not your PIN" names
the name and the card number and not the PIN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from breachdesk.incidents.models import DataElement
from breachdesk.notices.documents import Document
from breachdesk.notices.domains import host_of

E = DataElement
# How notices name each element, in English and Spanish. At each place in a text the
# first phrase that matches wins and the scan goes on after it, so "user name" is
# a credential, never a name.
ELEMENT_PHRASES: dict[DataElement, tuple[str, ...]] = {
    E.NAME: (
        r"(?:your |full |first and last |first |last )?names?(?! of)",
        r"nombres?(?: y apellidos?)?",
    ),
    E.ADDRESS: (
        r"(?:postal|mailing|home|street|physical) address(?:es)?",
        r"(?<!email )(?<!e-mail )(?<!ip )address(?:es)?",
        r"direcci[oó]n(?:es)? (?:postal|f[ií]sica)(?:es)?",
        r"domicilio",
    ),
    E.EMAIL: (r"e-?mail address(?:es)?", r"correos? electr[oó]nicos?"),
    E.PHONE: (r"(?:tele)?phone numbers?", r"n[uú]meros? de tel[eé]fono"),
    E.DATE_OF_BIRTH: (r"dates? of birth", r"birth ?dates?", r"fechas? de nacimiento"),
    E.SSN: (
        r"social security numbers?",
        r"ssns?",
        r"n[uú]meros? de seguro social",
    ),
    E.DRIVERS_LICENSE: (r"driver'?’?s'? licen[sc]e(?: numbers?)?", r"licencias? de conducir"),
    E.STATE_ID: (
        r"state (?:identification|id)(?: card)?(?: numbers?)?",
        r"identificaci[oó]n estatal",
    ),
    E.PASSPORT: (r"passport(?: numbers?)?", r"pasaportes?"),
    E.TAX_ID: (
        r"identificaci[oó]n tributaria",
        r"taxpayer identification numbers?",
        r"\bitins?\b",
        r"tax id(?:entification)? numbers?",
    ),
    E.FINANCIAL_ACCOUNT: (
        r"(?:bank|financial|checking|savings) account(?: numbers?)?",
        r"routing numbers?",
        r"cuentas? bancarias?",
    ),
    E.PAYMENT_CARD: (
        r"(?:credit|debit|payment) card(?: numbers?)?",
        r"card numbers?",
        r"tarjetas? de (?:cr[eé]dito|d[eé]bito|pago)",
    ),
    E.CARD_SECURITY_CODE: (
        r"(?:card )?security codes?",
        r"cvvs?2?",
        r"cvcs?",
        r"c[oó]digos? de seguridad",
    ),
    E.PIN: (r"pins?", r"personal identification numbers?"),
    E.ACCOUNT_CREDENTIALS: (
        r"passwords?",
        r"user ?names?",
        r"log-?in credentials",
        r"security questions?(?: and answers?)?",
        r"contraseñas?",
    ),
    E.MEDICAL: (
        r"medical (?:information|records?|history|conditions?)",
        r"diagnos[ie]s",
        r"treatment information",
        r"health information",
        r"informaci[oó]n m[eé]dica",
    ),
    E.HEALTH_INSURANCE: (
        r"health insurance(?: information| policy numbers?| member ids?)?",
        r"(?:insurance )?member id(?: numbers?)?",
        r"seguro m[eé]dico",
    ),
    E.BIOMETRIC: (
        r"biometric (?:data|information)",
        r"fingerprints?",
        r"face ?prints?",
        r"datos biom[eé]tricos",
    ),
    E.GENETIC: (r"genetic (?:data|information)", r"dna", r"datos gen[eé]ticos"),
    E.PRECISE_GEOLOCATION: (
        r"(?:precise )?geolocation(?: data)?",
        r"(?:precise )?location data",
        r"ubicaci[oó]n precisa",
    ),
}
_ELEMENT_PATTERN = re.compile(
    "|".join(
        f"(?P<{element.value}_{index}>\\b(?:{phrase})\\b)"
        for element, phrases in ELEMENT_PHRASES.items()
        for index, phrase in enumerate(phrases)
    ),
    re.IGNORECASE,
)
# Where a clause ends: punctuation, and the conjunctions that start a new thought. A
# colon does not end one: "Card security code: not involved" denies the code.
_CLAUSE_BREAK = re.compile(
    r"[.;!?()\n]|,|\b(?:but|however|although|except|pero|sin embargo)\b", re.I
)
_NEGATION = re.compile(
    r"\b(?:no|not|never|neither|nor|none|without|n't|did not|does not|do not|was not|were not"
    r"|is not|are not|has not|have not|had not|wasn't|weren't|isn't|aren't|didn't|hasn't"
    r"|haven't|no fue|no fueron|ning[uú]n|ninguna|ni|sin)\b|n't\b",
    re.I,
)

_ABOUT_MISUSE = re.compile(
    r"\b(?:evidence|indication|misuse[ds]?|reason to believe|aware of any|fraudulent(?:ly)?"
    r"|pruebas?|indicios?|uso indebido)\b",
    re.I,
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}} (?:de )?(?:{_MONTHS}) (?:de )?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{2,4})\b",
    re.I,
)
_PHONE = re.compile(r"(?<![\w/])(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]?\d{4}(?![\w/])")
_URL = re.compile(
    r"\b(?:https?://[^\s<>\"')\]]+|www\.[^\s<>\"')\]]+"
    r"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|org|net|gov|us|io|co|info|biz)"
    r"\b(?:/[^\s<>\"')\]]*)?)",
    re.I,
)
_EMAIL = re.compile(r"\b[\w.+-]+@([a-z0-9.-]+\.[a-z]{2,})\b", re.I)
_APOLOGY = re.compile(
    r"\b(?:we (?:sincerely |deeply |truly )?apologi[sz]e"
    r"|(?:we are|we're) (?:very |truly |deeply )?sorry"
    r"|our (?:sincere |deepest )?apologies|please accept our apolog|lamentamos"
    r"|(?:le |les )?pedimos disculpas|sentimos mucho)",
    re.I,
)
_SERVICE = (
    r"(?:credit monitoring|identity (?:theft )?(?:protection|monitoring)"
    r"|monitoreo de cr[eé]dito)"
)
_MONITORING = re.compile(
    r"\b(?:(\d{1,2}|one|two|three|six|twelve|eighteen|twenty-four|thirty-six)[ -]"
    r"(?:months?|years?)|(\d{1,2}|doce|veinticuatro|dieciocho) meses)\b[^.]{0,120}?"
    rf"\b{_SERVICE}",
    re.I,
)
_MONITORING_AFTER = re.compile(
    rf"\b{_SERVICE}\b[^.]{{0,80}}?\b(?:for|por|durante) "
    r"(\d{1,2}|one|two|twelve|eighteen|twenty-four) (months?|years?|meses|años)",
    re.I,
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "eighteen": 18,
    "twenty-four": 24, "thirty-six": 36, "doce": 12, "dieciocho": 18, "veinticuatro": 24,
}  # fmt: skip
_FREEZE = re.compile(
    r"\b(?:security|credit) freeze|congelaci[oó]n (?:de cr[eé]dito|de seguridad)", re.I
)
_FTC = re.compile(
    r"\bfederal trade commission|\bftc\b|identitytheft\.gov|comisi[oó]n federal de comercio", re.I
)
_CREDIT_MONITORING = re.compile(rf"\b{_SERVICE}", re.I)


@dataclass(frozen=True)
class Mention:
    element: DataElement
    phrase: str
    negated: bool
    location: str


@dataclass
class Extracted:
    mentions: list[Mention] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    apology: bool = False
    credit_monitoring: bool = False
    credit_monitoring_months: int | None = None
    security_freeze_info: bool = False
    ftc_info: bool = False

    @property
    def data_elements(self) -> list[DataElement]:
        """Elements the text says were involved (negated mentions left out), in vocabulary order."""
        named = {mention.element for mention in self.mentions if not mention.negated}
        return [element for element in DataElement if element in named]

    def as_dict(self) -> dict[str, object]:
        return {
            "data_elements": [element.value for element in self.data_elements],
            "negated_elements": sorted(
                {m.element.value for m in self.mentions if m.negated}
                - {e.value for e in self.data_elements}
            ),
            "dates": self.dates,
            "headings": self.headings,
            "links": self.links,
            "domains": self.domains,
            "phones": self.phones,
            "emails": self.emails,
            "apology": self.apology,
            "credit_monitoring_months": self.credit_monitoring_months,
            "security_freeze_info": self.security_freeze_info,
            "ftc_info": self.ftc_info,
        }


def element_mentions(text: str, location: str) -> list[Mention]:
    """The elements a piece of text names, each marked negated or not by its clause."""
    mentions = []
    start = 0
    for breaker in [*_CLAUSE_BREAK.finditer(text), None]:
        end = breaker.start() if breaker else len(text)
        clause = text[start:end]
        # "No evidence that your SSN was misused" denies misuse, not exposure.
        negated = bool(_NEGATION.search(clause)) and not _ABOUT_MISUSE.search(clause)
        for match in _ELEMENT_PATTERN.finditer(clause):
            name = match.lastgroup or ""
            element = DataElement(name.rsplit("_", 1)[0])
            mentions.append(Mention(element, match.group(0), negated, location))
        start = breaker.end() if breaker else end
    return mentions


def _months(match: re.Match[str]) -> int:
    number = next(group for group in match.groups() if group)
    value = int(number) if number.isdigit() else _NUMBERS.get(number.lower(), 0)
    unit = match.group(0).lower()
    years = re.search(r"\b(?:years?|años)\b", unit) and not re.search(r"\bmonths?|meses\b", unit)
    return value * 12 if years else value


def extract(document: Document) -> Extracted:
    found = Extracted()
    text = document.text
    for block in document.blocks:
        if block.kind == "heading":
            found.headings.append(block.text)
        found.mentions.extend(element_mentions(block.text, block.location))
    found.dates = _unique(match.group(0) for match in _DATE.finditer(text))
    found.phones = _unique(match.group(0).strip() for match in _PHONE.finditer(text))
    links = [link.url for link in document.links] + [
        m.group(0).rstrip(".,") for m in _URL.finditer(text)
    ]
    found.links = _unique(links)
    hosts = [host_of(link) for link in found.links]
    found.emails = _unique(match.group(0) for match in _EMAIL.finditer(text))
    hosts += [email.rsplit("@", 1)[1].lower() for email in found.emails]
    hosts += [host_of(address) for _header, address in document.senders]
    found.domains = _unique(host for host in hosts if host)
    found.apology = bool(_APOLOGY.search(text))
    found.credit_monitoring = bool(_CREDIT_MONITORING.search(text))
    months = [_months(m) for m in [*_MONITORING.finditer(text), *_MONITORING_AFTER.finditer(text)]]
    found.credit_monitoring_months = max(months) if months else None
    found.security_freeze_info = bool(_FREEZE.search(text))
    found.ftc_info = bool(_FTC.search(text))
    return found


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
