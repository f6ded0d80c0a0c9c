"""Credit-monitoring activation codes: pools bought from a vendor, imported from the
vendor's file, and handed out one per person when they enrol on the portal.

Codes are encrypted at rest; a blind index of each code finds duplicates (and looks a
code up) without decrypting. Handing a code out is the redemption: the code's row gets
the person and the time, in the same transaction as the audit event.

Concurrency. Two people enrolling at once must never get the same code, and one person
asking twice at once must not take two. On PostgreSQL each request first locks the
person's row, so one person's requests take turns; the free code is then selected
``FOR UPDATE SKIP LOCKED``, so other people's requests pass each other without waiting.
The unique constraint on (pool, person) backs both up: a request that loses a race
anyway rolls back to its savepoint and tries again. SQLite transactions take the
database's write lock when they begin (see db.py), so there they simply take turns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Insert, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from breachdesk.audit import service as audit
from breachdesk.db import utcnow
from breachdesk.desk.events import CodePoolImported, CodePoolLow, MonitoringCodeIssued
from breachdesk.desk.models import CodePool, MonitoringCode
from breachdesk.incidents.models import Incident
from breachdesk.inputs import InputError, NotFound
from breachdesk.people.models import AffectedPerson
from breachdesk.security.crypto import Keyring

log = logging.getLogger(__name__)

CODE_CONTEXT = "monitoring_code.code"
INSERT_BATCH = 10_000
MAX_CODE_LENGTH = 100
ISSUE_ATTEMPTS = 5
# A new pool's low-water mark when none is given: a tenth of its first file's codes.
DEFAULT_LOW_WATER_SHARE = 10
_CODE = re.compile(r"[A-Za-z0-9-]+")
_HEADER = re.compile(r"(?:[a-z]+ )?codes?")  # code, activation code, enrollment codes…
_CODES = MonitoringCode.__table__


@dataclass(frozen=True)
class ImportResult:
    pool_id: int
    pool: str
    created: bool  # the pool is new
    read: int  # codes in the file
    added: int
    already_present: int  # in the pool before, or earlier in the same file
    repeated_in_file: int  # of already_present, those that were earlier in the file
    file_sha256: str
    low_water: int


@dataclass(frozen=True)
class IssuedCode:
    code: str
    vendor: str
    enrol_url: str
    months: int
    issued_at: datetime
    first_time: bool  # False when the person had taken their code before


@dataclass(frozen=True)
class PoolStatus:
    id: int
    name: str
    vendor: str
    months: int
    total: int
    issued: int
    remaining: int
    low_water: int
    low: bool


def normalise_code(code: str) -> str:
    """The form a code is indexed under: codes differing only in case are one code."""
    return code.strip().upper()


def import_codes(
    *,
    db_session: Session,
    keyring: Keyring,
    incident: Incident,
    pool_name: str,
    vendor: str,
    enrol_url: str,
    months: int,
    low_water: int | None,
    path: Path,
    actor: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Add the codes of the vendor's CSV at ``path`` to the incident's pool ``pool_name``,
    creating the pool when it is new. A code already in the pool, or earlier in the file,
    is counted and not added again.

    ``low_water`` (warn when fewer codes are left) defaults, for a new pool, to a tenth
    of the file's codes; for an existing pool, None keeps its mark. ``on_progress`` is
    called with (codes done, codes in the file) after each batch.
    """
    pool_name, vendor, enrol_url = pool_name.strip(), vendor.strip(), enrol_url.strip()
    _check_pool_fields(pool_name, vendor, enrol_url, months, low_water)
    data = _read_bytes(path)
    codes = _codes_in(data, path)
    if not codes:
        raise InputError(f"{path}: no codes in the file; is it the vendor's code file?")

    pool = db_session.execute(
        select(CodePool).where(CodePool.incident_id == incident.id, CodePool.name == pool_name)
    ).scalar_one_or_none()
    created = pool is None
    was_low = False
    if pool is None:
        pool = CodePool(
            incident_id=incident.id,
            name=pool_name,
            vendor=vendor,
            enrol_url=enrol_url,
            months=months,
            low_water=low_water if low_water is not None else 0,  # default set below
        )
        db_session.add(pool)
        db_session.flush()
    else:
        _check_same_offer(pool, vendor, enrol_url, months)
        was_low = _free_count(db_session, pool.id, pool.low_water) < pool.low_water
        if low_water is not None:
            pool.low_water = low_water

    insert_codes = _insert_ignoring_duplicates(db_session)
    added = repeated = 0
    seen: set[str] = set()
    for start in range(0, len(codes), INSERT_BATCH):
        batch = codes[start : start + INSERT_BATCH]
        indexes = keyring.blind_index_many([normalise_code(c) for c in batch], context=CODE_CONTEXT)
        fresh: dict[str, str] = {}
        for code, index in zip(batch, indexes, strict=True):
            if index in seen:
                repeated += 1
                continue
            seen.add(index)
            fresh[index] = code
        if fresh:
            ciphertexts = keyring.encrypt_many(list(fresh.values()), context=CODE_CONTEXT)
            # Codes already in the pool are left out by its unique index on (pool,
            # code_index); the ids returned are those of the codes added.
            inserted = db_session.execute(
                insert_codes,
                [
                    {"pool_id": pool.id, "code": ciphertext, "code_index": index}
                    for index, ciphertext in zip(fresh, ciphertexts, strict=True)
                ],
            )
            added += len(inserted.all())
        if on_progress is not None:
            on_progress(min(start + INSERT_BATCH, len(codes)), len(codes))

    if created and low_water is None:
        pool.low_water = max(1, added // DEFAULT_LOW_WATER_SHARE)
    file_sha256 = hashlib.sha256(data).hexdigest()
    audit.record(
        db_session=db_session,
        event=CodePoolImported(
            incident=incident.id,
            pool=pool.id,
            name=pool.name,
            added=added,
            already_present=len(codes) - added,
            file_sha256=file_sha256,
        ),
        actor=actor,
    )
    remaining = _free_count(db_session, pool.id, pool.low_water)
    if remaining < pool.low_water and not was_low:
        # Only when the mark was raised above what is left, or a new pool starts short.
        _record_low(db_session, pool, remaining, actor)
    return ImportResult(
        pool_id=pool.id,
        pool=pool.name,
        created=created,
        read=len(codes),
        added=added,
        already_present=len(codes) - added,
        repeated_in_file=repeated,
        file_sha256=file_sha256,
        low_water=pool.low_water,
    )


def issue_code(
    *,
    db_session: Session,
    keyring: Keyring,
    incident_id: int,
    person_id: int,
    actor: str,
) -> IssuedCode | None:
    """The person's activation code: the one they were given before, else the next free
    code of the incident's oldest pool that has one (recorded as theirs: the
    redemption). None when every pool is used up."""
    _lock_person(db_session, incident_id, person_id)
    for _attempt in range(ISSUE_ATTEMPTS):
        mine = _code_of(db_session, incident_id, person_id)
        if mine is not None:
            code, pool = mine
            return _issued(keyring, code, pool, first_time=False)
        taken = _take_free_code(db_session, incident_id, person_id)
        if taken is None:
            return None
        if taken is not _LOST_RACE:
            code, pool = taken
            break
    else:
        raise RuntimeError(f"could not issue a code to person {person_id}: too much contention")

    audit.record(
        db_session=db_session,
        event=MonitoringCodeIssued(incident=incident_id, pool=pool.id, person=person_id),
        actor=actor,
    )
    # Counted after the audit record: appending takes the audit chain's lock, held until
    # commit, so codes are counted in commit order and each issue leaves exactly one
    # fewer than the one before. The pool crosses its mark exactly once.
    if pool.low_water > 0:
        remaining = _free_count(db_session, pool.id, pool.low_water)
        if remaining == pool.low_water - 1:
            _record_low(db_session, pool, remaining, actor)
    return _issued(keyring, code, pool, first_time=True)


def held_code(
    *, db_session: Session, keyring: Keyring, incident_id: int, person_id: int
) -> IssuedCode | None:
    """The code the person took before, if any; nothing is issued."""
    mine = _code_of(db_session, incident_id, person_id)
    return _issued(keyring, *mine, first_time=False) if mine else None


def pool_status(*, db_session: Session, incident_id: int) -> list[PoolStatus]:
    """Each of the incident's pools, oldest first, with its counts."""
    rows = db_session.execute(
        select(
            CodePool,
            func.count(MonitoringCode.id),
            func.count(MonitoringCode.person_id),
        )
        .outerjoin(MonitoringCode, MonitoringCode.pool_id == CodePool.id)
        .where(CodePool.incident_id == incident_id)
        .group_by(CodePool.id)
        .order_by(CodePool.created_at, CodePool.id)
    ).all()
    return [
        PoolStatus(
            id=pool.id,
            name=pool.name,
            vendor=pool.vendor,
            months=pool.months,
            total=total,
            issued=issued,
            remaining=total - issued,
            low_water=pool.low_water,
            low=total - issued < pool.low_water,
        )
        for pool, total, issued in rows
    ]


# Importing.


def _check_pool_fields(
    name: str, vendor: str, enrol_url: str, months: int, low_water: int | None
) -> None:
    if not 1 <= len(name) <= 100:
        raise InputError("--pool: give the pool a name of 1 to 100 characters")
    if not 1 <= len(vendor) <= 200:
        raise InputError("--vendor: give the vendor's name (1 to 200 characters)")
    parts = urlsplit(enrol_url)
    if parts.scheme != "https" or not parts.hostname or len(enrol_url) > 500:
        raise InputError(
            f"--enrol-url: {enrol_url!r} is not an https:// address; give the vendor's "
            "enrolment page, where people type their code"
        )
    if not 1 <= months <= 120:
        raise InputError(f"--months: {months} is not 1 to 120 months of monitoring")
    if low_water is not None and low_water < 0:
        raise InputError("--low-water: must be 0 (never warn) or more")


def _check_same_offer(pool: CodePool, vendor: str, enrol_url: str, months: int) -> None:
    given = {"vendor": vendor, "enrol-url": enrol_url, "months": months}
    stored = {"vendor": pool.vendor, "enrol-url": pool.enrol_url, "months": pool.months}
    for option, value in given.items():
        if value != stored[option]:
            raise InputError(
                f"--{option}: pool {pool.name!r} already has {stored[option]!r}, not "
                f"{value!r}; codes from another vendor or offer go in a pool of their own "
                "(choose another --pool name)"
            )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {error.strerror}") from error


def _codes_in(data: bytes, path: Path) -> list[str]:
    """The codes of the vendor's file, checked; an InputError names the bad rows
    (numbered as a spreadsheet numbers them: a header is row 1). Blank lines are
    skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not UTF-8 text (byte {error.start}); export the codes as a CSV file"
        ) from error
    codes: list[str] = []
    bad: list[str] = []
    numbered: Iterator[tuple[int, list[str]]] = enumerate(
        csv.reader(io.StringIO(text, newline="")), start=1
    )
    try:
        first = next(((n, row) for n, row in numbered if any(c.strip() for c in row)), None)
        if first is None:
            return []
        column, is_header = _code_column(first[1], path)
        if not is_header:
            numbered = itertools.chain([first], numbered)
        for number, row in numbered:
            code = row[column].strip() if column < len(row) else ""
            if len(code) <= MAX_CODE_LENGTH and _CODE.fullmatch(code):
                codes.append(code)
            elif any(cell.strip() for cell in row):  # else a blank line, skipped
                bad.append(f"row {number}: {_code_problem(code)}")
                if len(bad) > 5:
                    break
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV file: {error}") from error
    if bad:
        shown = "; ".join(bad[:5])
        more = " (and more)" if len(bad) > 5 else ""
        raise InputError(f"{path}: {shown}{more}; fix the file and import it again")
    return codes


def _code_column(first_row: list[str], path: Path) -> tuple[int, bool]:
    """(the codes' column, whether ``first_row`` is a header naming it)."""
    names = [" ".join(re.split(r"[\s_-]+", cell.strip().lower())) for cell in first_row]
    for position, name in enumerate(names):
        if _HEADER.fullmatch(name):
            return position, True
    if len(first_row) == 1:
        return 0, False
    raise InputError(
        f"{path}: which column holds the codes? It has {len(first_row)} columns and none "
        "is named code (or activation code, enrollment code…): name that column code"
    )


def _code_problem(code: str) -> str:
    if not code:
        return "the code is empty"
    if len(code) > MAX_CODE_LENGTH:
        return f"the code is longer than {MAX_CODE_LENGTH} characters"
    return f"{code[:40]!r} has characters other than letters, digits and dashes"


def _insert_ignoring_duplicates(db_session: Session) -> Insert:
    dialect = db_session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Sent as multi-row INSERTs ("insertmanyvalues"), which RETURNING turns on.
    return (
        make(_CODES)
        .on_conflict_do_nothing(index_elements=["pool_id", "code_index"])
        .returning(_CODES.c.id)
    )


# Issuing.

_LOST_RACE = object()


def _lock_person(db_session: Session, incident_id: int, person_id: int) -> None:
    """Lock the person's row (PostgreSQL; SQLite transactions already hold the write
    lock), so one person's requests take turns; NotFound when not the incident's."""
    query = select(AffectedPerson.id).where(
        AffectedPerson.id == person_id, AffectedPerson.incident_id == incident_id
    )
    if db_session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)  # FOR NO KEY UPDATE
    if db_session.execute(query).scalar_one_or_none() is None:
        raise NotFound(f"no person {person_id} in incident {incident_id}")


def _code_of(
    db_session: Session, incident_id: int, person_id: int
) -> tuple[MonitoringCode, CodePool] | None:
    row = db_session.execute(
        select(MonitoringCode, CodePool)
        .join(CodePool, CodePool.id == MonitoringCode.pool_id)
        .where(CodePool.incident_id == incident_id, MonitoringCode.person_id == person_id)
        .order_by(MonitoringCode.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _take_free_code(
    db_session: Session, incident_id: int, person_id: int
) -> tuple[MonitoringCode, CodePool] | object | None:
    """Give the person the next free code: (code, pool); None when there is none;
    ``_LOST_RACE`` when a concurrent request won and the caller should look again."""
    pools = (
        db_session.execute(
            select(CodePool)
            .where(CodePool.incident_id == incident_id)
            .order_by(CodePool.created_at, CodePool.id)
        )
        .scalars()
        .all()
    )
    for pool in pools:
        query = (
            select(MonitoringCode)
            .where(MonitoringCode.pool_id == pool.id, MonitoringCode.person_id.is_(None))
            .order_by(MonitoringCode.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # plain SELECT on SQLite
        )
        try:
            with db_session.begin_nested():
                code = db_session.execute(query).scalar_one_or_none()
                if code is None:
                    continue
                code.person_id, code.redeemed_at = person_id, utcnow()
                db_session.flush()
        except IntegrityError:
            log.info("person %s: a concurrent request took a code first; looking again", person_id)
            return _LOST_RACE
        return code, pool
    return None


def _free_count(db_session: Session, pool_id: int, limit: int) -> int:
    """How many codes of the pool are free, counting no further than ``limit``."""
    if limit <= 0:
        return 0
    free = (
        select(MonitoringCode.id)
        .where(MonitoringCode.pool_id == pool_id, MonitoringCode.person_id.is_(None))
        .limit(limit)
        .subquery()
    )
    return db_session.execute(select(func.count()).select_from(free)).scalar_one()


def _record_low(db_session: Session, pool: CodePool, remaining: int, actor: str) -> None:
    log.warning(
        "code pool %r of incident %s is low: %s codes left (low-water mark %s); "
        "order more from %s",
        pool.name, pool.incident_id, remaining, pool.low_water, pool.vendor,
    )  # fmt: skip
    audit.record(
        db_session=db_session,
        event=CodePoolLow(
            incident=pool.incident_id,
            pool=pool.id,
            name=pool.name,
            remaining=remaining,
            low_water=pool.low_water,
        ),
        actor=actor,
    )


def _issued(
    keyring: Keyring, code: MonitoringCode, pool: CodePool, *, first_time: bool
) -> IssuedCode:
    assert code.redeemed_at is not None
    return IssuedCode(
        code=keyring.decrypt(code.code, context=CODE_CONTEXT),
        vendor=pool.vendor,
        enrol_url=pool.enrol_url,
        months=pool.months,
        issued_at=code.redeemed_at,
        first_time=first_time,
    )
