"""How often answer suggestion puts the right approved answer first, on the test cases.

    .venv/bin/python benchmarks/suggestion.py [--misses]

Ranks both case sets in tests/desk (the first set and the held-out one) against the test
library, with and without each entry's other phrasings, with the semantic ranker (when
its extra is installed) and the keyword ranker, and prints the table in docs/desk.md.
The tests hold the same figures as floors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.desk.test_suggest import BARE_LIBRARY, CASES, HELD_OUT, LIBRARY, Case, measure

from breachdesk.desk.suggest import KeywordRanker, SemanticRanker, load_model, semantic_available


def _count(cases: list[Case], share: float) -> str:
    return f"{round(share * len(cases))} / {len(cases)} = {share:.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list each first-place miss")
    options = parser.parse_args()
    rankers = [("keyword", KeywordRanker())]
    if semantic_available():
        rankers.insert(0, ("semantic", SemanticRanker(model=load_model())))
    else:
        print("the semantic extra is not installed: keyword ranker only")
    print("| ranker, library | first set: first | top 3 | held out: first | top 3 |")
    print("|---|---|---|---|---|")
    for name, ranker in rankers:
        for library_name, library in (("with other phrasings", LIBRARY),
                                      ("stored questions only", BARE_LIBRARY)):  # fmt: skip
            cells = []
            for cases in (CASES, HELD_OUT):
                result = measure(ranker, cases=cases, library=library)
                cells += [_count(cases, result.top1), _count(cases, result.top3)]
                if options.misses:
                    print(result.report(), file=sys.stderr)
            print(f"| {name}, {library_name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
