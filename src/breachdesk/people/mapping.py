"""Which source column feeds which field, and refusing columns that hold stolen values.

Columns are mapped automatically from common header names; a mapping file overrides
(docs/people-import.md). breachdesk never stores the stolen values themselves: a
column that holds SSNs, card numbers, account numbers or passwords is refused unless
the mapping turns it into an exposed-element flag ({element: ssn}), in which case
only "this person's SSN was exposed" is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_validator

from breachdesk.incidents.models import DataElement
from breachdesk.inputs import InputError, load_yaml_mapping, parse_model
from breachdesk.people.sources import ENCODINGS, FORMATS

# Fields a column can feed; email and phone may be fed by several columns.
FIELDS = (
    "external_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "full_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "address",
    "city",
    "state",
    "postcode",
    "country",
    "jurisdiction",
    "language",
    "date_of_birth",
    "minor",
    "deceased",
    "no_contact",
)
MULTI_FIELDS = ("email", "phone")
IGNORE = "ignore"

_SYNONYMS = {
    "external_id": "id customer_id customer_number customer_no cust_id cust_no member_id "
    "account_id patient_id client_id record_id user_id person_id external_id",
    "first_name": "first_name firstname first given_name givenname forename fname",
    "middle_name": "middle_name middlename middle middle_initial mi",
    "last_name": "last_name lastname last surname family_name familyname lname",
    "suffix": "suffix name_suffix",
    "full_name": "name full_name fullname customer_name display_name",
    "email": "email e_mail email_address emailaddress mail primary_email email1 email2",
    "phone": "phone phone_number telephone tel mobile mobile_phone cell home_phone "
    "phone1 phone2 work_phone",
    "address_line1": "address_line1 address_line_1 address1 addr1 street street_address "
    "address_1 line1",
    "address_line2": "address_line2 address_line_2 address2 addr2 address_2 line2 apt unit",
    "address": "address full_address mailing_address postal_address",
    "city": "city town locality",
    "state": "state st province region state_code subdivision",
    "postcode": "postcode postal_code zip zipcode zip_code post_code postalcode",
    "country": "country country_code nation",
    "jurisdiction": "jurisdiction residence_jurisdiction",
    "language": "language lang preferred_language locale",
    "date_of_birth": "date_of_birth dob birth_date birthdate",
    "minor": "minor is_minor",
    "deceased": "deceased is_deceased",
    "no_contact": "no_contact do_not_contact dnc",
}
_HEADER_TO_FIELD = {
    synonym: target for target, words in _SYNONYMS.items() for synonym in words.split()
}
_REPEATED_HEADER = re.compile(r"^(.*) \((\d+)\)$")
_ELEMENT_FLAG = re.compile(r"^(?:exposed|element|breached)_(?P<element>[a-z_]+)$")

# Headers and value patterns that mean a column holds the stolen values themselves.
_SENSITIVE_HEADERS = {
    "ssn": "ssn social_security social_security_number socsec sin national_id tax_id itin",
    "payment_card": "card_number cardnumber card_no cc_number credit_card ccn pan "
    "debit_card primary_account_number",
    "card_security_code": "cvv cvv2 cvc card_security_code security_code",
    "financial_account": "account_number acct_number bank_account iban routing_number account_no",
    "account_credentials": "password passwd pwd password_hash passcode",
    "pin": "pin pin_code",
    "drivers_license": "drivers_license driver_license dl_number license_number",
    "passport": "passport passport_number",
}
_SENSITIVE_HEADER_TO_ELEMENT = {
    header: element for element, words in _SENSITIVE_HEADERS.items() for header in words.split()
}
_SSN_VALUE = r"^\d{3}-\d{2}-\d{4}$"
_CARD_VALUE = r"^\d{4}([ -]?\d{4}){2}[ -]?\d{1,7}$"
_SAMPLE_SIZE = 2000
_PATTERN_SHARE = 0.5


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


class ElementTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    element: DataElement


class MappingFile(BaseModel):
    """A mapping file: how to read the file and which column feeds which field."""

    model_config = ConfigDict(extra="forbid")
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    sheet: str | None = None
    columns: dict[str, str | ElementTarget] = {}

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        if value is not None and value not in FORMATS:
            raise ValueError(f"must be one of {', '.join(FORMATS)}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ENCODINGS:
            raise ValueError(f"must be one of {', '.join(ENCODINGS)}")
        return value.lower() if value else value

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, columns: dict[str, Any]) -> dict[str, Any]:
        for source, target in columns.items():
            if isinstance(target, str) and target not in (*FIELDS, IGNORE):
                raise ValueError(
                    f"column {source!r}: {target!r} is not a field; allowed: "
                    f"{', '.join(FIELDS)}, ignore, or {{element: <data element>}}"
                )
        return columns


def load_mapping_file(path: Path | None) -> MappingFile:
    if path is None:
        return MappingFile()
    return parse_model(MappingFile, load_yaml_mapping(path), source=str(path))


@dataclass(frozen=True)
class ColumnPlan:
    """The decided mapping for one file."""

    fields: dict[str, list[str]]  # field -> source columns, in file order
    elements: dict[str, DataElement]  # source column -> element flag it sets
    ignored: list[str]

    def as_dict(self) -> dict[str, Any]:
        plan: dict[str, Any] = {}
        for target, columns in self.fields.items():
            for column in columns:
                plan[column] = target
        for column, element in self.elements.items():
            plan[column] = {"element": element.value}
        for column in self.ignored:
            plan[column] = IGNORE
        return plan


def plan_columns(headers: list[str], mapping: MappingFile) -> ColumnPlan:
    """Apply the mapping file, then auto-map the rest; unmatched columns are ignored."""
    unknown = [column for column in mapping.columns if column not in headers]
    if unknown:
        raise InputError(
            f"mapping: column {unknown[0]!r} is not in the file; its columns are "
            f"{', '.join(repr(h) for h in headers)}"
        )
    fields: dict[str, list[str]] = {}
    elements: dict[str, DataElement] = {}
    ignored: list[str] = []
    for header in headers:
        target = mapping.columns.get(header) or _auto_target(header)
        if isinstance(target, ElementTarget):
            elements[header] = target.element
        elif isinstance(target, DataElement):
            elements[header] = target
        elif target is None or target == IGNORE:
            ignored.append(header)
        else:
            fields.setdefault(target, []).append(header)
    for target, columns in fields.items():
        if len(columns) > 1 and target not in MULTI_FIELDS:
            raise InputError(
                f"mapping: columns {', '.join(repr(c) for c in columns)} all map to "
                f"{target}; map one of them to {target} and the others to ignore"
            )
    return ColumnPlan(fields, elements, ignored)


def _auto_target(header: str) -> str | DataElement | None:
    key = header_key(header)
    if key in _HEADER_TO_FIELD:
        return _HEADER_TO_FIELD[key]
    # A repeated header ("email (2)", see unique_headers) feeds the same field when that
    # field takes several columns; a second last_name column is left out.
    repeated = _REPEATED_HEADER.match(header)
    if repeated and _HEADER_TO_FIELD.get(header_key(repeated.group(1))) in MULTI_FIELDS:
        return _HEADER_TO_FIELD[header_key(repeated.group(1))]
    match = _ELEMENT_FLAG.match(key)
    if match and match.group("element") in DataElement.__members__.values():
        return DataElement(match.group("element"))
    return None


def refuse_stolen_values(
    plan: ColumnPlan, mapping: MappingFile, columns: dict[str, pa.Array]
) -> None:
    """Refuse the file when a column (not mapped to an element flag) holds stolen values.

    Checked by header name and, on a sample of values, by pattern (SSN-shaped values,
    card numbers that pass the Luhn check). A column the mapping file ignores by name
    is the user's explicit decision and is not checked.
    """
    explicitly_ignored = {c for c, t in mapping.columns.items() if t == IGNORE}
    for column, values in columns.items():
        if column in plan.elements or column in explicitly_ignored:
            continue
        element = _SENSITIVE_HEADER_TO_ELEMENT.get(header_key(column))
        evidence = f"its header {column!r}"
        if element is None:
            element, evidence = _sensitive_by_value(values)
        if element is None:
            continue
        raise InputError(
            f"column {column!r} holds {_describe(element)} ({evidence}); breachdesk never "
            f"stores stolen values. Map it to the exposed-element flag in a mapping file "
            f"(columns: {{{column!r}: {{element: {element}}}}}) to keep only that it was "
            f"exposed, or to ignore to leave it out"
        )


def _sensitive_by_value(values: pa.Array) -> tuple[str | None, str]:
    sample = pc.utf8_trim_whitespace(values.slice(0, _SAMPLE_SIZE))
    sample = sample.filter(pc.not_equal(sample, ""))
    if len(sample) == 0:
        return None, ""
    ssn_share = pc.mean(pc.match_substring_regex(sample, _SSN_VALUE).cast(pa.int8())).as_py()
    if ssn_share >= _PATTERN_SHARE:
        return "ssn", f"{ssn_share:.0%} of sampled values look like NNN-NN-NNNN"
    card_like = sample.filter(pc.match_substring_regex(sample, _CARD_VALUE))
    if len(card_like) >= _PATTERN_SHARE * len(sample):
        digits = pc.replace_substring_regex(card_like, r"[ -]", "").to_pylist()
        passing = sum(1 for number in digits if _luhn_valid(number))
        if passing >= _PATTERN_SHARE * len(sample):
            return "payment_card", f"{passing / len(sample):.0%} of sampled values are card numbers"
    return None, ""


def _luhn_valid(number: str) -> bool:
    digits = np.frombuffer(number.encode("ascii"), dtype=np.uint8) - ord("0")
    doubled = digits[::-1].copy()
    doubled[1::2] *= 2
    doubled[doubled > 9] -= 9
    return int(doubled.sum()) % 10 == 0


def _describe(element: str) -> str:
    return {
        "ssn": "Social Security or national identity numbers",
        "payment_card": "payment card numbers",
        "card_security_code": "card security codes",
        "financial_account": "financial account numbers",
        "account_credentials": "passwords",
        "pin": "PINs",
        "drivers_license": "driver's licence numbers",
        "passport": "passport numbers",
    }.get(element, element)
