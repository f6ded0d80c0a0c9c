"""What changed between two fact revisions, and whether it widens the scope.

Scope widens when a later revision adds an exposed element, weakens an element's
protection (encrypted → hashed → clear, or its key turns out to have been taken),
widens the window in which the breach happened, or raises the number of people.
Once a revision has been disclosed, a widening revision means some people hold an
incomplete notice: that is a scope expansion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from breachdesk.incidents.models import FactRevision, Protection

PROTECTION_STRENGTH = {Protection.CLEAR: 0, Protection.HASHED: 1, Protection.ENCRYPTED: 2}


def effective_protection(exposure: dict[str, Any]) -> Protection:
    if exposure.get("key_compromised"):
        return Protection.CLEAR
    return Protection(exposure["protection"])


@dataclass(frozen=True)
class ProtectionChange:
    element: str
    before: str
    after: str


@dataclass(frozen=True)
class FactDiff:
    revision_a: int
    revision_b: int
    added_elements: list[str]
    removed_elements: list[str]
    weakened_elements: list[ProtectionChange]
    strengthened_elements: list[ProtectionChange]
    window_before: tuple[str | None, str | None]
    window_after: tuple[str | None, str | None]
    window_widened: bool
    count_before: int
    count_after: int

    @property
    def count_change(self) -> int:
        return self.count_after - self.count_before

    @property
    def scope_expansion(self) -> bool:
        return bool(
            self.added_elements
            or self.weakened_elements
            or self.window_widened
            or self.count_change > 0
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["count_change"] = self.count_change
        data["scope_expansion"] = self.scope_expansion
        return data

    def lines(self) -> list[str]:
        """The diff as a person reads it, one change a line."""
        lines = [f"revision {self.revision_a} → {self.revision_b}"]
        lines += [f"  + element {element}" for element in self.added_elements]
        lines += [f"  - element {element}" for element in self.removed_elements]
        for change in self.weakened_elements:
            lines.append(f"  ! {change.element}: {change.before} → {change.after} (weaker)")
        for change in self.strengthened_elements:
            lines.append(f"  ~ {change.element}: {change.before} → {change.after} (stronger)")
        if self.window_before != self.window_after:
            before, after = _window_text(self.window_before), _window_text(self.window_after)
            widened = " (wider)" if self.window_widened else ""
            lines.append(f"  window {before} → {after}{widened}")
        if self.count_change:
            lines.append(
                f"  people affected {self.count_before:,} → {self.count_after:,} "
                f"({self.count_change:+,})"
            )
        lines.append(
            "  SCOPE EXPANSION: the later revision widens the scope"
            if self.scope_expansion
            else "  no widening of scope"
        )
        return lines


def _window_text(window: tuple[str | None, str | None]) -> str:
    def short(moment: str | None) -> str:
        # 2026-09-01T00:00:00+00:00 reads as 2026-09-01 00:00 (all times are UTC)
        return moment[:16].replace("T", " ") if moment else "?"

    return f"{short(window[0])} .. {short(window[1])} UTC"


def diff_revisions(a: FactRevision, b: FactRevision) -> FactDiff:
    before = {item["element"]: effective_protection(item) for item in a.elements}
    after = {item["element"]: effective_protection(item) for item in b.elements}
    weakened, strengthened = [], []
    for element in sorted(before.keys() & after.keys()):
        old, new = before[element], after[element]
        change = ProtectionChange(element, _describe(a, element), _describe(b, element))
        if PROTECTION_STRENGTH[new] < PROTECTION_STRENGTH[old]:
            weakened.append(change)
        elif PROTECTION_STRENGTH[new] > PROTECTION_STRENGTH[old]:
            strengthened.append(change)
    return FactDiff(
        revision_a=a.number,
        revision_b=b.number,
        added_elements=[e for e in after if e not in before],
        removed_elements=[e for e in before if e not in after],
        weakened_elements=weakened,
        strengthened_elements=strengthened,
        window_before=_window(a),
        window_after=_window(b),
        window_widened=_window_widened(a, b),
        count_before=a.people_affected,
        count_after=b.people_affected,
    )


def _describe(revision: FactRevision, element: str) -> str:
    exposure = next(item for item in revision.elements if item["element"] == element)
    text = exposure["protection"]
    return f"{text}, key taken" if exposure.get("key_compromised") else text


def _window(revision: FactRevision) -> tuple[str | None, str | None]:
    return (
        revision.occurred_from.isoformat() if revision.occurred_from else None,
        revision.occurred_to.isoformat() if revision.occurred_to else None,
    )


def _window_widened(a: FactRevision, b: FactRevision) -> bool:
    # An end of the window that was unknown before and is known now is news, not
    # widening; a known end that moves outward is widening.
    starts_earlier = bool(a.occurred_from and b.occurred_from and b.occurred_from < a.occurred_from)
    ends_later = bool(a.occurred_to and b.occurred_to and b.occurred_to > a.occurred_to)
    return starts_earlier or ends_later
