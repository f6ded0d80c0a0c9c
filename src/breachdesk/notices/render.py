"""Rendering a notice for one person: their elements in plain words, their laws' content
rules, their language, their reference code, from the incident's current facts.

Templates are sectioned Jinja text run in one sandboxed environment with StrictUndefined:
a template can read the values it is given and nothing else, and a misspelt variable is
an error, never a silent blank. Sections are plain text; the channel layouts add the
headings and the markup, escaping everything a section produced.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from breachdesk.incidents.models import DataElement, Protection
from breachdesk.inputs import InputError, parse_model, parse_yaml
from breachdesk.notices.shape import (
    PERSONAL_FIELDS,
    Filled,
    Personal,
    QuotedPrintable,
    escaped,
    markers_for,
    plain_person_use,
)
from breachdesk.notices.wording import fixed_wording
from breachdesk.rules.engine import Facts
from breachdesk.rules.schema import ContentItem, Jurisdiction

DEFAULTS_DIR = Path(__file__).parent / "defaults"
LANGUAGES = ("en", "es")
# The order sections appear in, and which carry a heading.
SECTION_ORDER = (
    "greeting",
    "what_happened",
    "what_information",
    "what_we_are_doing",
    "what_you_can_do",
    "more_information",
    "genuine",
    "signature",
)
HEADED = frozenset(SECTION_ORDER) - {"greeting", "signature"}
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,)]")


class TemplateFile(BaseModel):
    """A notice template: its fixed wording, and its sections as Jinja text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    language: str
    subject: str
    title: str
    headings: dict[str, str]
    sections: dict[str, str]
    sms: str
    elements: dict[DataElement, str]
    protection: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _fixed_wording_from_the_catalog(cls, data: Any) -> Any:
        """Title, headings, element and protection words the file leaves out come from
        the catalog of its language; the file's own words win, one by one."""
        if not isinstance(data, dict) or data.get("language") not in LANGUAGES:
            return data
        wording = fixed_wording(data["language"])
        merged = {"title": data.get("title") or wording["title"]}
        for name in ("headings", "elements", "protection"):
            given = data.get(name) or {}
            # Anything but a mapping goes on as it is, for validation to explain.
            merged[name] = {**wording[name], **given} if isinstance(given, dict) else given
        return {**data, **merged}

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"{value!r} is not one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("sections")
    @classmethod
    def _every_section(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [name for name in SECTION_ORDER if name not in value]
        unknown = sorted(set(value) - set(SECTION_ORDER))
        if missing or unknown:
            raise ValueError(
                f"sections must be exactly {', '.join(SECTION_ORDER)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        return value

    @field_validator("elements")
    @classmethod
    def _every_element(cls, value: dict[DataElement, str]) -> dict[DataElement, str]:
        missing = [element.value for element in DataElement if element not in value]
        if missing:
            raise ValueError(f"elements needs plain words for {', '.join(missing)}")
        return value

    @field_validator("protection")
    @classmethod
    def _every_protection(cls, value: dict[str, str]) -> dict[str, str]:
        needed = {protection.value for protection in Protection} | {"key_taken"}
        missing = sorted(needed - set(value))
        if missing:
            raise ValueError(f"protection needs wording for {', '.join(missing)}")
        return value

    @cached_property
    def version(self) -> str:
        """A short content hash: the same wording is the same version, wherever it lives."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class NoticeShape:
    """A notice as rendered for a group of people, with a marker for each personal value
    (see shape.py); for a template that is not plain about them, one person's notice."""

    language: str
    subject: Filled
    title: str
    # Each section's heading (None for the greeting and signature) and its paragraphs.
    parts: tuple[tuple[str | None, tuple[Filled, ...]], ...]
    text: Filled
    html: Filled
    sms: Filled
    template_version: str
    fact_revision: int
    marked_text: str = field(repr=False)
    marked_html: str = field(repr=False)

    def fill(self, personal: Personal) -> RenderedNotice:
        personal = {name: personal.get(name) for name in PERSONAL_FIELDS}
        as_html = escaped(personal)
        subject, text, page, sms = (
            self.subject(personal),
            self.text(personal),
            self.html(as_html),
            self.sms(personal),
        )
        digest = hashlib.sha256(f"{subject}\n{text}\n{page}\n{sms}".encode()).hexdigest()
        return RenderedNotice(self, personal, as_html, subject, text, page, sms, digest)

    @cached_property
    def quoted_printable(self) -> tuple[QuotedPrintable, QuotedPrintable]:
        return QuotedPrintable(self.marked_text), QuotedPrintable(self.marked_html)


@dataclass(frozen=True, eq=False)
class RenderedNotice:
    """One person's notice in every channel."""

    shape: NoticeShape
    personal: Personal
    personal_html: Personal = field(repr=False)
    subject: str
    text: str
    html: str
    sms: str
    content_hash: str

    @property
    def language(self) -> str:
        return self.shape.language

    @property
    def title(self) -> str:
        return self.shape.title

    @property
    def template_version(self) -> str:
        return self.shape.template_version

    @property
    def fact_revision(self) -> int:
        return self.shape.fact_revision

    @property
    def parts(self) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
        """Each section's heading and paragraphs: what the printed letter is laid out from."""
        return tuple(
            (heading, tuple(paragraph(self.personal) for paragraph in paragraphs))
            for heading, paragraphs in self.shape.parts
        )

    def web_page(self) -> str:
        """The notice as a page of its own on the organisation's site: the same words,
        marked up with landmarks and sections, and no inline style, so a strict
        Content-Security-Policy serves it as is."""
        body = [f"<main>\n<h1>{html.escape(self.title)}</h1>"]
        for heading, paragraphs in self.parts:
            inner = "\n".join(_html_paragraph(paragraph) for paragraph in paragraphs)
            if heading:
                body.append(f"<section>\n<h2>{html.escape(heading)}</h2>\n{inner}\n</section>")
            else:
                body.append(inner)
        return (
            f'<!DOCTYPE html>\n<html lang="{self.language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(self.title)}</title></head>\n<body>\n"
            + "\n".join(body)
            + "\n</main>\n</body></html>\n"
        )

    def quoted_printable(self) -> tuple[bytes, bytes]:
        """The text and HTML bodies, quoted-printable, for ``mime.build_encoded_email``."""
        text, page = self.shape.quoted_printable
        return text.encode(self.personal), page.encode(self.personal_html)


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """A section compiled once: compiling costs far more than rendering."""
    return _environment().from_string(source)


def parse_template(data: dict[str, Any], *, source: str) -> TemplateFile:
    """A template from its YAML mapping; every section is compiled now, so a syntax error is
    reported with the section's name before anyone renders it."""
    template = parse_model(TemplateFile, data, source=source)
    texts = {**template.sections, "subject": template.subject, "sms": template.sms}
    for name, text in texts.items():
        try:
            _compiled(text)
        except TemplateError as error:
            raise InputError(f"{source}: section {name}: {error}") from error
    return template


@cache
def default_template(kind: str = "initial", language: str = "en") -> TemplateFile:
    path = DEFAULTS_DIR / f"{kind}.{language}.yaml"
    if not path.is_file():
        shipped = sorted({file.name.split(".")[0] for file in DEFAULTS_DIR.glob("*.yaml")})
        raise InputError(
            f"no default {kind} template in {language!r}; kinds: {', '.join(shipped)}; "
            "languages: en, es"
        )
    return parse_template(parse_yaml(path.read_text("utf-8")), source=str(path))


def long_date(day: date, language: str) -> str:
    """The date as the language writes it in a letter: "November 20, 2026",
    "20 de noviembre de 2026" (CLDR's long format, through Babel)."""
    return format_date(day, format="long", locale=language)


def law_context(rules: Iterable[Jurisdiction], residence: str | None) -> dict[str, Any]:
    """What the person's laws change in the wording: statements forbidden, whom to contact."""
    rules = list(rules)
    forbidden = {item for rule in rules if rule.content for item in rule.content.must_not_include}
    home = next((rule for rule in rules if residence in rule.applies_to.residence), None)
    if home is None:
        regulator = None  # the template's own words for "your state's regulator"
    elif home.regulator_notices:
        regulator = home.regulator_notices[0].agency
    else:
        regulator = f"{home.name} Attorney General"
    required = {item for rule in rules if rule.content for item in rule.content.required}
    number_forbidden = forbidden & {ContentItem.NUMBER_AFFECTED, ContentItem.RESIDENTS_AFFECTED}
    contacts = [rule.content.regulator_contact for rule in rules if rule.content]
    return {
        "say_nature": ContentItem.NATURE_OF_BREACH not in forbidden,
        # A law that asks for the number affected, and none that forbids it.
        "tell_number": ContentItem.NUMBER_AFFECTED in required and not number_forbidden,
        "regulator": regulator,
        # Regulators whose details a law requires the notice to print.
        "regulator_contacts": [
            {
                "name": contact.name,
                "address": ", ".join(contact.address) or None,
                "phone": contact.phone,
                "toll_free": contact.toll_free,
                "website": contact.website,
            }
            for contact in contacts
            if contact is not None
        ],
        "codes": [rule.code for rule in rules],
    }


def elements_context(
    template: TemplateFile, elements: Iterable[DataElement], facts: Facts
) -> list[dict[str, str]]:
    """Each exposed element in plain words, with what its protection means for the reader."""
    described = []
    for element in sorted(set(elements), key=list(DataElement).index):
        exposure = facts.exposure(element)
        held = "key_taken" if exposure.key_compromised else exposure.protection.value
        wording = template.protection[held]
        described.append({"name": template.elements[element], "protection": wording})
    return described


def render_notice(
    template: TemplateFile, context: dict[str, Any], *, fact_revision: int
) -> RenderedNotice:
    """The notice for one person, in every channel, from one context."""
    return notice_shape(template, context, fact_revision=fact_revision).fill(context["person"])


def notice_shape(
    template: TemplateFile, context: dict[str, Any], *, fact_revision: int
) -> NoticeShape:
    """The notice for everyone who shares this context but for the values in
    ``context["person"]``; for a template that does more than print those values, the
    notice of this one person."""
    if _plain_template(template):
        context = {**context, "person": markers_for(context["person"])}
    try:
        sections = {
            name: _compiled(template.sections[name]).render(context).strip()
            for name in SECTION_ORDER
        }
        subject = _compiled(template.subject).render(context).strip()
        sms = _compiled(template.sms).render(context).strip()
    except TemplateError as error:
        raise InputError(f"template {template.kind}.{template.language}: {error}") from error
    headings = [template.headings[name] if name in HEADED else None for name in SECTION_ORDER]
    parts = tuple(
        (heading, _paragraphs(sections[name]))
        for heading, name in zip(headings, SECTION_ORDER, strict=True)
    )
    lines = [template.title]
    for heading, paragraphs in parts:
        lines.extend((heading, *paragraphs) if heading else paragraphs)
    text = "\n\n".join(lines) + "\n"
    page = _html_page(template.language, template.title, parts)
    return NoticeShape(
        language=template.language,
        subject=Filled(subject),
        title=template.title,
        parts=tuple(
            (heading, tuple(Filled(paragraph) for paragraph in paragraphs))
            for heading, paragraphs in parts
        ),
        text=Filled(text),
        html=Filled(page),
        sms=Filled(sms),
        template_version=template.version,
        fact_revision=fact_revision,
        marked_text=text,
        marked_html=page,
    )


def _plain_template(template: TemplateFile) -> bool:
    sources = (*template.sections.values(), template.subject, template.sms)
    return all(_plain_source(source) for source in sources)


@lru_cache(maxsize=512)
def _plain_source(source: str) -> bool:
    return plain_person_use(_environment().parse(source))


def _paragraphs(section: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"\n\s*\n", section) if part.strip())


def _html_page(
    language: str, title: str, parts: tuple[tuple[str | None, tuple[str, ...]], ...]
) -> str:
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, paragraphs in parts:
        if heading:
            body.append(f"<h2>{html.escape(heading)}</h2>")
        body.extend(_html_paragraph(paragraph) for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 11pt; '
        'line-height: 1.45; color: #1b1f24; max-width: 640px">'
        + "\n".join(body)
        + "</body></html>\n"
    )


@lru_cache(maxsize=8192)
def _html_paragraph(paragraph: str) -> str:
    """One paragraph as HTML: lines as a paragraph, "- " lines as a list, all escaped."""
    lines = paragraph.splitlines()
    items = [line[2:] for line in lines if line.startswith("- ")]
    lead = [line for line in lines if not line.startswith("- ")]
    html_parts = []
    if lead:
        html_parts.append("<p>" + "<br>".join(_linked(line) for line in lead) + "</p>")
    if items:
        html_parts.append("<ul>" + "".join(f"<li>{_linked(item)}</li>" for item in items) + "</ul>")
    return "\n".join(html_parts)


def _linked(line: str) -> str:
    """Escaped text with each web address a link that shows exactly where it goes."""
    pieces, last = [], 0
    for match in _URL.finditer(line):
        pieces.append(html.escape(line[last : match.start()]))
        url = html.escape(match.group(0))
        pieces.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    pieces.append(html.escape(line[last:]))
    return "".join(pieces)
