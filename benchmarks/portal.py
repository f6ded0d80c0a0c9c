"""The portal under load: "Was I affected?" look-ups against 1M people, and a surge.

Target (response-center issue): with 1M people imported, look-ups at >= 3,000/s on 2
cores with p99 < 50 ms; at 10x the sustainable rate the server sheds load with 503 and
Retry-After, never times out, and loses no submitted inquiry.

    .venv/bin/python benchmarks/portal.py --people 1000000 --data-dir breachdesk-portal-bench

The demo's story is built with --people synthetic people into --data-dir (kept, and
reused when it is already there). `breachdesk serve --workers N` then serves it on
loopback, and a bounded load client (this script: asyncio, keep-alive connections,
each sending its next request when the last is answered, and replaced after 50
requests as visitors come and go) runs three phases:

1. look-ups: --connections connections for --seconds, half with a person's right
   details, a quarter with a real code and the wrong last name, a quarter with an
   unknown code; the rate, latency percentiles, and any response that is not 200/404;
2. a surge: 10x the connections, each also submitting a question every tenth request;
   every 201 ticket is remembered; the server must answer every request (200, 404,
   201 or 503 with Retry-After), none may time out;
3. the count: every ticket answered 201 must be in the database.

The rate limits are lifted for the run (every request comes from one address);
BREACHDESK_MAX_IN_FLIGHT stays at its default.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine
from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.delivery.senders import MaildirSender
from breachdesk.demo import build_story
from breachdesk.desk.mail import send_queued_mail
from breachdesk.desk.models import Inquiry
from breachdesk.people.contact import CONTEXT, Contact
from breachdesk.people.models import AffectedPerson
from breachdesk.people.references import ALPHABET, display
from breachdesk.security.crypto import load_keyring

TARGET_RATE = 3_000
TARGET_P99_MS = 50
BUILT_MARKER = "portal-bench-people"
BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))
TIMEOUT = 10.0
REQUESTS_PER_CONNECTION = 50  # a request unanswered this long counts as timed out


def run_async(coroutine):
    """On uvloop (installed with breachdesk): the load client then takes less of the
    cores it shares with the server it measures."""
    import uvloop

    return uvloop.run(coroutine)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(data_dir: Path, people: int) -> None:
    marker = data_dir / BUILT_MARKER
    if marker.exists() and marker.read_text() == str(people):
        print(f"reusing the story in {data_dir} ({people:,} people)")
        return
    if data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    build_story(Settings(data_dir=data_dir), people)
    marker.write_text(str(people))
    print(f"story built in {time.perf_counter() - started:,.0f} s")


def sample_people(data_dir: Path, count: int) -> list[tuple[str, str, str]]:
    """(reference, last name, postcode) of ``count`` people spread over the list."""
    settings = Settings(data_dir=data_dir)
    keyring = load_keyring(settings)
    database = Database.from_settings(settings)
    with database.session() as session:
        total = session.execute(
            select(AffectedPerson.id).order_by(AffectedPerson.id.desc())
        ).first()[0]
        ids = random.Random(7).sample(range(1, total + 1), min(count * 2, total))
        rows = session.execute(
            select(AffectedPerson.reference, AffectedPerson.contact).where(
                AffectedPerson.id.in_(ids)
            )
        ).all()
    database.dispose()
    people = []
    for reference, record in rows:
        contact = Contact.decode(keyring.decrypt(record, context=CONTEXT))
        if contact.last_name and contact.postcode:
            people.append((display(reference), contact.last_name, contact.postcode))
    return people[:count]


def drain_desk_mail(data_dir: Path) -> None:
    """Send the acknowledgements an earlier run's surge queued, so this run's look-ups
    do not share the cores with them."""
    settings = Settings(data_dir=data_dir)
    database = Database.from_settings(settings)
    sender = MaildirSender(data_dir / "mail-capture")
    keyring = load_keyring(settings)
    while True:
        with database.session() as session:
            run = send_queued_mail(
                db_session=session, keyring=keyring, sender=sender, actor="benchmark", limit=5000
            )
        if run.sent + run.retrying + run.failed == 0:
            break
    sender.close()
    database.dispose()


def request_bytes(path: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def lookup_requests(people: list[tuple[str, str, str]], count: int) -> list[bytes]:
    """Half right details, a quarter wrong last name, a quarter unknown codes."""
    chosen = random.Random(11)
    made = []
    for n in range(count):
        reference, last_name, postcode = people[n % len(people)]
        if n % 4 == 1:
            last_name = last_name + "x"
        elif n % 4 == 3:
            reference = "".join(chosen.choice(ALPHABET) for _ in range(12))
        body = {"reference": reference, "last_name": last_name, "postcode": postcode}
        made.append(request_bytes("/api/portal/lookup", body))
    return made


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    timeouts: int = 0
    timed_out: list[str] = field(default_factory=list)  # the paths
    errors: int = 0
    retry_after_missing: int = 0
    tickets: list[str] = field(default_factory=list)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def connection_loop(
    port: int, requests: list[bytes], offset: int, deadline: float, tally: Tally,
    question_every: int = 0,
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = offset
    try:
        while time.perf_counter() < deadline:
            n += 1
            if n % REQUESTS_PER_CONNECTION == 0:
                # A new connection now and then, as visitors come and go: it also spreads
                # them over the server's worker processes as a real crowd would.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if question_every and n % question_every == 0:
                request = request_bytes(
                    "/api/portal/inquiries",
                    {"name": "Load Test", "email": "load@example.com", "message": f"question {n}"},
                )
            else:
                request = requests[n % len(requests)]
            started = time.perf_counter()
            writer.write(request)
            try:
                status, headers, body = await asyncio.wait_for(read_response(reader), TIMEOUT)
            except TimeoutError:
                tally.timeouts += 1
                tally.timed_out.append(request.split(b" ", 2)[1].decode())
                return
            except (asyncio.IncompleteReadError, ConnectionError):
                tally.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status == 503 and "retry-after" not in headers:
                tally.retry_after_missing += 1
            if status == 201:
                tally.tickets.append(json.loads(body)["ticket"])
            if headers.get("connection") == "close":
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def run_phase(
    port: int, requests: list[bytes], connections: int, seconds: float, question_every: int = 0
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            connection_loop(port, requests, i * 7919, deadline, tally, question_every)
            for i in range(connections)
        )
    )
    return tally, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "BREACHDESK_DATA_DIR": str(data_dir),
        "BREACHDESK_PORTAL_LOOKUPS_PER_MINUTE": "1000000000",
        "BREACHDESK_PORTAL_ATTEMPTS_PER_REFERENCE": "1000000000",
        "BREACHDESK_PORTAL_INQUIRIES_PER_HOUR": "1000000000",
        "BREACHDESK_LOG_LEVEL": "warning",
    }
    env.pop("BREACHDESK_DATABASE_URL", None)
    server = subprocess.Popen(
        [BREACHDESK, "serve", "--port", str(port), "--workers", str(workers)], env=env
    )
    for _ in range(300):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(1.0)  # let every worker finish starting
                return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path("breachdesk-portal-bench"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    arguments = parser.parse_args()

    print(describe_machine())
    build(arguments.data_dir, arguments.people)
    drain_desk_mail(arguments.data_dir)
    people = sample_people(arguments.data_dir, 20_000)
    requests = lookup_requests(people, 40_000)
    port = free_port()
    server = start_server(arguments.data_dir, port, arguments.workers)
    try:
        run_async(run_phase(port, requests, arguments.connections, 2))  # warm-up
        client_cpu = time.process_time()
        tally, elapsed = run_async(
            run_phase(port, requests, arguments.connections, arguments.seconds)
        )
        client_cpu = (time.process_time() - client_cpu) / elapsed
        rate = len(tally.latencies) / elapsed
        p50, p99 = percentile(tally.latencies, 0.5), percentile(tally.latencies, 0.99)
        print(
            f"look-ups: {rate:,.0f}/s over {elapsed:.0f} s with {arguments.connections} "
            f"connections and {arguments.workers} workers; p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
            f"statuses {dict(sorted(tally.statuses.items()))}, timeouts {tally.timeouts}, "
            f"errors {tally.errors}; this load client used {client_cpu:.0%} of a core"
        )
        met = rate >= TARGET_RATE and p99 < TARGET_P99_MS
        verdict = "MET" if met else "NOT MET"
        print(f"target >= {TARGET_RATE:,}/s with p99 < {TARGET_P99_MS} ms: {verdict}")

        surge_connections = arguments.connections * 10
        surge, surge_elapsed = run_async(
            run_phase(port, requests, surge_connections, arguments.seconds, question_every=10)
        )
        answered = len(surge.latencies)
        print(
            f"surge: {surge_connections} connections, {answered / surge_elapsed:,.0f} answers/s; "
            f"statuses {dict(sorted(surge.statuses.items()))}; p99 "
            f"{percentile(surge.latencies, 0.99):.0f} ms; timeouts {surge.timeouts}, "
            f"errors {surge.errors}, 503 without Retry-After {surge.retry_after_missing}"
            + (f"; timed out: {sorted(set(surge.timed_out))}" if surge.timed_out else "")
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    database = Database.from_settings(Settings(data_dir=arguments.data_dir))
    with database.session() as session:
        stored = set(session.execute(select(Inquiry.ticket)).scalars())
    database.dispose()
    lost = [ticket for ticket in surge.tickets if ticket not in stored]
    print(
        f"inquiries: {len(surge.tickets):,} answered 201 during the surge, "
        f"{len(surge.tickets) - len(lost):,} in the database, {len(lost)} lost"
    )
    shed_ok = surge.timeouts == 0 and surge.retry_after_missing == 0 and not lost
    print(
        f"surge target (shed with 503 + Retry-After, no timeouts, nothing lost): "
        f"{'MET' if shed_ok else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
