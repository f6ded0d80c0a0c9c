"""The documentation stays true: every setting, command, option, event and data
element is documented, and the documented examples load."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel

from breachdesk.audit.events import all_event_types
from breachdesk.cli import app
from breachdesk.config import Settings
from breachdesk.console.access import ALLOWED, Can
from breachdesk.incidents.models import DataElement
from breachdesk.incidents.schemas import FactsIn, IncidentCreate, OrganisationCreate
from breachdesk.notices.lint import RULE_IDS
from breachdesk.rules.facts import WhatIfFacts
from breachdesk.rules.schema import ContentItem, Jurisdiction
from breachdesk.security.models import Role

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def commands(group: Any, prefix: str = "breachdesk") -> dict[str, Any]:
    found = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.update(commands(command, path))
        else:
            found[path] = command
    return found


COMMANDS = commands(typer.main.get_command(app))


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("field", Settings.model_fields)
def test_every_setting_is_documented(field):
    assert f"| `BREACHDESK_{field.upper()}` |" in read("configuration.md")


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_and_its_options_are_documented(path):
    text = section(read("cli.md"), path)
    assert text, f"docs/cli.md has no '## {path}' section"
    for parameter in COMMANDS[path].params:
        for option in parameter.opts + parameter.secondary_opts:
            if option.startswith("--") and option != "--help":
                assert option in text, f"{path} {option} is not in its section of docs/cli.md"


def test_the_cli_doc_names_no_command_that_does_not_exist():
    documented = re.findall(r"^## (breachdesk [a-z0-9 -]+)$", read("cli.md"), re.M)
    assert set(documented) - {"breachdesk --version"} == set(COMMANDS)


def test_every_audit_event_is_documented_and_no_other():
    documented = set(re.findall(r"^### `([a-z_.]+)`$", read("audit-events.md"), re.M))
    assert documented == set(all_event_types())


@pytest.mark.parametrize(("event_type", "event"), all_event_types().items())
def test_every_audit_event_explains_itself(event_type, event):
    assert event.__doc__ and len(event.__doc__.strip()) > 20, f"{event_type} has no docstring"


def test_every_data_element_is_in_the_vocabulary_table():
    text = read("formats.md")
    for element in DataElement:
        assert f"| `{element.value}` |" in text


@pytest.mark.parametrize(
    ("name", "schema"),
    [("org.yaml", OrganisationCreate), ("incident.yaml", IncidentCreate), ("facts.yaml", FactsIn)],
)
def test_the_documented_examples_are_valid_and_shown_as_they_are(name, schema):
    content = (DOCS / "examples" / name).read_text(encoding="utf-8")
    schema.model_validate(yaml.safe_load(content))
    assert f"```yaml\n{content}```" in read("formats.md")


def test_the_quick_start_is_exactly_make_demo_and_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = section(readme, "Quick start")
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    assert [line.split("#")[0].strip() for line in block.splitlines()] == [
        "make demo",
        "make test",
    ]


def _schema_fields(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field name of a pydantic model and of the models inside it."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            names |= _schema_fields(inner, seen)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


@pytest.mark.parametrize("field", sorted(_schema_fields(Jurisdiction)))
def test_every_rule_file_field_is_documented(field):
    assert f"`{field}`" in read("rules.md"), f"docs/rules.md does not explain `{field}`"


@pytest.mark.parametrize("item", [item.value for item in ContentItem])
def test_every_content_item_is_documented(item):
    assert f"| `{item}` |" in read("rules.md")


@pytest.mark.parametrize(
    ("name", "schema"), [("US-XX.yaml", Jurisdiction), ("what-if.yaml", WhatIfFacts)]
)
def test_the_rules_examples_are_valid_and_shown_as_they_are(name, schema):
    content = (DOCS / "examples" / name).read_text(encoding="utf-8")
    schema.model_validate(yaml.safe_load(content))
    assert f"```yaml\n{content}```" in read("rules.md")


@pytest.mark.parametrize("rule", RULE_IDS)
def test_every_lint_rule_is_documented(rule):
    assert f"| `{rule}` |" in read("notices.md")


def test_the_console_doc_shows_who_may_do_what_as_the_code_grants_it():
    """docs/console.md's role table is the console's access table (console/access.py)."""
    roles = list(Role)
    rows = {can.value: ["yes" if role in ALLOWED[can] else "" for role in roles] for can in Can}
    table = section(read("console.md"), "Who may do what")
    header = "| permission | " + " | ".join(role.value for role in roles) + " |"
    assert header in table
    documented = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == len(roles) + 1 and cells[0] in rows:
            documented[cells[0]] = cells[1:]
    assert documented == rows
