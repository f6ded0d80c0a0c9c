"""What the benchmark scripts share: the machine they ran on, and a fresh database."""

from __future__ import annotations

import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import text

from breachdesk.db import Database
from breachdesk.migrations import upgrade


def describe_machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            kib = int(handle.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def rsa_signatures_per_second(private_key: rsa.RSAPrivateKey, count: int) -> float:
    """RSA signatures alone, on one core, over data the size DKIM signs (the header
    fields and the body hash): the ceiling for signed mail on this CPU."""
    data = b"x" * 400
    started = time.perf_counter()
    for _ in range(count):
        private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return count / (time.perf_counter() - started)


def fresh_database(url: str | None, folder: Path) -> Database:
    """A migrated, empty database: SQLite in ``folder``, or the PostgreSQL ``url`` emptied."""
    if url is None:
        database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    else:
        database = Database(url)
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(database.engine)
    return database
