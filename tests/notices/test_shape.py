"""Notices for many people: rendered once per group, filled in per person, and exactly
what rendering each person on their own gives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from jinja2.sandbox import SandboxedEnvironment

from breachdesk.incidents.models import DataElement
from breachdesk.notices.context import NoticeBatch, notice_context, owing_laws
from breachdesk.notices.mime import Address, build_encoded_email, quoted_printable
from breachdesk.notices.render import default_template, notice_shape, render_notice
from breachdesk.notices.shape import plain_person_use
from breachdesk.notices.templates import SAMPLE_ELEMENTS, sample_incident
from tests.notices.test_render import organisation

TODAY = date(2026, 11, 20)
REMEDY = {"months": 24, "url": "https://northwind.example/enroll"}
PEOPLE = [
    {"first_name": "Ann", "last_name": "Lee", "reference": "K7QM9RTA2XPW"},
    {"first_name": None, "last_name": "Okafor", "reference": "M3XH7QRT9KLP"},
    {"first_name": "", "last_name": "", "reference": "P9RT3KXM7QWA"},
    {"first_name": "Zoë", "last_name": "Ñúñez-{Gómez}", "reference": "T7KX9QMP3RWA"},
    {"first_name": "<b>Bo</b> & Co", "last_name": 'O\'Neil "Jr"', "reference": "W3QP7KTX9MRA"},
    {"first_name": "Ann", "last_name": "Lee", "reference": "X9MP3QRT7KWA", "remedy_code": "CM-1"},
]


def _person(index: int, residence: str) -> dict:
    elements = [element.value for element in SAMPLE_ELEMENTS][: 2 + index % 3]
    return {**PEOPLE[index], "jurisdiction": residence, "elements": elements}


def _alone(template, org, incident, person: dict):
    """The person's notice rendered on their own, Jinja run with their values."""
    laws = owing_laws(incident, person["jurisdiction"], frozenset(_elements(person)))
    context = notice_context(
        template=template,
        organisation=org,
        incident=incident,
        person=person,
        laws=laws,
        today=TODAY,
        remedy=REMEDY,
    )
    # A section that uses the whole person cannot be rendered once for a group.
    unplain = template.model_copy(
        update={
            "sections": {
                **template.sections,
                "signature": "{% set _ = person %}" + template.sections["signature"],
            }
        }
    )
    # Rendered with the person's own values: nothing left to fill in.
    assert person["reference"] in notice_shape(unplain, context, fact_revision=1).text({})
    return render_notice(unplain, context, fact_revision=1)


def _elements(person: dict) -> list[DataElement]:
    return [DataElement(name) for name in person["elements"]]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("residence", ["US-CA", "US-MA", "US-TX", "US-NY", "GB"])
def test_a_batch_notice_is_exactly_the_notice_rendered_alone(language, residence) -> None:
    org = organisation()
    incident = sample_incident(org)
    template = default_template("initial", language)
    batch = NoticeBatch(
        template=template, organisation=org, incident=incident, today=TODAY, remedy=REMEDY
    )
    for index in range(len(PEOPLE)):
        person = _person(index, residence)
        together, alone = batch.render(person), _alone(template, org, incident, person)
        assert together.subject == alone.subject
        assert together.text == alone.text
        assert together.html == alone.html
        assert together.sms == alone.sms
        assert together.parts == alone.parts
        assert together.content_hash == alone.content_hash
        assert together.quoted_printable() == (
            quoted_printable(alone.text),
            quoted_printable(alone.html),
        )


def test_a_persons_values_reach_their_notice_as_text_and_escaped_as_html() -> None:
    org = organisation()
    batch = NoticeBatch(
        template=default_template("initial", "en"),
        organisation=org,
        incident=sample_incident(org),
        today=TODAY,
        remedy=REMEDY,
    )
    bo = batch.render(_person(4, "US-TX"))
    assert 'Dear <b>Bo</b> & Co O\'Neil "Jr",' in bo.text
    assert "Dear &lt;b&gt;Bo&lt;/b&gt; &amp; Co O&#x27;Neil &quot;Jr&quot;," in bo.html
    assert "<b>Bo" not in bo.html
    nobody = batch.render(_person(2, "US-TX"))
    assert "Dear Customer ," in nobody.text
    coded = batch.render(_person(5, "US-TX"))
    assert "/enroll and enter the code CM-1." in coded.text
    assert "/enroll." in batch.render(_person(0, "US-TX")).text
    assert "P9RT3KXM7QWA" in nobody.sms and "P9RT3KXM7QWA" not in coded.sms


def test_a_batch_email_reads_back_with_the_persons_own_name_and_code() -> None:
    org = organisation()
    batch = NoticeBatch(
        template=default_template("initial", "es"),
        organisation=org,
        incident=sample_incident(org),
        today=TODAY,
    )
    rendered = batch.render(_person(3, "US-CA"))
    text_qp, html_qp = rendered.quoted_printable()
    raw = build_encoded_email(
        sender=Address("Northwind", "notice@northwind.example"),
        recipient=Address("Zoë Ñúñez", "zoe@example.com"),
        subject=rendered.subject,
        text_qp=text_qp,
        html_qp=html_qp,
        date=datetime(2026, 11, 20, 15, tzinfo=UTC),
        message_id="<a1@northwind.example>",
    )
    plain, page = message_from_bytes(raw, policy=default).get_payload()
    assert plain.get_content().replace("\r\n", "\n") == rendered.text
    assert "Zoë Ñúñez-{Gómez}" in plain.get_content()
    assert "T7KX9QMP3RWA" in page.get_content()


def test_a_template_that_transforms_a_personal_value_is_rendered_per_person() -> None:
    org = organisation()
    template = default_template("initial", "en")
    shouting = template.model_copy(
        update={
            "sections": {
                **template.sections,
                "greeting": "Dear {{ person.last_name|upper }},\n\nWe are sorry.",
            }
        }
    )
    batch = NoticeBatch(
        template=shouting, organisation=org, incident=sample_incident(org), today=TODAY
    )
    lee = batch.render(_person(0, "US-TX"))
    okafor = batch.render({**_person(1, "US-TX"), "elements": _person(0, "US-TX")["elements"]})
    assert "Dear LEE," in lee.text
    assert "Dear OKAFOR," in okafor.text


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("Dear {{ person.first_name }}", True),
        ('Dear {{ person.first_name or "Customer" }} {{ person.last_name or "" }}', True),
        ("{% if person.remedy_code %}code {{ person.remedy_code }}{% endif %}", True),
        ("{% if not person.first_name %}Hello{% endif %}", True),
        ("{{ person.first_name ~ ' ' ~ person.last_name }}", True),
        ("{{ person.reference if person.reference else 'none' }}", True),
        ("{% for e in elements %}{{ person.first_name }}{% endfor %}", True),
        ("No person at all", True),
        ("{{ person.first_name|upper }}", False),
        ("{{ (person.first_name or 'x')|title }}", False),
        ("{% if person.last_name == 'Lee' %}x{% endif %}", False),
        ("{{ person.reference[:4] }}", False),
        ("{{ person.first_name|length }}", False),
        ("{% set name = person.first_name %}{{ name }}", False),
        ("{{ person }}", False),
        ("{{ person.date_of_birth }}", False),
        ("{% for c in person.last_name %}{{ c }}{% endfor %}", False),
    ],
)
def test_which_templates_render_once_for_a_group(source, plain) -> None:
    assert plain_person_use(SandboxedEnvironment().parse(source)) is plain
