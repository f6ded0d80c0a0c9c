"""A notice rendered once for everyone who shares it, with each person's own values
filled in afterwards.

Two people with the same template, facts, laws, elements and language read the same
notice except for a few values of their own: their name, their reference code, their
remedy code. A template that only prints those values, or tests whether they are there
(``{{ person.first_name or "Customer" }}``, ``{% if person.remedy_code %}``), is rendered
once per group with a marker in place of each value; a person's notice is then the group's
text with their values put in, a string operation instead of a Jinja run. A template that
does anything else with a personal value (a filter, a comparison, a loop) is rendered
for each person, with the same result, slowly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping

from jinja2 import nodes

from breachdesk.notices.mime import quoted_printable

# What differs between two people who share a notice; everything else is the group's.
PERSONAL_FIELDS = ("first_name", "last_name", "reference", "remedy_code")
# Private-use characters: no template, fact or escaping step produces or alters them.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}([a-z_]+){_CLOSE}")

Personal = Mapping[str, str | None]


def marker(field: str) -> str:
    return f"{_OPEN}{field}{_CLOSE}"


def presence(personal: Personal) -> tuple[object, ...]:
    """What a plain template can see of a person's values: whether each is there (and,
    when it is not, whether it is None or empty, which print differently)."""
    return tuple(True if personal[field] else personal[field] for field in PERSONAL_FIELDS)


def markers_for(personal: Personal) -> dict[str, str | None]:
    """The person as the group's render sees them: a marker for each value they have."""
    return {field: marker(field) if personal[field] else personal[field] for field in personal}


def plain_person_use(tree: nodes.Template) -> bool:
    """Whether the template only prints personal values or tests their presence."""
    return all(_plain(node, "other") for node in tree.iter_child_nodes())


def _plain(node: nodes.Node, use: str) -> bool:
    """``use`` is how the value of ``node`` is used: printed ("output"), tested for
    truth ("test"), or anything else ("other")."""
    if isinstance(node, nodes.Getattr) and _is_person(node.node):
        return use in ("output", "test") and node.attr in PERSONAL_FIELDS
    if _is_person(node):
        return False  # the whole person handed to something: cannot tell what it does
    return all(_plain(child, use) for child, use in _child_uses(node, use))


def _is_person(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "person"


def _child_uses(node: nodes.Node, use: str) -> Iterator[tuple[nodes.Node, str]]:
    if isinstance(node, nodes.Output):
        yield from ((child, "output") for child in node.nodes)
    elif isinstance(node, nodes.If):
        yield node.test, "test"
        yield from ((child, "other") for child in (*node.body, *node.elif_, *node.else_))
    elif isinstance(node, nodes.CondExpr):
        yield node.test, "test"
        yield from ((child, use) for child in (node.expr1, node.expr2) if child is not None)
    elif isinstance(node, nodes.And | nodes.Or):
        # ``a or b`` is a or b itself: printed if printed, tested if tested.
        yield node.left, use
        yield node.right, use
    elif isinstance(node, nodes.Not):
        yield node.node, "test"
    elif isinstance(node, nodes.Concat):
        # Joining keeps a printed value whole and keeps a tested value's truth.
        yield from ((child, use) for child in node.nodes)
    else:
        yield from ((child, "other") for child in node.iter_child_nodes())


class Filled:
    """A rendered string with markers, ready to take each person's values."""

    __slots__ = ("_format", "_plain")

    def __init__(self, marked: str) -> None:
        if _MARKER.search(marked) is None:
            self._plain, self._format = marked, None
        else:
            escaped = marked.replace("{", "{{").replace("}", "}}")
            self._plain, self._format = None, _MARKER.sub(r"{\1}", escaped)

    def __call__(self, values: Personal) -> str:
        return self._plain if self._format is None else self._format.format_map(values)


class QuotedPrintable:
    """A marked string as a quoted-printable MIME body (UTF-8, CRLF line ends): the lines
    that hold no personal value are encoded once, the others for each person."""

    __slots__ = ("_pieces",)

    def __init__(self, marked: str) -> None:
        # Quoted-printable encodes each line on its own, so runs of lines can be
        # encoded ahead and joined with the personal lines later.
        pieces: list[bytes | Filled] = []
        still: list[str] = []
        for line in marked.replace("\r\n", "\n").split("\n"):
            if _MARKER.search(line) is None:
                still.append(line)
                continue
            if still:
                pieces.append(quoted_printable("\n".join(still)))
                still = []
            pieces.append(Filled(line))
        if still:
            pieces.append(quoted_printable("\n".join(still)))
        self._pieces = tuple(pieces)

    def encode(self, values: Personal) -> bytes:
        return b"\r\n".join(
            piece if isinstance(piece, bytes) else quoted_printable(piece(values))
            for piece in self._pieces
        )


def escaped(values: Personal) -> dict[str, str | None]:
    """The values as HTML text."""
    return {
        field: html.escape(value, quote=True) if isinstance(value, str) else value
        for field, value in values.items()
    }
