"""Default notices, rendered for a person in every jurisdiction and both languages."""

from __future__ import annotations

import pytest

from breachdesk.incidents.models import Organisation
from breachdesk.inputs import InputError
from breachdesk.notices.context import owing_laws
from breachdesk.notices.render import default_template, parse_template
from breachdesk.notices.templates import (
    SAMPLE_ELEMENTS,
    lint_everywhere,
    render_sample,
    sample_incident,
    sample_residences,
)


def organisation() -> Organisation:
    return Organisation(
        slug="northwind",
        legal_name="Northwind Outfitters, Inc.",
        display_name="Northwind Outfitters",
        owned_domains=["northwind.example"],
        sending_domains=["mail.northwind.example"],
        sender_identities=[{"name": "Northwind", "email": "notice@mail.northwind.example"}],
        support_phone="1-800-555-0142",
        support_email="help@northwind.example",
        support_postal_address="Northwind Outfitters, Inc.\n1200 Harbor Way\nPortland, OR 97201",
        signatory_name="Dana Whitfield",
        signatory_title="Chief Executive Officer",
        hipaa_covered_entity=False,
        hipaa_business_associate=False,
        glba_financial_institution=False,
        sec_registrant=False,
        established_in=["US"],
    )


def _render(template, residence: str = "US-MA"):
    return render_sample(template, organisation(), residence)[0]


def test_every_sample_residence_has_a_law_that_requires_notice() -> None:
    incident = sample_incident(organisation())
    for residence in sample_residences():
        assert owing_laws(incident, residence, frozenset(SAMPLE_ELEMENTS)), residence


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_default_notice_lints_clean_in_every_jurisdiction(language) -> None:
    errors = lint_everywhere(default_template("initial", language), organisation())
    assert [(where, finding.message) for where, finding in errors] == []


def test_massachusetts_notices_leave_out_what_it_forbids() -> None:
    template = default_template("initial", "en")
    assert "copied customer records" not in _render(template, "US-MA").text
    assert "copied customer records" in _render(template, "US-TX").text


def test_rendering_records_the_template_version_and_a_content_hash() -> None:
    template = default_template("initial", "en")
    first, again = _render(template), _render(template)
    assert first.template_version == template.version
    assert first.content_hash == again.content_hash
    assert first.fact_revision == 1


def test_a_misspelt_variable_is_an_error_not_a_blank() -> None:
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["greeting"] = "Dear {{ person.frist_name }},"
    template = parse_template(data, source="edited.yaml")
    with pytest.raises(InputError, match="frist_name"):
        _render(template)


@pytest.mark.parametrize(
    "section",
    [
        "{{ person.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
    ],
)
def test_a_template_cannot_reach_outside_its_values(section) -> None:
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["greeting"] = section
    template = parse_template(data, source="edited.yaml")
    with pytest.raises(InputError):
        _render(template)


def test_a_section_cannot_inject_markup_into_the_html() -> None:
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["greeting"] = "<script>alert(1)</script> Hello"
    rendered = _render(parse_template(data, source="edited.yaml"))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_a_broken_template_is_refused_with_the_section_named() -> None:
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["what_happened"] = "{% if %}"
    with pytest.raises(InputError, match="section what_happened"):
        parse_template(data, source="edited.yaml")
    del data["sections"]["genuine"]
    with pytest.raises(InputError, match="missing genuine"):
        parse_template(data, source="edited.yaml")
