"""Grades, measures and dimensions of the response scorecard, and the overall grade.

A dimension is graded from one or more measures, each a figure read against documented
thresholds (the named constants of the dimension's module, listed in docs/reports.md).
A dimension is as strong as its weakest measure: its grade is the lowest of theirs, and
its explanation gives each measure's sentence, the one that set the grade first. A
dimension that cannot be measured yet carries the reason instead of a grade and does not
count towards the overall grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

GRADES = ("A", "B", "C", "D", "F")
GRADE_POINTS = {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0, "F": 0.0}
# The overall grade from the average grade points of the graded dimensions: at least
# the number, the grade; below the last, F.
OVERALL_BANDS = ((3.5, "A"), (2.5, "B"), (1.5, "C"), (0.5, "D"))
# A dimension graded F is what the press writes about, whatever the average says: with
# one F the overall grade is no better than C, with two no better than D, with three or
# more it is F.
F_CAPS_OVERALL_AT = ("C", "D", "F")
# Grades a reader should worry about: the drill lists each as a gap.
POOR_GRADES = ("D", "F")


def at_most(value: float, bands: Sequence[tuple[float, str]]) -> str:
    """The grade of the first band whose limit ``value`` does not exceed; else F. For
    figures where less is better (days late, hours waited)."""
    for limit, grade in bands:
        if value <= limit:
            return grade
    return "F"


def at_least(value: float, bands: Sequence[tuple[float, str]]) -> str:
    """The grade of the first band whose limit ``value`` reaches; else F. For figures
    where more is better (the share told on time)."""
    for limit, grade in bands:
        if value >= limit:
            return grade
    return "F"


def worse(*grades: str) -> str:
    return max(grades, key=GRADES.index)


@dataclass(frozen=True)
class Measure:
    """One figure read against its thresholds, and the sentence that says so."""

    name: str
    grade: str
    sentence: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "grade": self.grade, "sentence": self.sentence}


@dataclass(frozen=True)
class Dimension:
    name: str
    title: str
    figures: dict[str, Any]
    measures: tuple[Measure, ...] = ()
    # Set when the dimension cannot be measured yet: why not, as a sentence.
    not_gradable: str | None = None
    extra: tuple[str, ...] = field(default=())  # context sentences that grade nothing

    @property
    def grade(self) -> str | None:
        if self.not_gradable is not None or not self.measures:
            return None
        return worse(*(measure.grade for measure in self.measures))

    @property
    def explanation(self) -> str:
        if self.grade is None:
            return f"Not yet gradable: {self.not_gradable or 'nothing to measure yet.'}"
        ordered = sorted(self.measures, key=lambda measure: -GRADES.index(measure.grade))
        sentences = [measure.sentence for measure in ordered] + list(self.extra)
        return f"{self.title} {self.grade}: " + " ".join(sentences)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "grade": self.grade,
            "gradable": self.grade is not None,
            "reason": self.not_gradable if self.grade is None else None,
            "figures": self.figures,
            "measures": [measure.as_dict() for measure in self.measures],
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Overall:
    grade: str | None
    grade_points: float | None
    graded: list[str]
    not_graded: list[str]
    capped_by: list[str]
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "gradable": self.grade is not None,
            "grade_points": self.grade_points,
            "graded_dimensions": self.graded,
            "not_graded_dimensions": self.not_graded,
            "capped_by": self.capped_by,
            "explanation": self.explanation,
        }


def overall(dimensions: Sequence[Dimension]) -> Overall:
    """The average grade points of the graded dimensions as a grade, held down by
    F_CAPS_OVERALL_AT according to how many of them are graded F."""
    graded = [dimension for dimension in dimensions if dimension.grade is not None]
    waiting = [dimension.name for dimension in dimensions if dimension.grade is None]
    if not graded:
        return Overall(
            None,
            None,
            [],
            waiting,
            [],
            "Not yet gradable: no dimension can be measured yet, so there is nothing to average.",
        )
    points = round(sum(GRADE_POINTS[d.grade or "F"] for d in graded) / len(graded), 2)
    grade = at_least(points, OVERALL_BANDS)
    failed = [dimension.name for dimension in graded if dimension.grade == "F"]
    ceiling = F_CAPS_OVERALL_AT[min(len(failed), len(F_CAPS_OVERALL_AT)) - 1] if failed else "A"
    capped = GRADES.index(grade) < GRADES.index(ceiling)
    if capped:
        grade = ceiling
    text = (
        f"Overall {grade}: the {len(graded)} graded dimensions average {points:.2f} grade "
        f"points (A is 4, F is 0)"
    )
    if capped:
        text += (
            f", but {_names(failed)} graded F hold{'s' if len(failed) == 1 else ''} it to {grade}"
        )
    text += "."
    if waiting:
        text += f" Not yet graded, so not counted: {_names(waiting)}."
    return Overall(grade, points, [d.name for d in graded], waiting, failed if capped else [], text)


def _names(names: Sequence[str]) -> str:
    words = [name.replace("_", " ") for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
