"""Writing one prepared chunk: new people, merges into people already on the list,
near-duplicates for review, and the issues found. All in the caller's transaction,
so a chunk lands whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from sqlalchemy.orm import Session

from breachdesk.people import store
from breachdesk.people.contact import CONTEXT, Contact, encode_column
from breachdesk.people.dedup import KeyFilter, group_rows, hash64, similar_names
from breachdesk.people.models import (
    ImportIssue,
    NearDuplicate,
    PersonImport,
    PersonMerge,
)
from breachdesk.people.records import PreparedChunk
from breachdesk.people.references import new_references
from breachdesk.security.crypto import Keyring

# Match keys: the prepared column, the stored column it is kept in, its blind-index context.
KEYS = {
    "external_id": ("k_external", "external_id", None),
    "email": ("k_email", "email_index", "affected_person.email"),
    "identity": ("k_identity", "identity_index", "affected_person.identity"),
    "address": ("k_address", "address_index", "affected_person.address"),
    "name_postcode": ("k_name_postcode", "name_postcode_index", "affected_person.name_postcode"),
}
MERGE_KEY_ORDER = ("external_id", "email", "identity")
MATCH_NAMES = {"external_id": "external id", "email": "email", "identity": "name+birth+postcode"}
PERSON_COLUMNS = (
    "id", "incident_id", "reference", "external_id", "contact", "jurisdiction",
    "jurisdiction_source", "language", "elements", "minor", "deceased", "no_contact",
    "has_email", "has_phone", "has_postal", "email_index", "name_postcode_index",
    "identity_index", "address_index", "import_id", "source_row",
)  # fmt: skip
SCALARS = (
    "external_id", "first_name", "middle_name", "last_name", "suffix", "language",
    "email_index", "name_postcode_index", "identity_index",
)  # fmt: skip
# An address is taken whole from one row, never assembled from parts of several.
ADDRESS = (
    "address_line1", "address_line2", "city", "subdivision", "postcode", "country",
    "address_index",
)  # fmt: skip


# The stored keys probed in memory before asking the database (8 bytes a person each).
FILTERED_COLUMNS = ("external_id", "email_index", "identity_index", "address_index")


@dataclass
class KeyFilters:
    """The in-memory filters, one per probed key, of everyone already on the list."""

    by_column: dict[str, KeyFilter] = field(
        default_factory=lambda: {column: KeyFilter() for column in FILTERED_COLUMNS}
    )

    def add(self, column: str, values: pl.Series) -> None:
        self.by_column[column].add(hash64(values))


@dataclass
class ChunkCounts:
    people_created: int = 0
    rows_merged: int = 0
    near_duplicates: int = 0


def with_blind_indexes(people: pl.DataFrame, keyring: Keyring) -> pl.DataFrame:
    columns = []
    for source, stored, context in KEYS.values():
        if context is None:
            continue
        values = keyring.blind_index_many(people[source].to_list(), context=context)
        columns.append(pl.Series(stored, values, dtype=pl.String))
    return people.with_columns(columns)


def write_chunk(
    *,
    db_session: Session,
    person_import: PersonImport,
    prepared: PreparedChunk,
    keyring: Keyring,
    filters: KeyFilters,
    facts_bits: int,
) -> ChunkCounts:
    counts = ChunkCounts()
    people = prepared.people
    if people.height:
        people = with_blind_indexes(people.sort("_row"), keyring)
        people = people.with_columns(group_rows(people).alias("_group"))
        people = _match_existing(db_session, person_import.incident_id, people, filters)
        joining = people.filter(pl.col("_existing").is_not_null())
        fresh = people.filter(pl.col("_existing").is_null())
        created = _create_people(db_session, person_import, fresh, keyring)
        counts.people_created = created.height
        counts.rows_merged = people.height - created.height
        _record_merges(db_session, person_import, fresh, created, joining)
        _merge_into_existing(db_session, joining, keyring, facts_bits)
        counts.near_duplicates = _record_near_duplicates(
            db_session, person_import, created, keyring, filters
        )
        for column in FILTERED_COLUMNS:
            filters.add(column, created[column])
    _record_issues(db_session, person_import, prepared, keyring)
    return counts


def _match_existing(
    db_session: Session, incident_id: int, people: pl.DataFrame, filters: KeyFilters
) -> pl.DataFrame:
    """Each row's existing person, if any key of its group is already on the list."""
    found = []
    for kind in MERGE_KEY_ORDER:
        _, stored, _ = KEYS[kind]
        values = people[stored]
        present = values.drop_nulls()
        candidates = present.filter(
            pl.Series(filters.by_column[stored].contains(hash64(present)))
        ).to_list()
        matches = store.find_by_key(
            db_session, incident_id=incident_id, column=stored, values=candidates
        )
        found.append(
            values.replace_strict(
                {k: ids[0] for k, ids in matches.items()}, default=None, return_dtype=pl.Int64
            ).alias(f"_existing_{kind}")
        )
    people = people.with_columns(found).with_columns(
        pl.coalesce([f"_existing_{kind}" for kind in MERGE_KEY_ORDER]).alias("_row_existing"),
        pl.concat_str(
            [
                pl.when(pl.col(f"_existing_{kind}").is_not_null()).then(pl.lit(MATCH_NAMES[kind]))
                for kind in MERGE_KEY_ORDER
            ],
            ignore_nulls=True,
            separator=",",
        ).alias("_existing_key"),
    )
    # A whole group joins the existing person any of its rows matched (the oldest).
    return people.with_columns(pl.col("_row_existing").min().over("_group").alias("_existing"))


def _create_people(
    db_session: Session, person_import: PersonImport, fresh: pl.DataFrame, keyring: Keyring
) -> pl.DataFrame:
    if fresh.height == 0:
        return fresh.with_columns(pl.lit(None, pl.Int64).alias("id"))
    first_known = [pl.col(name).drop_nulls().first() for name in SCALARS]
    people = fresh.group_by("_group", maintain_order=True).agg(
        pl.col("_row").first(),
        *first_known,
        pl.struct(*ADDRESS)
        .filter(pl.col("has_postal"))
        .first()
        .fill_null(pl.struct(*ADDRESS).first())
        .alias("_address"),
        pl.struct("jurisdiction", "jurisdiction_source")
        .filter(pl.col("jurisdiction").is_not_null())
        .first()
        .alias("_jurisdiction"),
        pl.col("jurisdiction_source").first().alias("_first_source"),
        pl.col("emails")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique(maintain_order=True),
        pl.col("phones")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique(maintain_order=True),
        pl.col("elements").bitwise_or(),
        pl.col("minor").any(),
        pl.col("deceased").any(),
        pl.col("no_contact").any(),
        pl.col("has_postal").any(),
    )
    people = people.unnest("_address").with_columns(
        pl.col("_jurisdiction").struct.field("jurisdiction"),
        pl.coalesce(
            pl.col("_jurisdiction").struct.field("jurisdiction_source"), pl.col("_first_source")
        ).alias("jurisdiction_source"),
        (pl.col("emails").list.len() > 0).alias("has_email"),
        (pl.col("phones").list.len() > 0).alias("has_phone"),
    )
    ids = store.allocate_ids(db_session, store.PERSON, people.height)
    contacts = keyring.encrypt_many(encode_column(people).to_list(), context=CONTEXT)
    people = people.with_columns(
        pl.Series("id", ids, pl.Int64),
        pl.Series("reference", new_references(people.height)),
        pl.Series("contact", contacts),
        pl.lit(person_import.incident_id).alias("incident_id"),
        pl.lit(person_import.id).alias("import_id"),
        pl.col("_row").alias("source_row"),
    )
    store.insert_rows(
        db_session, store.PERSON, PERSON_COLUMNS, people.select(PERSON_COLUMNS).rows()
    )
    return people


def _record_merges(
    db_session: Session,
    person_import: PersonImport,
    fresh: pl.DataFrame,
    created: pl.DataFrame,
    joining: pl.DataFrame,
) -> None:
    """One merge row for every source row that did not become a person of its own."""
    rows = []
    if fresh.height:
        group_person = created.select("_group", "id", pl.col("_row").alias("_first_row"))
        followers = fresh.join(group_person, on="_group").filter(
            pl.col("_row") != pl.col("_first_row")
        )
        first = fresh.filter(pl.col("_row") == pl.col("_row").min().over("_group")).select(
            "_group", *(pl.col(KEYS[k][0]).alias(f"_first_{k}") for k in MERGE_KEY_ORDER)
        )
        followers = followers.join(first, on="_group")
        matched = pl.concat_str(
            [
                pl.when(pl.col(KEYS[k][0]) == pl.col(f"_first_{k}")).then(pl.lit(MATCH_NAMES[k]))
                for k in MERGE_KEY_ORDER
            ],
            ignore_nulls=True,
            separator=",",
        )
        followers = followers.with_columns(matched.fill_null("same person in file").alias("_on"))
        rows += followers.select(pl.col("_row"), "id", "_on").rows()
    if joining.height:
        # A row linked to the existing person only through another row of its group
        # matched nothing itself.
        on = pl.when(pl.col("_existing_key") == "").then(pl.lit("same person in file"))
        rows += joining.select(
            "_row", "_existing", on.otherwise(pl.col("_existing_key")).alias("_on")
        ).rows()
    store.insert_rows(
        db_session,
        PersonMerge.__table__,
        ("import_id", "source_row", "person_id", "matched_on"),
        [(person_import.id, row, person, matched) for row, person, matched in rows],
    )


def _merge_into_existing(
    db_session: Session, joining: pl.DataFrame, keyring: Keyring, facts_bits: int
) -> None:
    """Fold rows that match people already on the list into those people."""
    if joining.height == 0:
        return
    columns = ("contact", "elements", "minor", "deceased", "no_contact")
    current = {
        row.id: row
        for row in store.load_people(db_session, joining["_existing"].to_list(), columns)
    }
    updates = []
    for person_id, rows in joining.sort("_row").group_by("_existing", maintain_order=True):
        person = current[person_id[0]]
        contact = Contact.decode(keyring.decrypt(person.contact, context=CONTEXT))
        for row in rows.iter_rows(named=True):
            contact.emails += [e for e in row["emails"] if e not in contact.emails]
            contact.phones += [p for p in row["phones"] if p not in contact.phones]
            if not contact.address_line1 and row["address_line1"]:
                for name in (
                    "address_line1",
                    "address_line2",
                    "city",
                    "subdivision",
                    "postcode",
                    "country",
                ):
                    setattr(contact, name, row[name])
        elements = person.elements
        new_bits = [bits for bits in rows["elements"].to_list() if bits is not None]
        if new_bits:
            elements = (facts_bits if elements is None else elements) | _or(new_bits)
        updates.append((
            person.id,
            keyring.encrypt(contact.encode(), context=CONTEXT),
            elements,
            person.minor or bool(rows["minor"].any()),
            person.deceased or bool(rows["deceased"].any()),
            person.no_contact or bool(rows["no_contact"].any()),
            bool(contact.emails),
            bool(contact.phones),
            bool(contact.address_line1),
        ))  # fmt: skip
    store.update_people(
        db_session,
        (
            "contact",
            "elements",
            "minor",
            "deceased",
            "no_contact",
            "has_email",
            "has_phone",
            "has_postal",
        ),
        updates,
    )


def _or(values: list[int]) -> int:
    result = 0
    for value in values:
        result |= value
    return result


def _record_near_duplicates(
    db_session: Session,
    person_import: PersonImport,
    created: pl.DataFrame,
    keyring: Keyring,
    filters: KeyFilters,
) -> int:
    """New people at the same address as another person, with a similar name."""
    if created.height == 0:
        return 0
    pairs: list[tuple[int, int]] = []
    at_address = created.filter(pl.col("address_index").is_not_null())
    shared = at_address.filter(pl.len().over("address_index") > 1)
    for _, group in shared.sort("id").group_by("address_index"):
        people = group.select("id", "first_name", "last_name").rows()
        for position, (person_id, first, last) in enumerate(people):
            for other_id, other_first, other_last in people[:position]:
                if similar_names(first, last, other_first, other_last):
                    pairs.append((person_id, other_id))
    addresses = at_address["address_index"]
    candidates = addresses.filter(
        pl.Series(filters.by_column["address_index"].contains(hash64(addresses)))
    ).to_list()
    if candidates:
        matches = store.find_by_key(
            db_session,
            incident_id=person_import.incident_id,
            column="address_index",
            values=candidates,
        )
        others = {
            row.id: Contact.decode(keyring.decrypt(row.contact, context=CONTEXT))
            for row in store.load_people(
                db_session, [i for ids in matches.values() for i in ids], ("contact",)
            )
        }
        for person_id, address, first, last in at_address.select(
            "id", "address_index", "first_name", "last_name"
        ).iter_rows():
            for other_id in matches.get(address, []):
                other = others[other_id]
                if other_id != person_id and similar_names(
                    first, last, other.first_name, other.last_name
                ):
                    pairs.append((person_id, other_id))
    store.insert_rows(
        db_session,
        NearDuplicate.__table__,
        ("import_id", "person_id", "other_person_id", "reason"),
        [(person_import.id, a, b, "same address, similar name") for a, b in pairs],
    )
    return len(pairs)


def _record_issues(
    db_session: Session, person_import: PersonImport, prepared: PreparedChunk, keyring: Keyring
) -> None:
    if not prepared.issues:
        return
    values = [issue.value or "" for issue in prepared.issues]
    sealed = keyring.encrypt_many(values, context="import_issue.value")
    store.insert_rows(
        db_session,
        ImportIssue.__table__,
        ("import_id", "source_row", "source_column", "action", "reason", "value"),
        [
            (
                person_import.id,
                issue.row,
                issue.column,
                str(issue.action),
                issue.reason[:300],
                token if issue.value else None,
            )
            for issue, token in zip(prepared.issues, sealed, strict=True)
        ],
    )
