"""Input checks for staff accounts."""

from __future__ import annotations

import re

from pydantic import BaseModel, field_validator

from breachdesk.security.models import Role

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12


class StaffUserCreate(BaseModel):
    email: str
    role: Role
    password: str

    @field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str) -> str:
        value = value.strip().lower()
        if not EMAIL_PATTERN.match(value):
            raise ValueError("is not an email address")
        return value

    @field_validator("password")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters")
        return value


class StaffUserRead(BaseModel):
    id: int
    email: str
    role: Role
    active: bool
