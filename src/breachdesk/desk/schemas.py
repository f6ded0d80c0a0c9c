"""What the desk accepts and returns: inquiries from the portal, mail and agents;
library answers; replies; and the queue's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from breachdesk.desk.models import AnswerPurpose, InquiryCategory, InquirySource, InquiryStatus

LANGUAGES = ("en", "es")
MESSAGE_LIMIT = 10_000
ALSO_ASKED_LIMIT = 20
AlsoAsked = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


def _one_line(value: str) -> str:
    return " ".join(value.split())


class InquiryIn(BaseModel):
    """A question, as the portal form, the API, an email or an agent gives it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    message: str = Field(min_length=1, max_length=MESSAGE_LIMIT)
    subject: str = Field(default="", max_length=300)
    reference: str | None = Field(default=None, max_length=40)
    category: InquiryCategory = InquiryCategory.GENERAL
    language: str = "en"

    @field_validator("name", "subject")
    @classmethod
    def _single_line(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("email")
    @classmethod
    def _deliverable_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValueError(f"not an email address: {error}") from None

    @field_validator("phone", "reference")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        language = value.lower()[:2]
        return language if language in LANGUAGES else "en"


class Ticket(BaseModel):
    """What the inquirer gets back at once."""

    ticket: str
    received_at: datetime


class AnswerIn(BaseModel):
    """One library answer, as written by the desk lead; saved as a new version."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    language: str = Field(pattern=r"^(en|es)$")
    purpose: AnswerPurpose = AnswerPurpose.FAQ
    category: InquiryCategory = InquiryCategory.GENERAL
    question: str = Field(min_length=3, max_length=500)
    # Other ways customers ask it, for suggestion only: the more of them, the more
    # inquiries find this answer (docs/desk.md measures it).
    also_asked: list[AlsoAsked] = Field(default_factory=list, max_length=ALSO_ASKED_LIMIT)
    answer: str = Field(min_length=3, max_length=5_000)
    public: bool = True

    @model_validator(mode="after")
    def _distinct_questions(self) -> AnswerIn:
        """Repeats of the question, or of each other, add nothing: kept once."""
        seen = {self.question.casefold()}
        distinct = []
        for asked in self.also_asked:
            if asked.casefold() not in seen:
                seen.add(asked.casefold())
                distinct.append(asked)
        self.also_asked = distinct
        return self


class AnswerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    language: str
    version: int
    purpose: AnswerPurpose
    category: InquiryCategory
    question: str
    also_asked: list[str]
    answer: str
    public: bool
    approved: bool


class ReplyIn(BaseModel):
    """An agent's reply: an approved answer, or their own words (held for release)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer_id: int | None = None
    text: str | None = Field(default=None, max_length=MESSAGE_LIMIT)
    resolve: bool = True


class InquiryChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: InquiryCategory | None = None
    status: InquiryStatus | None = None
    assign_to: str | None = None  # a staff email; "" unassigns
    note: str | None = Field(default=None, max_length=MESSAGE_LIMIT)


class Clocks(BaseModel):
    """The inquiry's service-level clocks: when each step is due, and where it stands."""

    acknowledged_at: datetime | None
    first_response_at: datetime | None
    first_response_due: datetime
    resolved_at: datetime | None
    resolution_due: datetime
    state: str  # ok, warning, breached, met


class QueueRow(BaseModel):
    id: int
    ticket: str
    source: InquirySource
    category: InquiryCategory
    status: InquiryStatus
    language: str
    subject: str
    received_at: datetime
    assigned_to: str | None
    person: int | None
    clocks: Clocks


class MessageRead(BaseModel):
    direction: str
    body: str
    author: str
    created_at: datetime
    approved_answer_id: int | None
    released: bool


class InquiryRead(QueueRow):
    name: str
    email: str | None
    phone: str | None
    messages: list[MessageRead]
