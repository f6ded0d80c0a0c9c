"""What the regulator-notice reports read and produce: a notice document and its fields,
a notice's submission status, and a submission to record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from breachdesk.incidents.schemas import UTCTime
from breachdesk.reports.models import RegulatorSubmission, SubmissionMethod

GAP_PREFIX = "to complete before sending: "
# The notice id the CLI, the files and the submissions use for the notice to the
# consumer reporting agencies (rule files' own ids are never "cra": a test checks).
CRA = "cra"


@dataclass(frozen=True)
class NoticeField:
    """One thing the regulator asks for: its value, or what must be completed."""

    item: str  # a content item of the rule files' vocabulary
    label: str
    value: str | None  # as printed; None when the stored data cannot fill it
    data: Any = None  # the value for machines (a count, an ISO date, a list)
    gap: str | None = None  # what to complete before sending, when value is None

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "label": self.label,
            "value": self.value,
            "data": self.data,
            "gap": GAP_PREFIX + self.gap if self.gap else None,
        }


@dataclass(frozen=True)
class SampleNotice:
    """The consumer notice as a resident of the jurisdiction gets it, with a sample
    name and reference in place of a real person's."""

    residence: str | None
    template_version: str
    language: str
    fact_revision: int
    title: str
    parts: tuple[tuple[str | None, tuple[str, ...]], ...]
    text: str


@dataclass(frozen=True)
class Deadline:
    day: date | None  # None where the law sets no fixed time
    at: datetime | None  # the instant, for deadlines counted in hours
    measure: str | None  # "30 days after discovery", "with the notices to individuals"
    standard: str  # the statute's words
    reasons: tuple[str, ...] = ()  # what moved it (a law-enforcement delay)

    @property
    def text(self) -> str:
        if self.day is None:
            return self.standard + (f" ({self.measure})" if self.measure else "")
        when = self.at.strftime("%Y-%m-%d %H:%M UTC") if self.at else self.day.isoformat()
        return f"{when} ({self.measure}); the statute: {self.standard}"

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat() if self.day else None,
            "at": self.at.isoformat() if self.at else None,
            "measure": self.measure,
            "standard": self.standard,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class NoticeDocument:
    """One notice to one regulator (or to the consumer reporting agencies), as filed."""

    jurisdiction: str
    jurisdiction_name: str
    notice: str  # the rule file's notice id, or CRA
    agency: str
    citation: str
    source: str
    counted: int  # the residents counted against the threshold
    deadline: Deadline
    timing: str | None
    submit_to: str | None
    condition: str | None
    rules_last_reviewed: date
    incident: int
    fact_revision: int
    organisation: dict[str, str]
    fields: tuple[NoticeField, ...]
    notes: tuple[str, ...]
    sample: SampleNotice | None
    disclaimer: str
    extra_gaps: tuple[str, ...] = ()  # gaps outside the fields (where to send it)

    @property
    def name(self) -> str:
        """The stable file name, without extension: ``US-MA-ag``."""
        return f"{self.jurisdiction}-{self.notice}"

    @property
    def gaps(self) -> list[str]:
        found = [f"{field.label}: {field.gap}" for field in self.fields if field.gap]
        return [GAP_PREFIX + gap for gap in (*found, *self.extra_gaps)]

    def as_json(self) -> dict[str, Any]:
        sample = self.sample
        return {
            "kind": "cra" if self.notice == CRA else "regulator",
            "jurisdiction": {"code": self.jurisdiction, "name": self.jurisdiction_name},
            "notice": self.notice,
            "agency": self.agency,
            "citation": self.citation,
            "source": self.source,
            "residents_counted": self.counted,
            "deadline": self.deadline.as_json(),
            "timing": self.timing,
            "submit_to": self.submit_to,
            "condition": self.condition,
            "rules_last_reviewed": self.rules_last_reviewed.isoformat(),
            "incident": self.incident,
            "fact_revision": self.fact_revision,
            "organisation": self.organisation,
            "fields": [field.as_json() for field in self.fields],
            "gaps": self.gaps,
            "notes": list(self.notes),
            "consumer_notice": None
            if sample is None
            else {
                "residence": sample.residence,
                "template_version": sample.template_version,
                "language": sample.language,
                "fact_revision": sample.fact_revision,
                "text": sample.text,
            },
            "disclaimer": self.disclaimer,
        }


@dataclass(frozen=True)
class SubmissionRead:
    number: int
    method: str
    reference: str
    submitted_at: datetime
    submitted_by: str
    document_sha256: str | None
    document_name: str | None
    fact_revision: int

    @classmethod
    def of(cls, row: RegulatorSubmission) -> SubmissionRead:
        return cls(
            number=row.number,
            method=row.method.value,
            reference=row.reference,
            submitted_at=row.submitted_at,
            submitted_by=row.submitted_by,
            document_sha256=row.document_sha256,
            document_name=row.document_name,
            fact_revision=row.fact_revision,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "method": self.method,
            "reference": self.reference,
            "submitted_at": self.submitted_at.isoformat(),
            "submitted_by": self.submitted_by,
            "document_sha256": self.document_sha256,
            "document_name": self.document_name,
            "fact_revision": self.fact_revision,
        }


def residents_needed(threshold: int, max_residents: int | None) -> str:
    """The count that makes a notice required, in words: "500 needed", "1 to 499 needed"."""
    if max_residents is None:
        return f"{threshold:,} needed"
    return f"{threshold:,} to {max_residents:,} needed"


# A notice's state on the dashboard.
NOT_REQUIRED, DUE, OVERDUE, SUBMITTED = "not_required", "due", "overdue", "submitted"


@dataclass(frozen=True)
class NoticeStatus:
    """Whether a notice is owed, by when, and whether it went."""

    jurisdiction: str
    jurisdiction_name: str
    notice: str
    agency: str
    required: bool
    counted: int
    threshold: int
    deadline: Deadline
    state: str  # NOT_REQUIRED, DUE, OVERDUE or SUBMITTED
    days_left: int | None  # days to the deadline (negative: past it); None without one
    on_time: bool | None  # for a submitted notice with a deadline: was the first in time
    submissions: tuple[SubmissionRead, ...]
    fact_revision: int  # the incident's current revision
    condition: str | None = None
    max_residents: int | None = None  # required only up to this many

    @property
    def revised_since(self) -> bool:
        """The facts changed after the latest submission: an amended notice may be due."""
        return bool(self.submissions) and self.submissions[-1].fact_revision < self.fact_revision

    def summary(self) -> str:
        deadline = self.deadline
        if self.state == SUBMITTED:
            first, last = self.submissions[0], self.submissions[-1]
            text = f"submitted {first.submitted_at.date().isoformat()} (ref {first.reference})"
            if self.on_time is not None:
                text += ", on time" if self.on_time else ", late"
            if last.number > 1:
                text += f"; amended {last.submitted_at.date().isoformat()} (ref {last.reference})"
            if self.revised_since:
                text += f"; facts revised since (now revision {self.fact_revision})"
            return text
        if self.state == NOT_REQUIRED:
            needed = residents_needed(self.threshold, self.max_residents)
            return f"not required ({self.counted:,} counted, {needed})"
        if self.days_left is None:
            return f"due: {deadline.text}"
        when = deadline.at.strftime("%Y-%m-%d %H:%M UTC") if deadline.at else deadline.day
        if self.state == OVERDUE:
            if self.days_left < 0:
                return f"OVERDUE by {-self.days_left} days (was due {when})"
            return f"OVERDUE since {when}"  # a deadline in hours, passed today
        return f"due in {self.days_left} days ({when})"

    def as_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "jurisdiction_name": self.jurisdiction_name,
            "notice": self.notice,
            "agency": self.agency,
            "required": self.required,
            "residents_counted": self.counted,
            "threshold": self.threshold,
            "max_residents": self.max_residents,
            "deadline": self.deadline.as_json(),
            "condition": self.condition,
            "state": self.state,
            "days_left": self.days_left,
            "on_time": self.on_time,
            "revised_since": self.revised_since,
            "submissions": [submission.as_json() for submission in self.submissions],
            "summary": self.summary(),
        }


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class SubmissionIn(BaseModel):
    """A submission to record, as the CLI (and later the console) gives it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    jurisdiction: str = Field(min_length=2, max_length=16)
    notice: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=200)
    method: SubmissionMethod = SubmissionMethod.WEB_FORM
    submitted_at: UTCTime | None = None  # None: now
    document_sha256: str | None = None
    document_name: str | None = Field(default=None, max_length=300)
    amended: bool = False

    @field_validator("jurisdiction")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("notice")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("document_sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256.match(value.lower()):
            raise ValueError("is not a SHA-256 (64 hexadecimal characters)")
        return value.lower() if value else None
