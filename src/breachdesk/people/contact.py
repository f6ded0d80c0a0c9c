"""A person's contact record: names, emails, phones and postal address, as one value.

It is encrypted as a whole (one cipher call per person, which is what lets an import
of 110 million people finish in minutes) and decrypted as a whole by the few places
that need it: rendering a notice, the portal, staff look-ups. The plaintext is the
fields joined by the ASCII unit separator, with list items joined by the record
separator; normalisation removes both characters from every value first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

FORMAT_VERSION = "c1"
FIELD_SEPARATOR = "\x1f"
ITEM_SEPARATOR = "\x1e"
CONTEXT = "affected_person.contact"

SCALAR_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "address_line1",
    "address_line2",
    "city",
    "subdivision",
    "postcode",
    "country",
)
LIST_FIELDS = ("emails", "phones")


@dataclass
class Contact:
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    suffix: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    subdivision: str | None = None
    postcode: str | None = None
    country: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def encode(self) -> str:
        scalars = [getattr(self, name) or "" for name in SCALAR_FIELDS]
        lists = [ITEM_SEPARATOR.join(getattr(self, name)) for name in LIST_FIELDS]
        return FIELD_SEPARATOR.join([FORMAT_VERSION, *scalars, *lists])

    @classmethod
    def decode(cls, text: str) -> Contact:
        version, *values = text.split(FIELD_SEPARATOR)
        if version != FORMAT_VERSION:
            raise ValueError(f"unknown contact record version {version!r}")
        scalars = dict(zip(SCALAR_FIELDS, values[: len(SCALAR_FIELDS)], strict=True))
        lists = dict(zip(LIST_FIELDS, values[len(SCALAR_FIELDS) :], strict=True))
        return cls(
            **{name: value or None for name, value in scalars.items()},
            **{name: value.split(ITEM_SEPARATOR) if value else [] for name, value in lists.items()},
        )


def encode_column(frame: pl.DataFrame) -> pl.Series:
    """Contact records for a whole chunk at once; ``frame`` has the Contact fields as
    columns (emails and phones as lists of strings)."""
    parts = [pl.lit(FORMAT_VERSION)]
    parts += [pl.col(name).fill_null("") for name in SCALAR_FIELDS]
    parts += [pl.col(name).list.join(ITEM_SEPARATOR).fill_null("") for name in LIST_FIELDS]
    return frame.select(pl.concat_str(parts, separator=FIELD_SEPARATOR).alias("contact"))["contact"]
