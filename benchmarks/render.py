"""How fast notices render: emails to MIME (unsigned and DKIM-signed) and printed letters.

Targets (notices issue), per core: at least 15,000 emails/s rendered to MIME unsigned,
3,000/s signed, and 500 letter pages/s in batched PDF.

    .venv/bin/python benchmarks/render.py

Each email is the default English notice rendered for its own person (name, reference
code) in one of five jurisdictions, then built as multipart MIME; signing uses a new
2048-bit RSA key, and the signatures alone are timed beside it (no signed mail can go
faster). Letters are compiled in four batches of 500. Everything runs in one process, so the rates
are per core.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pypdf
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine, fresh_database, rsa_signatures_per_second
from breachdesk.demo import demo_organisation
from breachdesk.incidents import service as incidents
from breachdesk.notices.context import NoticeBatch
from breachdesk.notices.letters import compile_letters, letter_data
from breachdesk.notices.mime import Address, DkimKey, build_encoded_email, message_id
from breachdesk.notices.render import default_template
from breachdesk.notices.templates import SAMPLE_ELEMENTS, sample_incident

TARGETS = {"unsigned": 15_000, "signed": 3_000, "letter pages": 500}
RESIDENCES = ("US-CA", "US-TX", "US-NY", "US-MA", "US-FL")
SENDER = Address("Northwind Outfitters", "notice@northwind.example")


def _notices(org, count: int):
    batch = NoticeBatch(
        template=default_template("initial", "en"),
        organisation=org,
        incident=sample_incident(org),
        today=date(2026, 11, 20),
    )
    for index in range(count):
        person = {
            "first_name": f"Ann{index}",
            "last_name": "Lee",
            "reference": f"K7QM-{index:04d}-9RTA"[-14:],
            "jurisdiction": RESIDENCES[index % len(RESIDENCES)],
            "elements": [element.value for element in SAMPLE_ELEMENTS],
        }
        yield index, batch.render(person)


def _emails(org, count: int, dkim: DkimKey | None) -> float:
    sent = datetime(2026, 11, 20, 15, tzinfo=UTC)
    started = time.perf_counter()
    for index, rendered in _notices(org, count):
        text_qp, html_qp = rendered.quoted_printable()
        rendered.content_hash  # noqa: B018 - recorded with every notice sent, so timed too
        build_encoded_email(
            sender=SENDER,
            recipient=Address(f"Ann{index} Lee", f"ann{index}@example.com"),
            subject=rendered.subject,
            text_qp=text_qp,
            html_qp=html_qp,
            date=sent,
            message_id=message_id("northwind.example"),
            dkim=dkim,
        )
    return count / (time.perf_counter() - started)


def _letter_pages(org, count: int, batch_size: int = 500) -> float:
    """Consecutive batches of different people, as a print run compiles them (typst
    keeps what it laid out between batches, so one batch alone would flatter it)."""
    letters = [
        letter_data(
            rendered,
            reference=f"REF-{index:06d}",
            sender=["Northwind Outfitters, Inc.", "1200 Harbor Way", "Portland, OR 97201"],
            recipient=[f"Ann{index} Lee", "12 Oak Street", "Austin, TX 78701"],
        )
        for index, rendered in _notices(org, count)
    ]
    compile_letters(letters[:1])  # load the fonts once, outside the timing
    started = time.perf_counter()
    pdfs = [
        compile_letters(letters[start : start + batch_size])
        for start in range(0, count, batch_size)
    ]
    seconds = time.perf_counter() - started
    return sum(len(pypdf.PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs) / seconds


def main() -> int:
    key = DkimKey("northwind.example", "notices", rsa.generate_private_key(65537, 2048))
    with tempfile.TemporaryDirectory() as folder:
        database = fresh_database(None, Path(folder))
        with database.session() as db_session:
            org = incidents.create_organisation(
                db_session=db_session, organisation_in=demo_organisation(), actor="benchmark"
            )
            _emails(org, 200, None)  # warm the template cache
            rates = {
                "unsigned": _emails(org, 20_000, None),
                "signed": _emails(org, 6_000, key),
                "letter pages": _letter_pages(org, 2_000),
            }
            signatures = rsa_signatures_per_second(key.private_key, 6_000)
        database.dispose()
    print(f"machine: {describe_machine()}")
    for name, rate in rates.items():
        verdict = "meets" if rate >= TARGETS[name] else "MISSES"
        print(f"{name}: {rate:,.0f}/s per core (target >= {TARGETS[name]:,}: {verdict})")
    print(f"RSA-2048 signatures alone: {signatures:,.0f}/s per core (the ceiling for signed)")
    return 0 if all(rate >= TARGETS[name] for name, rate in rates.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
