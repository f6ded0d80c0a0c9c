"""Normalising the columns of an affected-people list, a whole column at a time.

Lists run to 110 million rows, so each normaliser is a polars expression over the column
(its fast path) that decides a value only where it is sure to agree with the reference
library for that kind of value. The values it cannot decide are deduplicated and given,
once each, to the library (email-validator, phonenumbers, pycountry, scourgify), and the
answers are put back in place.

A missing value (null, empty or only whitespace) comes back null with no problem. A value
that cannot be used comes back null with a short `problem`. Problems never quote the
value: it is personal data, and problems are stored in the clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import phonenumbers
import polars as pl
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from scourgify import normalize_address_record
from scourgify.exceptions import AddressNormalizationError

from breachdesk.people.geo_data import (
    country_codes,
    fold_name,
    language_tags,
    states_with_zips_starting,
    us_state_codes,
    zip3_states,
    zip5_exceptions,
)

_VALUE = pl.col("value")
_Answer = tuple[str | None, ...]


def _strings(**columns: pl.Series) -> pl.DataFrame:
    """The columns as strings: an all-null column may come typed Null, a ZIP column as numbers."""
    return pl.DataFrame(columns).cast(pl.String)


def _text(column: pl.Expr) -> pl.Expr:
    """Stripped, with whitespace runs as one space, and empty as null."""
    return column.str.strip_chars().str.replace_all(r"\s\s+|[^\S ]", " ").replace("", None)


def _stripped(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().replace("", None)


def _problems(*problems: pl.Expr) -> pl.Expr:
    joined = pl.concat_str(problems, separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined).alias("problem")


def _decide_each_distinct(
    keys: pl.DataFrame, decide: Callable[..., _Answer], schema: pl.Schema
) -> pl.DataFrame:
    """Calls `decide` once per distinct row of `keys`; the answers come back row for row.

    Rows whose first key is null are not decided: their answers are all null.
    """
    # Keys may share a name with an answer ("email" in, "email" out).
    keys = keys.select(pl.all().name.prefix("key "))
    distinct = keys.unique().drop_nulls(keys.columns[0])
    answers = [decide(*row) for row in distinct.iter_rows()]
    decided = pl.concat(
        [distinct, pl.DataFrame(answers, schema=schema, orient="row")], how="horizontal"
    )
    return keys.join(
        decided, on=keys.columns, how="left", nulls_equal=True, maintain_order="left"
    ).select(schema.names())


def _answer_the_rest(
    fast: pl.DataFrame, undecided: pl.Series, keys: pl.DataFrame, decide: Callable[..., _Answer]
) -> pl.DataFrame:
    """`fast` with its `undecided` rows replaced by what `decide` says about their `keys`."""
    rows = undecided.arg_true()
    if rows.is_empty():
        return fast
    slow = _decide_each_distinct(keys[rows], decide, fast.schema)
    return fast.with_columns(fast[name].scatter(rows, slow[name]) for name in fast.columns)


def normalise_text(values: pl.Series) -> pl.Series:
    """Strips, collapses whitespace runs to one space, and makes empty values null."""
    return _strings(value=values).select(_text(_VALUE).alias(values.name)).to_series()


# --- names ------------------------------------------------------------------------------

_SUFFIXES = r"(?:jr|jnr|sr|snr|esq)\.?|ii|iii|iv|v|m\.?d\.?|ph\.?d\.?|dds"
_SUFFIX_AT_END = rf"(?i)^(?P<rest>.+?)(?:,\s*|\s+)(?P<suffix>{_SUFFIXES})$"
_SUFFIX_BEFORE_COMMA = rf"(?i)^(?P<last>[^,]+?)\s+(?P<suffix>{_SUFFIXES})\s*,\s*(?P<given>.+)$"
_HONORIFIC = r"(?i)(^|,\s*)(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+"
_LAST_FIRST = r"^(?P<last>[^,]*?)\s*,\s*(?P<given>.*)$"
# Particles are taken into the last name only in lower case ("Ludwig van Beethoven"):
# capitalised, they are as often middle names ("Anh Van Nguyen").
_PARTICLE = r"(?:van|von|de|del|della|der|den|da|di|du|dos|das|la|le|bin|ibn|al) "
_LAST_WORDS = rf"(?:^| )((?:{_PARTICLE})*\S+)$"


def split_full_names(full: pl.Series) -> pl.DataFrame:
    """Splits "Last, First Middle", "First Middle Last", "First Last Jr." and "Dr. Ann Lee".

    Honorifics are dropped; a single word is taken as the last name. Case is kept.
    """
    at_end, before_comma = pl.col("at_end").struct, pl.col("before_comma").struct
    # "Ann V" is a first and last name, not Ann the Fifth.
    suffix_at_end = at_end["rest"].str.contains("[ ,]").fill_null(False)
    last_first, words = pl.col("last_first").struct, pl.col("words").struct
    given = pl.col("given").struct
    after_first, in_order_last = words[1], pl.col("in_order_last")
    comma_form = last_first["last"].is_not_null()
    return (
        _strings(value=full)
        .select(text=_text(_VALUE))
        .select(
            at_end=pl.col("text").str.extract_groups(_SUFFIX_AT_END),
            before_comma=pl.col("text").str.extract_groups(_SUFFIX_BEFORE_COMMA),
            text="text",
        )
        .select(
            suffix=pl.when(suffix_at_end).then(at_end["suffix"]).otherwise(before_comma["suffix"]),
            name=pl.when(suffix_at_end)
            .then(at_end["rest"])
            .when(before_comma["suffix"].is_not_null())
            .then(pl.concat_str(before_comma["last"], before_comma["given"], separator=", "))
            .otherwise("text")
            .str.replace(_HONORIFIC, "$1"),
        )
        .with_columns(
            last_first=pl.col("name").str.extract_groups(_LAST_FIRST),
            words=pl.col("name").str.splitn(" ", 2),
        )
        .with_columns(
            given=_text(last_first["given"].str.replace_all(",", " ", literal=True)).str.splitn(
                " ", 2
            ),
            in_order_last=after_first.str.extract(_LAST_WORDS, 1),
        )
        .select(
            first_name=pl.when(comma_form)
            .then(given[0])
            .when(after_first.is_not_null())
            .then(words[0]),
            middle_name=pl.when(comma_form)
            .then(given[1])
            .otherwise(
                after_first.str.strip_suffix(in_order_last).str.strip_chars().replace("", None)
            ),
            last_name=pl.when(comma_form)
            .then(_text(last_first["last"]))
            .otherwise(pl.coalesce(in_order_last, "name")),
            suffix="suffix",
        )
    )


# --- emails -----------------------------------------------------------------------------

_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}\~\-"
# Dot-atom local part; domain labels without "--" (which email-validator checks as IDNA),
# the last one ending in a letter.
_PLAIN_EMAIL = (
    rf"^[{_ATEXT}]+(?:\.[{_ATEXT}]+)*"
    r"@(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+(?:[A-Za-z0-9]+-)*[A-Za-z0-9]*[A-Za-z]$"
)
_SPECIAL_USE_DOMAIN = rf"\.(?i:{'|'.join(map(re.escape, SPECIAL_USE_DOMAIN_NAMES))})$"
# RFC 2142 mailboxes, which email-validator lower-cases, or capitals in the domain.
_CASE_INSENSITIVE_MAILBOX = rf"^(?i:{'|'.join(CASE_INSENSITIVE_MAILBOX_NAMES)})@"
_NEEDS_LOWER_CASE = rf"{_CASE_INSENSITIVE_MAILBOX}|[A-Z][^@]*$"
# No address this short can exceed the 254-character or 63-character-label limits.
_SHORT_EMAIL = 67


def _emails_fast_path(emails: pl.Series) -> pl.Series:
    """The normalised address where plain ASCII settles it, else null (for the library)."""
    email = pl.col("email")
    checks = emails.to_frame("email").select(
        email,
        plain=email.str.contains(_PLAIN_EMAIL) & (email.str.len_bytes() <= _SHORT_EMAIL),
        special_use=email.str.contains(_SPECIAL_USE_DOMAIN),
        needs_lower_case=email.str.contains(_NEEDS_LOWER_CASE),
    )
    fast = checks.select(pl.when(pl.col("plain") & ~pl.col("special_use")).then(email))
    # Most addresses are already lower case after the @-sign, and are taken as they are.
    rows = (fast.to_series().is_not_null() & checks["needs_lower_case"]).arg_true()
    return fast.to_series().scatter(rows, _lower_cased(checks["email"].gather(rows)))


def _lower_cased(emails: pl.Series) -> pl.Series:
    """Plain addresses with the domain in lower case, and the local part if RFC 2142's."""
    local, domain = pl.col("parts").struct[0], pl.col("parts").struct[1]
    return (
        emails.to_frame("email")
        .select(
            mailbox=pl.col("email").str.contains(_CASE_INSENSITIVE_MAILBOX),
            parts=pl.col("email").str.split_exact("@", 1),
        )
        .select(
            pl.concat_str(
                pl.when("mailbox").then(local.str.to_lowercase()).otherwise(local),
                domain.str.to_lowercase(),
                separator="@",
            )
        )
        .to_series()
    )


def _email_by_library(email: str) -> _Answer:
    try:
        return validate_email(email, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, "invalid email syntax"


def normalise_emails(values: pl.Series) -> pl.DataFrame:
    """Trimmed, checked and normalised as email-validator does, without DNS look-ups."""
    frame = _strings(value=values).select(email=_stripped(_VALUE))
    frame = frame.with_columns(fast=_emails_fast_path(frame["email"]))
    return _answer_the_rest(
        frame.select(email="fast", problem=pl.lit(None, pl.String)),
        frame["fast"].is_null() & frame["email"].is_not_null(),
        frame.select("email"),
        _email_by_library,
    )


# --- phones -----------------------------------------------------------------------------

# Regions that share +1 and its 10-digit plan; a plain NANP number means the same in each.
_NANP_REGIONS = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]
_PHONE_CHARACTERS = r"^(?:\+1)?[0-9\s().\-]+$"
_NANP_DIGITS = r"^1?[2-9][0-9]{2}[2-9][0-9]{6}$"
_INVALID_PHONE = "invalid phone number"
_DIALLABLE = phonenumbers.ValidationResult.IS_POSSIBLE


def _phones_fast_path(phones: pl.Series, regions: pl.Series) -> pl.Series:
    """The E.164 form of plain NANP numbers, else null (for phonenumbers)."""
    phone, digits = pl.col("phone"), pl.col("digits")
    return (
        pl.DataFrame({"phone": phones, "region": regions})
        .select(
            # Other characters are left in, and then fail the digits check.
            digits=phone.str.replace_many(["(", ")", " ", "-", ".", "+"], [""] * 6),
            plain=(pl.col("region").is_in(_NANP_REGIONS) | phone.str.starts_with("+1"))
            & phone.str.contains(_PHONE_CHARACTERS),
        )
        .select(
            pl.when(pl.col("plain") & digits.str.contains(_NANP_DIGITS)).then(
                "+1" + digits.str.slice(-10)
            )
        )
        .to_series()
    )


def _phone_by_library(phone: str, region: str) -> _Answer:
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None, _INVALID_PHONE
    # is_possible_number also passes numbers possible only locally, without their area code
    # ("555-0142" would become "+15550142"), which no one can dial from afar.
    if phonenumbers.is_possible_number_with_reason(number) != _DIALLABLE:
        return None, _INVALID_PHONE
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def normalise_phones(values: pl.Series, default_regions: pl.Series) -> pl.DataFrame:
    """E.164 numbers; a number without +country code is read in its row's region (null: US)."""
    frame = _strings(value=values, region=default_regions).select(
        phone=_stripped(_VALUE),
        region=_stripped(pl.col("region")).str.to_uppercase().fill_null("US"),
    )
    frame = frame.with_columns(fast=_phones_fast_path(frame["phone"], frame["region"]))
    return _answer_the_rest(
        frame.select(phone="fast", problem=pl.lit(None, pl.String)),
        frame["fast"].is_null() & frame["phone"].is_not_null(),
        frame.select("phone", "region"),
        _phone_by_library,
    )


# --- countries and languages ------------------------------------------------------------


def _country_by_name(name: str) -> _Answer:
    code = country_codes().get(fold_name(name))
    return (code, None) if code else (None, "unknown country")


def normalise_countries(values: pl.Series) -> pl.DataFrame:
    """ISO 3166 alpha-2 codes from codes, names and common aliases, in any case."""
    names = _strings(value=values).select(_text(_VALUE))
    return _decide_each_distinct(
        names, _country_by_name, pl.Schema({"country": pl.String, "problem": pl.String})
    )


def _language_tag(value: str) -> _Answer:
    tags = language_tags()
    folded = fold_name(value)
    if tag := tags.get(folded):
        return (tag,)
    # "en-US", "EN_us": the primary subtag; "English (US)": the name before the brackets.
    if re.fullmatch(r"[a-z]{2,3}(?:[-_](?:[a-z]{4}|[a-z]{2}|[0-9]{3}))+", folded):
        return (tags.get(re.split(r"[-_]", folded)[0]),)
    return (tags.get(re.sub(r"\s*\(.*\)$", "", folded)),)


def normalise_languages(values: pl.Series) -> pl.Series:
    """Lower-case primary language tags from tags and names ("EN-us", "español"); else null."""
    names = _strings(value=values).select(_text(_VALUE))
    tags = _decide_each_distinct(names, _language_tag, pl.Schema({"language": pl.String}))
    return tags.to_series().alias(values.name)


# --- US addresses -----------------------------------------------------------------------

_ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postcode")


def _us_state(state: pl.Expr) -> pl.Expr:
    """The USPS code for a code, name or alias (already normalised text); null if none."""
    spelled = state.str.to_uppercase().str.replace_many([".", ","], ["", ""])
    return spelled.replace_strict(us_state_codes(), default=None, return_dtype=pl.String)


def normalise_us_states(values: pl.Series) -> pl.Series:
    """USPS codes for US state and territory codes, names or aliases; null where none."""
    return _strings(value=values).select(_us_state(_text(_VALUE))).to_series()


def _zip5(postcode: pl.Expr) -> pl.Expr:
    return postcode.str.strip_chars().str.extract(r"^([0-9]{5})(?:[ \-]?[0-9]{4})?$")


def _state_of_zip5(zip5: pl.Expr) -> pl.Expr:
    exception = zip5.replace_strict(zip5_exceptions(), default=None, return_dtype=pl.String)
    by_prefix = zip5.str.slice(0, 3).replace_strict(
        zip3_states(), default=None, return_dtype=pl.String
    )
    return pl.coalesce(exception, by_prefix)


# ZIP or ZIP+4, possibly with its leading zeros lost to a spreadsheet.
_ZIP_FORMS = r"^(?:[0-9]{5}[ \-][0-9]{4}|[0-9]{3,5}|[0-9]{7,9})$"


def _zip_codes(postcodes: pl.Series, state_codes: pl.Series) -> pl.Series:
    """NNNNN or NNNNN-NNNN from stripped postcodes; null where they are no ZIP."""
    five_digits = postcodes.str.contains(r"^[0-9]{5}$")
    # Most are five digits already; only the others need the work below.
    rows = (~five_digits & postcodes.is_not_null()).arg_true()
    others = _zip_codes_written_otherwise(postcodes.gather(rows), state_codes.gather(rows))
    return pl.select(pl.when(five_digits).then(postcodes)).to_series().scatter(rows, others)


def _zip_codes_written_otherwise(postcodes: pl.Series, state_codes: pl.Series) -> pl.Series:
    """ZIP+4 with a space or no hyphen, or lost leading zeros put back where the state is
    one whose ZIPs start with them."""
    digits, length, width = pl.col("digits"), pl.col("length"), pl.col("width")
    dropped_zeros = width - length
    restorable = (
        pl.when(dropped_zeros == 0)
        .then(True)
        .when(dropped_zeros == 1)
        .then(pl.col("state_code").is_in(states_with_zips_starting("0")))
        .when(dropped_zeros == 2)
        .then(pl.col("state_code").is_in(states_with_zips_starting("00")))
        .otherwise(False)
    )
    full = digits.str.zfill(width)
    return (
        pl.DataFrame({"postcode": postcodes, "state_code": state_codes})
        .with_columns(
            digits=pl.when(pl.col("postcode").str.contains(_ZIP_FORMS)).then(
                pl.col("postcode").str.replace_many([" ", "-"], ["", ""])
            )
        )
        .with_columns(length=digits.str.len_bytes())
        .with_columns(width=pl.when(length <= 5).then(5).otherwise(9))
        .select(
            pl.when(restorable & (width == 9))
            .then(pl.concat_str(full.str.slice(0, 5), full.str.slice(5), separator="-"))
            .when(restorable)
            .then(full)
        )
        .to_series()
    )


def _usps_style(line: pl.Expr) -> pl.Expr:
    """Upper case without periods or commas, as USPS Publication 28 prefers."""
    return _text(line.str.to_uppercase().str.replace_many([".", ","], ["", " "]))


def _parse_single_line(address: str) -> _Answer:
    try:
        parsed = normalize_address_record(address)
    except AddressNormalizationError:
        return None, None, None, None, None, "address not understood"
    return (
        parsed["address_line_1"],
        parsed["address_line_2"],
        parsed["city"],
        parsed["state"],
        parsed["postal_code"],
        None,
    )


def _with_single_lines_parsed(given: pl.DataFrame, single_line: pl.Series) -> pl.DataFrame:
    """`given` with what scourgify finds in `single_line` where line1 is missing."""
    frame = given.with_columns(single_line=_text(pl.lit(single_line.cast(pl.String))))
    undecided = frame.select(
        _stripped(pl.col("line1")).is_null() & pl.col("single_line").is_not_null()
    ).to_series()
    nothing = pl.repeat(None, given.height, dtype=pl.String, eager=True)
    parsed = _answer_the_rest(
        pl.DataFrame({name: nothing for name in (*_ADDRESS_FIELDS, "problem")}),
        undecided,
        frame.select("single_line"),
        _parse_single_line,
    )
    return given.select(
        *(pl.coalesce(parsed[name], pl.col(name)).alias(name) for name in _ADDRESS_FIELDS),
        parse_problem=parsed["problem"],
    )


def normalise_us_addresses(
    line1: pl.Series,
    line2: pl.Series,
    city: pl.Series,
    state: pl.Series,
    postcode: pl.Series,
    single_line: pl.Series,
) -> pl.DataFrame:
    """USPS-style upper-case lines and city, USPS state codes and ZIP or ZIP+4 codes.

    A row without line1 but with a single-line address has that address parsed by
    scourgify; the parts it finds take the place of the split columns.
    """
    given = _strings(line1=line1, line2=line2, city=city, state=state, postcode=postcode)
    if single_line.null_count() < len(single_line):
        given = _with_single_lines_parsed(given, single_line)
    else:
        given = given.with_columns(parse_problem=pl.lit(None, pl.String))
    styled = given.select(
        *(_usps_style(pl.col(name)).alias(name) for name in ("line1", "line2", "city")),
        state=_text(pl.col("state")),
        postcode=_stripped(pl.col("postcode")),
        parse_problem="parse_problem",
    ).with_columns(state_code=_us_state(pl.col("state")))
    styled = styled.with_columns(zip_code=_zip_codes(styled["postcode"], styled["state_code"]))
    return styled.select(
        "line1",
        "line2",
        "city",
        state="state_code",
        postcode="zip_code",
        problem=_problems(
            pl.col("parse_problem"),
            pl.when(pl.col("state").is_not_null() & pl.col("state_code").is_null()).then(
                pl.lit("unknown US state")
            ),
            pl.when(pl.col("postcode").is_not_null() & pl.col("zip_code").is_null()).then(
                pl.lit("invalid ZIP code")
            ),
        ),
    )


def states_from_zip(postcode: pl.Series) -> pl.Series:
    """The state or territory each ZIP belongs to; null when it is not a known ZIP prefix."""
    zip5 = _strings(value=postcode).select(zip5=_zip5(_VALUE))
    return zip5.select(_state_of_zip5(pl.col("zip5")).alias(postcode.name)).to_series()


def zip_state_conflicts(state: pl.Series, postcode: pl.Series) -> pl.Series:
    """True where the state and the ZIP's state are both known and differ."""
    frame = _strings(state=state, postcode=postcode).select(
        given=_us_state(_text(pl.col("state"))), zip5=_zip5(pl.col("postcode"))
    )
    conflict = pl.col("given") != _state_of_zip5(pl.col("zip5"))
    return frame.select(conflict.fill_null(False).alias("zip_state_conflict")).to_series()


# --- flags and dates --------------------------------------------------------------------

_FLAG_WORDS = {word: True for word in ("y", "yes", "true", "t", "1", "x")} | {
    word: False for word in ("n", "no", "false", "f", "0")
}


def parse_flags(values: pl.Series) -> pl.DataFrame:
    """Yes/no columns: y, yes, true, t, 1, x are true; n, no, false, f, 0 and blanks false."""
    word = pl.col("word")
    flag = word.replace_strict(_FLAG_WORDS, default=None, return_dtype=pl.Boolean)
    return (
        _strings(value=values)
        .select(word=_stripped(_VALUE).str.to_lowercase())
        .select(
            flag=pl.when(word.is_null()).then(False).otherwise(flag),
            problem=pl.when(word.is_not_null() & flag.is_null()).then(pl.lit("not a yes/no value")),
        )
    )


# The forms accepted, in full: polars would also read "3/7/85" as the year 85. A midnight
# time after an ISO date, as database exports add, says nothing more.
_DATE_FORMS = (
    r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ]00:00(?::00(?:\.0+)?)?)?"
    r"|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{8})$"
)
_EARLIEST_DATE = date(1900, 1, 1)


def parse_dates(values: pl.Series) -> pl.DataFrame:
    """Dates written YYYY-MM-DD, MM/DD/YYYY (US order) or YYYYMMDD, from 1900 to today."""
    text, us_order, dashed = pl.col("text"), pl.col("us_order").struct, pl.col("dashed")
    written_in_us_order = us_order[2].is_not_null()
    year, month, day = pl.col("year"), pl.col("month"), pl.col("day")
    leap_year = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = (
        pl.when(month == 2)
        .then(28 + leap_year.cast(pl.Int32))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    real = month.is_between(1, 12) & day.is_between(1, days_in_month)
    parsed, problem = pl.col("parsed"), pl.col("problem")
    return (
        _strings(value=values)
        .select(text=_stripped(_VALUE))
        .with_columns(
            known_form=text.str.contains(_DATE_FORMS),
            us_order=text.str.split_exact("/", 2),
            dashed=text.str.contains("-", literal=True),
        )
        .select(
            "text",
            "known_form",
            year=pl.when(written_in_us_order).then(us_order[2]).otherwise(text.str.slice(0, 4)),
            month=pl.when(written_in_us_order)
            .then(us_order[0])
            .when(dashed)
            .then(text.str.slice(5, 2))
            .otherwise(text.str.slice(4, 2)),
            day=pl.when(written_in_us_order)
            .then(us_order[1])
            .when(dashed)
            .then(text.str.slice(8, 2))
            .otherwise(text.str.slice(6, 2)),
        )
        .with_columns(pl.col("year", "month", "day").cast(pl.Int32, strict=False))
        .with_columns(real=pl.col("known_form") & real)
        .with_columns(
            # Components of impossible dates are replaced, as polars refuses them.
            parsed=pl.date(
                *(pl.when("real").then(part).otherwise(1) for part in (year, month, day))
            )
        )
        .with_columns(
            problem=pl.when(text.is_null())
            .then(None)
            .when(~pl.col("known_form"))
            .then(pl.lit("not a date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD form"))
            .when(~pl.col("real"))
            .then(pl.lit("no such date"))
            .when(parsed > date.today())
            .then(pl.lit("date in the future"))
            .when(parsed < _EARLIEST_DATE)
            .then(pl.lit("date before 1900"))
        )
        .select(date=pl.when(pl.col("real") & problem.is_null()).then(parsed), problem=problem)
    )
