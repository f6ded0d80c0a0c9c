"""The shape of a synthetic list: its columns, chunking and the constants every part shares."""

from __future__ import annotations

COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postcode",
    "country",
    "date_of_birth",
    "language",
    "exposed_ssn",
    "exposed_payment_card",
    "exposed_date_of_birth",
    "exposed_medical",
)
FORMATS = ("csv", "parquet")
MAX_COUNT = 999_999_999
MAX_SHARE = 0.5
DUPLICATE_KINDS = ("same_customer_id", "same_email_other_case", "same_name_birth_date_postcode")
BAD_ROW_KINDS = (
    "extra_field",
    "missing_field",
    "no_contact_or_jurisdiction",
    "invalid_email",
    "nul_in_name",
)
# Part of the output: changing it changes the file a seed gives.
CHUNK_ROWS = 1_000_000
# Ages count back from here, not from today, so a seed gives the same file next year.
REFERENCE_YEAR = 2026

# Columns as pieces ("slots"), each an index into its own table of strings. Columns that
# share a slot (second address line, city and state; language and the exposure flags) are
# one CSV piece: fewer pieces, faster rows. Row slots are not picked from a table but
# written per row as fixed-width digits: numbers that must not repeat.
_ROW_SLOTS = ("customer_id", "email_number")
_GROUPS = (
    (("customer_id",), ("customer_id",)),
    (("first_name",), ("first",)),
    (("last_name",), ("last",)),
    (("email",), ("email_first", "email_last", "email_number", "email_domain")),
    (("phone",), ("phone_head", "phone_tail")),
    (("address_line1",), ("street_head", "street_tail")),
    (("address_line2", "city", "state"), ("home",)),
    (("postcode",), ("postcode_head", "postcode_tail")),
    (("country",), ("country",)),
    (("date_of_birth",), ("birth_year", "birth_day")),
    (COLUMNS[12:], ("profile",)),
)
_EMAIL_STYLES = [
    (case, form, separator) for case in range(3) for form in range(2) for separator in range(3)
]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_WORDS = 6  # 64-bit hashes per person; `_Vocabulary.traits` says which bits pick what


def _csv_field(value: str | None) -> str:
    if value is None:
        return ""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value
