"""Loading the rule files: every file validated, or a message naming the file and field.

Run ``python -m breachdesk.rules.catalog`` to check every file and print a summary.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from breachdesk.inputs import InputError, NotFound, load_yaml_mapping, parse_model
from breachdesk.rules.schema import Jurisdiction

DATA_DIR = Path(__file__).parent / "data"


def load_rule_file(path: Path) -> Jurisdiction:
    rule = parse_model(Jurisdiction, load_yaml_mapping(path), source=str(path))
    if path.stem != rule.code:
        raise InputError(f"{path}: holds code {rule.code}; the file must be named {rule.code}.yaml")
    return rule


def load_rules(directory: Path = DATA_DIR) -> dict[str, Jurisdiction]:
    """Every rule file in ``directory``, by code, in code order."""
    rules = {}
    for path in sorted(directory.glob("*.yaml")):
        rule = load_rule_file(path)
        rules[rule.code] = rule
    if not rules:
        raise InputError(f"{directory}: no rule files (*.yaml)")
    return rules


@cache
def shipped_rules() -> dict[str, Jurisdiction]:
    """The rule files that ship with breachdesk, loaded once per process."""
    return load_rules(DATA_DIR)


def rule_for(code: str) -> Jurisdiction:
    rules = shipped_rules()
    try:
        return rules[code.upper()]
    except KeyError:
        raise NotFound(
            f"no rule file for {code!r}; `breachdesk law list` shows the codes"
        ) from None


def main() -> int:
    try:
        rules = load_rules()
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for rule in rules.values():
        print(f"{rule.code:10} {rule.name} (reviewed {rule.last_reviewed})")
    print(f"{len(rules)} rule files valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
