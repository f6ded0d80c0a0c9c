"""Reading user-supplied files and turning validation failures into one-line messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

# libyaml's parser where PyYAML was built with it: ten times faster on the rule files,
# which every assessment loads. The constructor is the same safe one, so are the values.
try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

Model = TypeVar("Model", bound=BaseModel)


class InputError(ValueError):
    """Input a user gave is wrong; the message names the field and what is allowed."""


class NotFound(LookupError):
    """A record the user asked for by its id or name does not exist."""


def read_text_file(path: Path) -> str:
    """A UTF-8 text file (a byte-order mark is allowed), or a clear InputError."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read as UTF-8 text: {error}") from error


def parse_yaml(text: str) -> Any:
    """YAML text as plain values (mappings, lists, strings, numbers, dates): the safe
    loader, which builds no other objects. Raises yaml.YAMLError."""
    return yaml.load(text, Loader=SafeLoader)


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    text = read_text_file(path)
    try:
        content = parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise InputError(f"{path}: not valid YAML{where}: {problem}") from error
    if not isinstance(content, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    return content


def parse_model(model: type[Model], data: dict[str, Any], *, source: str) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError(f"{source}: {describe_validation_error(error)}") from error


def describe_validation_error(error: ValidationError) -> str:
    """The first problem as ``field.path: message``, and how many more there are."""
    problems = error.errors(include_url=False)
    first = problems[0]
    location = _location(first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "is not a known field (check the spelling against the documentation)"
    elif first["type"] == "missing":
        message = "is required"
    more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return f"{location}: {message}{more if len(problems) > 1 else ''}"


def _location(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def to_utc(value: Any) -> Any:
    """A date or date-time, as text or a YAML value, as an aware UTC date-time.

    A bare date means 00:00 UTC that day; a date-time without a zone is taken as UTC.
    Other values pass through for the schema to reject.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(
                f"{value!r} is not a date (2026-11-02) or date-time (2026-11-02T14:30:00Z)"
            ) from error
        return to_utc(parsed)
    return value
