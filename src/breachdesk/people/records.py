"""From a raw chunk of a file to normalised person rows, and the issues found on the way.

Rows that cannot be used are quarantined with a reason; a value that cannot be used
is dropped from its row with a reason; nothing disappears unreported. The output has
one row per usable source row, with the match keys deduplication needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from breachdesk.incidents.models import DataElement
from breachdesk.people import normalise
from breachdesk.people.contact import FIELD_SEPARATOR, ITEM_SEPARATOR
from breachdesk.people.geo_data import US_STATE_NAMES
from breachdesk.people.mapping import ColumnPlan
from breachdesk.people.models import IssueAction, JurisdictionSource
from breachdesk.people.sources import RawChunk

MAX_VALUE_CHARS = 2000
US_AREAS = ("US", "PR", "GU", "VI", "AS", "MP")  # the US and its territories
ELEMENT_BITS = {element.value: 1 << position for position, element in enumerate(DataElement)}
# Six or more digits, spaces and dashes allowed between them: SSNs (123-45-6789), card
# and account numbers, phone numbers.
_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){5,}")
_NAME_FIELDS = ("first_name", "middle_name", "last_name", "suffix")


@dataclass
class Issue:
    row: int
    column: str | None
    action: IssueAction
    reason: str
    value: str | None = None


@dataclass
class PreparedChunk:
    people: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    rows_quarantined: int = 0


def redact(text: str) -> str:
    """Long digit runs (account, card, SSN-like numbers) masked, and length capped."""
    text = _LONG_DIGITS.sub(lambda match: re.sub(r"\d", "#", match.group()), text)
    return text if len(text) <= 200 else text[:200] + "…"


def elements_to_bits(elements: list[str]) -> int:
    bits = 0
    for element in elements:
        bits |= ELEMENT_BITS[element]
    return bits


def bits_to_elements(bits: int) -> list[str]:
    return [element for element, bit in ELEMENT_BITS.items() if bits & bit]


def element_set(bits: int | None) -> frozenset[DataElement] | None:
    """Stored element bits as elements; None (no per-person columns) stays None."""
    return None if bits is None else frozenset(DataElement(e) for e in bits_to_elements(bits))


def prepare_chunk(raw: RawChunk, plan: ColumnPlan, facts_bits: int) -> PreparedChunk:
    """One chunk normalised and checked; ``facts_bits`` are the incident's elements."""
    issues = [
        Issue(bad.row, None, IssueAction.QUARANTINED, bad.reason, redact(bad.text) or None)
        for bad in raw.bad_rows
    ]
    frame = _frame(raw, plan)
    frame = _quarantine_unreadable_values(frame, _used_columns(plan), issues)
    people = _quarantine_unusable(_normalise(frame, plan, facts_bits, issues), issues)
    return PreparedChunk(
        people=people,
        issues=issues,
        rows_read=raw.size + len(raw.bad_rows),
        rows_quarantined=sum(1 for issue in issues if issue.action == "quarantined"),
    )


def residence_and_elements(raw: RawChunk, plan: ColumnPlan, facts_bits: int) -> pl.DataFrame:
    """Each row's residence jurisdiction and exposed-element bits, decided as an import
    decides them, without the checks that decide whether a row can be imported."""
    people = _normalise(_frame(raw, plan), plan, facts_bits, issues=[])
    return people.select("_row", "jurisdiction", "elements")


def _used_columns(plan: ColumnPlan) -> list[str]:
    return [c for columns in plan.fields.values() for c in columns] + list(plan.elements)


def _frame(raw: RawChunk, plan: ColumnPlan) -> pl.DataFrame:
    frame = pl.DataFrame({"_row": raw.rows})
    return frame.with_columns(pl.from_arrow(raw.columns[c]).alias(c) for c in _used_columns(plan))


def _quarantine_unreadable_values(
    frame: pl.DataFrame, used: list[str], issues: list[Issue]
) -> pl.DataFrame:
    """Rows with NUL bytes, control separators or absurdly long values are set aside."""
    problems = []
    for column in used:
        text = pl.col(column).fill_null("")
        problems.append(
            pl.when(text.str.contains("\x00", literal=True))
            .then(pl.lit(f"NUL byte in column {column!r}"))
            .when(text.str.len_chars() > MAX_VALUE_CHARS)
            .then(
                pl.format(
                    f"value too long in column {column!r} ({{}} characters, "
                    f"at most {MAX_VALUE_CHARS})",
                    text.str.len_chars(),
                )
            )
            .when(
                text.str.contains(FIELD_SEPARATOR, literal=True)
                | text.str.contains(ITEM_SEPARATOR, literal=True)
            )
            .then(pl.lit(f"control characters in column {column!r}"))
            .otherwise(None)
            .alias(f"_problem_{column}"),
        )
    if not problems:
        return frame
    checked = frame.with_columns(pl.coalesce(problems).alias("_problem"))
    bad = checked.filter(pl.col("_problem").is_not_null())
    for row, reason in bad.select("_row", "_problem").iter_rows():
        issues.append(Issue(row, None, IssueAction.QUARANTINED, reason))
    return checked.filter(pl.col("_problem").is_null()).drop("_problem")


def _column(frame: pl.DataFrame, plan: ColumnPlan, target: str) -> pl.Series:
    columns = plan.fields.get(target)
    if not columns:
        return pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias(target)
    return frame[columns[0]].alias(target)


def _record_problems(
    rows: pl.Series, problems: pl.Series, values: pl.Series, column: str, issues: list[Issue]
) -> None:
    mask = problems.is_not_null()
    if not mask.any():
        return
    for row, problem, value in zip(
        rows.filter(mask), problems.filter(mask), values.filter(mask), strict=True
    ):
        issues.append(Issue(row, column, IssueAction.VALUE_DROPPED, problem, redact(value or "")))


def _normalise(
    frame: pl.DataFrame, plan: ColumnPlan, facts_bits: int, issues: list[Issue]
) -> pl.DataFrame:
    rows = frame["_row"]
    column_name = {target: columns[0] for target, columns in plan.fields.items()}

    names = {name: normalise.normalise_text(_column(frame, plan, name)) for name in _NAME_FIELDS}
    if "full_name" in plan.fields:
        split = normalise.split_full_names(
            normalise.normalise_text(_column(frame, plan, "full_name"))
        )
        needs_split = names["first_name"].is_null() & names["last_name"].is_null()
        for name in _NAME_FIELDS:
            names[name] = (
                pl.select(pl.when(needs_split).then(split[name]).otherwise(names[name]))
                .to_series()
                .alias(name)
            )

    countries = normalise.normalise_countries(_column(frame, plan, "country"))
    _record_problems(
        rows,
        countries["problem"],
        _column(frame, plan, "country"),
        column_name.get("country"),
        issues,
    )
    country = countries["country"]

    emails = []
    for source in plan.fields.get("email", []):
        checked = normalise.normalise_emails(frame[source])
        _record_problems(rows, checked["problem"], frame[source], source, issues)
        emails.append(checked["email"])
    phones = []
    for source in plan.fields.get("phone", []):
        checked = normalise.normalise_phones(frame[source], country)
        _record_problems(rows, checked["problem"], frame[source], source, issues)
        phones.append(checked["phone"])

    # A blank country means the US (lists are mostly domestic); a country given but not
    # recognised does not, so its ZIP-like postcode is never read as a US state.
    country_given = normalise.normalise_text(_column(frame, plan, "country")).is_not_null()
    is_us = (country.is_null() & ~country_given) | country.is_in(US_AREAS)
    us = normalise.normalise_us_addresses(
        _column(frame, plan, "address_line1"),
        _column(frame, plan, "address_line2"),
        _column(frame, plan, "city"),
        _column(frame, plan, "state"),
        _column(frame, plan, "postcode"),
        _column(frame, plan, "address"),
    )
    # An address problem may lie in any of its parts: report them together.
    address_text = pl.DataFrame(
        [_column(frame, plan, part) for part in ("address", "city", "state", "postcode")]
    ).select(pl.concat_str(pl.all(), separator=" ", ignore_nulls=True).str.strip_chars())
    _record_problems(
        rows,
        us["problem"].zip_with(is_us, pl.Series([None] * len(rows), dtype=pl.String)),
        address_text.to_series(),
        "address",
        issues,
    )
    plain = {
        target: normalise.normalise_text(_column(frame, plan, target))
        for target in ("address_line1", "address_line2", "city", "state", "postcode")
    }
    address = pl.DataFrame(
        {
            "address_line1": us["line1"].zip_with(is_us, plain["address_line1"]),
            "address_line2": us["line2"].zip_with(is_us, plain["address_line2"]),
            "city": us["city"].zip_with(is_us, plain["city"]),
            "subdivision": us["state"].zip_with(is_us, plain["state"]),
            "postcode": us["postcode"].zip_with(is_us, plain["postcode"].str.to_uppercase()),
        }
    )

    zip_state = normalise.states_from_zip(address["postcode"]).zip_with(
        is_us, pl.Series([None] * len(rows), dtype=pl.String)
    )
    conflicts = normalise.zip_state_conflicts(address["subdivision"], address["postcode"]) & is_us
    for row, state, postcode in zip(
        rows.filter(conflicts),
        address["subdivision"].filter(conflicts),
        address["postcode"].filter(conflicts),
        strict=True,
    ):
        issues.append(
            Issue(
                row,
                column_name.get("state"),
                IssueAction.FLAGGED,
                f"state {state} does not match ZIP {postcode}",
                None,
            )
        )

    dates = normalise.parse_dates(_column(frame, plan, "date_of_birth"))
    _record_problems(
        rows,
        dates["problem"],
        _column(frame, plan, "date_of_birth"),
        column_name.get("date_of_birth"),
        issues,
    )
    flags = {}
    for flag in ("minor", "deceased", "no_contact"):
        parsed = normalise.parse_flags(_column(frame, plan, flag))
        _record_problems(
            rows, parsed["problem"], _column(frame, plan, flag), column_name.get(flag), issues
        )
        flags[flag] = parsed["flag"].fill_null(False)

    people = pl.DataFrame(
        {
            "_row": rows,
            "external_id": normalise.normalise_text(_column(frame, plan, "external_id")),
            **names,
            "emails": _as_list(emails, frame.height),
            "phones": _as_list(phones, frame.height),
            **address.to_dict(),
            "country": country,
            "_zip_state": zip_state,
            "_is_us": is_us,
            "_stated": normalise.normalise_text(_column(frame, plan, "jurisdiction")),
            "language": normalise.normalise_languages(_column(frame, plan, "language")),
            "date_of_birth": dates["date"],
            **flags,
            "elements": _element_bits(frame, plan, facts_bits),
        }
    )
    return people.pipe(_jurisdiction).pipe(_channels_and_keys)


def _as_list(columns: list[pl.Series], height: int) -> pl.Series:
    if not columns:
        # One empty list, repeated: building a Python list per row is slow.
        return pl.Series([[]], dtype=pl.List(pl.String)).gather(np.zeros(height, dtype=np.int64))
    return (
        pl.DataFrame([column.alias(f"_{i}") for i, column in enumerate(columns)])
        .select(pl.concat_list(pl.all()).list.drop_nulls().list.unique(maintain_order=True))
        .to_series()
    )


def _element_bits(frame: pl.DataFrame, plan: ColumnPlan, facts_bits: int) -> pl.Series:
    """The exposed-element bit set per row, or null when the file has no element columns.

    A file's element columns speak for their own elements only: the incident's other
    elements (usually the name and address the file itself holds) reached everyone.
    """
    if not plan.elements:
        return pl.Series([None] * frame.height, dtype=pl.Int64)
    spoken_for = elements_to_bits([element.value for element in plan.elements.values()])
    bits = pl.lit(facts_bits & ~spoken_for, dtype=pl.Int64)
    for column, element in plan.elements.items():
        value = pl.col(column).fill_null("").str.strip_chars().str.to_lowercase()
        exposed = (value != "") & ~value.is_in(["n", "no", "false", "f", "0"])
        bits = bits | pl.when(exposed).then(ELEMENT_BITS[element.value]).otherwise(0)
    return frame.select(bits.alias("elements")).to_series()


def _jurisdiction(people: pl.DataFrame) -> pl.DataFrame:
    stated = pl.col("_stated").str.to_uppercase()
    us_state = pl.col("subdivision")
    country = pl.col("country")
    territory = country.is_in(US_AREAS[1:])
    return people.with_columns(
        pl.when(stated.is_not_null())
        .then(_stated_code(stated))
        .when(territory)
        .then(pl.lit("US-") + country)
        .when(pl.col("_is_us") & us_state.is_not_null())
        .then(pl.lit("US-") + us_state)
        .when(~pl.col("_is_us"))
        .then(country)
        .when(pl.col("_zip_state").is_not_null())
        .then(pl.lit("US-") + pl.col("_zip_state"))
        .otherwise(None)
        .alias("jurisdiction"),
        pl.when(stated.is_not_null())
        .then(pl.lit(JurisdictionSource.STATED.value))
        .when(territory | (pl.col("_is_us") & us_state.is_not_null()) | ~pl.col("_is_us"))
        .then(pl.lit(JurisdictionSource.ADDRESS.value))
        .when(pl.col("_zip_state").is_not_null())
        .then(pl.lit(JurisdictionSource.POSTCODE.value))
        .otherwise(pl.lit(JurisdictionSource.UNKNOWN.value))
        .alias("jurisdiction_source"),
        # A missing state is filled from the ZIP code.
        pl.when(pl.col("_is_us") & us_state.is_null())
        .then(pl.col("_zip_state"))
        .otherwise(us_state)
        .alias("subdivision"),
    ).drop("_stated", "_zip_state", "_is_us")


def _stated_code(stated: pl.Expr) -> pl.Expr:
    """'US-TX', 'TX' (a US state) and 'GB' as written; 'US' alone stays 'US'."""
    return (
        pl.when(stated.str.contains(r"^[A-Z]{2}-[A-Z0-9]{1,3}$"))
        .then(stated)
        .when(stated.is_in(list(US_STATE_NAMES)))
        .then(pl.lit("US-") + stated)
        .when(stated.str.contains(r"^[A-Z]{2}$"))
        .then(stated)
        .otherwise(None)
    )


def _channels_and_keys(people: pl.DataFrame) -> pl.DataFrame:
    lower = {name: pl.col(name).str.to_lowercase() for name in ("first_name", "last_name")}
    postcode_key = pl.col("postcode").str.replace_all(r"[\s-]", "").str.to_uppercase()
    postcode5 = (
        pl.when(pl.col("country").is_null() | pl.col("country").is_in(US_AREAS))
        .then(postcode_key.str.slice(0, 5))
        .otherwise(postcode_key)
    )
    return people.with_columns(
        pl.col("language").fill_null("en"),
        (pl.col("emails").list.len() > 0).alias("has_email"),
        (pl.col("phones").list.len() > 0).alias("has_phone"),
        (
            pl.col("address_line1").is_not_null()
            & (pl.col("postcode").is_not_null() | pl.col("city").is_not_null())
        ).alias("has_postal"),
        pl.col("external_id").alias("k_external"),
        pl.col("emails").list.first().str.to_lowercase().alias("k_email"),
        pl.concat_str(
            [
                lower["first_name"],
                lower["last_name"],
                pl.col("date_of_birth").cast(pl.String),
                postcode5,
            ],
            separator="|",
        ).alias("k_identity"),
        pl.concat_str([pl.col("address_line1").str.to_uppercase(), postcode5], separator="|").alias(
            "k_address"
        ),
        pl.concat_str([lower["last_name"], postcode5], separator="|").alias("k_name_postcode"),
    )


def _quarantine_unusable(people: pl.DataFrame, issues: list[Issue]) -> pl.DataFrame:
    anonymous = (
        pl.col("first_name").is_null()
        & pl.col("last_name").is_null()
        & ~pl.col("has_email")
        & pl.col("external_id").is_null()
    )
    unreachable = (
        ~pl.col("has_email")
        & ~pl.col("has_phone")
        & ~pl.col("has_postal")
        & pl.col("jurisdiction").is_null()
    )
    reason = (
        pl.when(anonymous)
        .then(pl.lit("no name, email or id: cannot tell who this is"))
        .when(unreachable)
        .then(pl.lit("no email, phone or postal address, and no jurisdiction"))
        .otherwise(None)
    )
    checked = people.with_columns(reason.alias("_quarantine"))
    for row, why in (
        checked.filter(pl.col("_quarantine").is_not_null())
        .select("_row", "_quarantine")
        .iter_rows()
    ):
        issues.append(Issue(row, None, IssueAction.QUARANTINED, why))
    return checked.filter(pl.col("_quarantine").is_null()).drop("_quarantine")
