"""End-to-end delivery speed: a campaign sent by `breachdesk worker` processes on
PostgreSQL to postfix's smtp-sink on loopback (render, sign, send, record), beside the
rate smtp-source reaches against the same sink with 10 sessions, in the same run.

Target (delivery issue): at least 0.5 x the smtp-source rate.

    .venv/bin/python benchmarks/deliver.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench   # emptied!

With --kills N it is the delivery issue's kill test at full size instead of a timing:
a random worker is SIGKILLed at a random moment N times during the campaign (and a new
one started each time); at the end everyone owed an email must have exactly one `sent`
notice, the sink (dumping every message it accepts) must have received each Message-ID
at least once, and the copies it received twice must be no more than those recorded
as possible duplicates, at most one batch per kill.

Needs postfix's smtp-sink and smtp-source (Debian: postfix). The demo's story is built
with --people synthetic people (duplicates and broken rows included); every email the
campaign owes is then sent by --workers workers, DKIM-signed with a new 2048-bit key
unless --unsigned. The rate is emails over the time from the workers' start to the last
one's exit (start-up included), and over the first to the last recorded send.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import describe_machine, fresh_database, rsa_signatures_per_second
from breachdesk.config import Settings
from breachdesk.db import utcnow
from breachdesk.delivery import service
from breachdesk.delivery.models import Campaign, Channel, MessageState, OutboxMessage
from breachdesk.demo import ACTOR, build_story

TARGET_RATIO = 0.5
BREACHDESK = str(Path(sys.executable).with_name("breachdesk"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(port: int, dump: Path | None = None) -> subprocess.Popen:
    tool = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    dumping = ["-D", str(dump)] if dump else []
    sink = subprocess.Popen([tool, *user, *dumping, f"127.0.0.1:{port}", "1000"])
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return sink
        time.sleep(0.05)
    raise RuntimeError("smtp-sink did not start")


def children_cpu() -> float:
    """CPU seconds used so far by this script's children that have been waited for
    (the workers, smtp-source)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def postgres_cpu(database_url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL server on this machine: its processes
    still running, and the connections' backends that have ended (the server process
    counts them among its children's times). None when the server is elsewhere or its
    processes cannot be read (another user's, without root)."""
    if make_url(database_url).host not in (None, "127.0.0.1", "localhost", "::1"):
        return None
    total = 0.0
    try:
        for process in psutil.process_iter(["name"]):
            if process.info["name"] != "postgres" or process.parent().name() == "postgres":
                continue
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
            for backend in process.children():
                # One that ended just now is counted with the server's children next time.
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += process_cpu(backend.pid)
    except psutil.AccessDenied:
        return None
    return total or None


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds over one run, by who used them."""

    client: float  # the breachdesk workers, or smtp-source
    sink: float
    postgres: float | None


class CpuMeter:
    """CPU seconds used between start() and stop() by this script's waited-for children,
    smtp-sink and the local PostgreSQL server."""

    def __init__(self, sink_pid: int, database_url: str) -> None:
        self.sink_pid = sink_pid
        self.database_url = database_url

    def _read(self) -> tuple[float, float, float | None]:
        return (
            children_cpu(),
            process_cpu(self.sink_pid),
            postgres_cpu(self.database_url),
        )

    def start(self) -> None:
        self._started = self._read()

    def stop(self) -> CpuUse:
        client, sink, postgres = self._read()
        started_client, started_sink, started_postgres = self._started
        spent_postgres = None
        if postgres is not None and started_postgres is not None:
            spent_postgres = postgres - started_postgres
        return CpuUse(client - started_client, sink - started_sink, spent_postgres)


def smtp_source_rate(port: int, messages: int, size: int) -> float:
    tool = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
    started = time.perf_counter()
    subprocess.run(
        [tool, "-s", "10", "-m", str(messages), "-l", str(size),
         "-f", "notice@northwind.example", "-t", "ann@example.com", f"127.0.0.1:{port}"],
        check=True,
    )  # fmt: skip
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; it is emptied.")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--unsigned", action="store_true", help="Do not DKIM-sign.")
    parser.add_argument(
        "--kills", type=int, default=0, help="Run the kill test with this many kills."
    )
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="breachdesk-deliver-"))
    database = fresh_database(options.database_url, folder)
    settings = Settings(database_url=options.database_url, data_dir=folder / "data")
    print(f"building the demo story with {options.people:,} people on PostgreSQL…", flush=True)
    build_story(settings, people=options.people)

    with database.session() as db_session:
        campaign_id = db_session.scalar(select(func.max(Campaign.id)))
        wave, channels = service.schedule_wave(
            db_session=db_session, campaign_id=campaign_id, starts_at=utcnow(), actor=ACTOR
        )
        wave_id = wave.id
        emails = channels.get(Channel.EMAIL.value, 0)
    print(f"wave 2: {channels}; {emails:,} emails to send", flush=True)

    port = free_port()
    dump = None
    if options.kills:
        # smtp-sink drops to nobody as root and must be able to write its dump there
        # (synthetic people only, removed at the end).
        (folder / "sink").mkdir(mode=0o777)
        (folder / "sink").chmod(0o777)
        folder.chmod(0o711)
        dump = folder / "sink" / "dump"
    sink = start_sink(port, dump)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BREACHDESK_")},
        "BREACHDESK_DATABASE_URL": options.database_url,
        "BREACHDESK_DATA_DIR": str(settings.data_dir),
        "BREACHDESK_SMTP_URL": f"smtp://127.0.0.1:{port}",
    }
    if not options.unsigned:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        environment |= {
            "BREACHDESK_DKIM_SELECTOR": "bench",
            "BREACHDESK_DKIM_PRIVATE_KEY": pem.decode(),
        }
    if options.kills:
        try:
            kill_test(options, environment, database, wave_id, emails, dump)
        finally:
            sink.terminate()
            sink.wait()
            database.dispose()
            shutil.rmtree(folder, ignore_errors=True)
        return
    meter = CpuMeter(sink.pid, options.database_url)
    try:
        meter.start()
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [BREACHDESK, "worker", "--until-done", "--batch", str(options.batch)],
                env=environment,
            )
            for _ in range(options.workers)
        ]
        for worker in workers:
            if worker.wait() != 0:
                raise SystemExit(f"a worker exited with {worker.returncode}")
        elapsed = time.perf_counter() - started
        our_cpu = meter.stop()
        with database.session() as db_session:
            sent, first, last, distinct = db_session.execute(
                select(
                    func.count(),
                    func.min(OutboxMessage.sent_at),
                    func.max(OutboxMessage.sent_at),
                    func.count(func.distinct(OutboxMessage.message_id)),
                ).where(
                    OutboxMessage.wave_id == wave_id,
                    OutboxMessage.channel == Channel.EMAIL,
                    OutboxMessage.state == MessageState.SENT,
                )
            ).one()
        sample = settings.data_dir / "sample-notice.eml"
        size = sample.stat().st_size
        meter.start()
        reference = smtp_source_rate(port, emails, size)
        reference_cpu = meter.stop()
    finally:
        sink.terminate()
        sink.wait()
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)

    rate = emails / elapsed
    print(f"\nmachine: {describe_machine()}")
    print(f"workers: {options.workers}, batch {options.batch}, "
          f"{'unsigned' if options.unsigned else 'DKIM-signed (RSA-2048)'}")  # fmt: skip
    print(f"sent: {sent:,} emails recorded sent ({distinct:,} Message-IDs); {emails:,} owed")
    print(f"breachdesk: {rate:,.0f} emails/s end to end ({elapsed:.1f} s, start-up included)")
    if first and last and last > first:
        print(
            f"            {sent / (last - first).total_seconds():,.0f} emails/s first to last send"
        )
    print(f"smtp-source, 10 sessions, {size:,}-byte messages: {reference:,.0f} msg/s")
    ratio = rate / reference
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio: {ratio:.2f} (target >= {TARGET_RATIO}): {verdict}")
    signature = 1 / rsa_signatures_per_second(rsa.generate_private_key(65537, 2048), 3_000)
    report_cpu(our_cpu, reference_cpu, emails, TARGET_RATIO * reference, signature)


def report_cpu(
    ours: CpuUse, reference: CpuUse, emails: int, target_rate: float, signature: float
) -> None:
    """Where the CPU went, in milliseconds per email, and what the target rate leaves."""

    def ms(seconds: float | None) -> str:
        return "not measured" if seconds is None else f"{seconds / emails * 1000:.3f} ms"

    print("CPU per email:")
    print(
        f"  breachdesk run: workers {ms(ours.client)}, PostgreSQL {ms(ours.postgres)}, "
        f"smtp-sink {ms(ours.sink)}"
    )
    print(f"  reference run:  smtp-source {ms(reference.client)}, smtp-sink {ms(reference.sink)}")
    print(f"  one RSA-2048 signature on one core: {signature * 1000:.3f} ms")
    cores = os.cpu_count() or 1
    budget = cores / target_rate
    print(
        f"at the target rate, {target_rate:,.0f} emails/s, the {cores} cores have "
        f"{budget * 1000:.3f} ms of CPU per email for everything: the signature alone "
        f"takes {signature / budget:.0%} of it, smtp-sink receiving "
        f"{ours.sink / emails / budget:.0%}"
    )


def kill_test(options, environment, database, wave_id: int, emails: int, dump: Path) -> None:
    stale_after = "10"  # seconds: longer than a batch takes, so live workers keep theirs
    command = [BREACHDESK, "worker", "--until-done", "--batch", str(options.batch)]
    command += ["--stale-after", stale_after]
    chance = random.Random(20261124)

    def start() -> subprocess.Popen:
        return subprocess.Popen(command, env=environment)

    workers = [start() for _ in range(options.workers)]
    for kill in range(options.kills):
        time.sleep(chance.uniform(1.0, 4.0))
        live = [worker for worker in workers if worker.poll() is None]
        if not live:
            break
        victim = chance.choice(live)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        workers.remove(victim)
        workers.append(start())
        print(f"kill {kill + 1}", flush=True)
    for worker in workers:
        worker.wait()

    def open_rows() -> int:
        with database.session() as db_session:
            return db_session.scalar(
                select(func.count()).where(
                    OutboxMessage.wave_id == wave_id,
                    OutboxMessage.channel == Channel.EMAIL,
                    OutboxMessage.state != MessageState.SENT,
                )
            )

    # What killed workers left `sending` is due after --stale-after: a fresh worker's
    # start-up sweep picks it up.
    while open_rows():
        time.sleep(int(stale_after) + 1)
        if start().wait() != 0:
            raise SystemExit("the last worker failed")

    with database.session() as db_session:
        rows = db_session.execute(
            select(OutboxMessage.message_id, OutboxMessage.resent_after_interruption).where(
                OutboxMessage.wave_id == wave_id, OutboxMessage.channel == Channel.EMAIL
            )
        ).all()
    time.sleep(1)  # the sink flushes its dump
    header = re.compile(rb"^Message-ID: (<[^>]+>)\r?$", re.IGNORECASE)
    received: Counter[bytes] = Counter()
    for part in sorted(dump.parent.glob("dump*")):  # smtp-sink may add a suffix
        with part.open("rb") as lines:
            for line in lines:
                found = header.match(line)
                if found:
                    received[found.group(1)] += 1
    owed = {message_id.encode() for message_id, _ in rows}
    twice = sum(count - 1 for count in received.values())
    recorded = sum(resent for _, resent in rows)
    print(f"\nmachine: {describe_machine()}")
    print(f"kills: {options.kills}, workers: {options.workers}, batch {options.batch}")
    print(f"emails owed: {emails:,}; rows sent: {len(rows):,} (each exactly once)")
    print(f"Message-IDs received by the sink: {len(received):,}, copies received twice: {twice:,}")
    print(
        f"recorded as possible duplicates: {recorded:,} (at most {options.kills * options.batch:,})"
    )
    checks = {
        "everyone owed has exactly one sent email": len(rows) == emails and not open_rows(),
        "every Message-ID reached the sink": owed <= set(received),
        "copies received twice <= recorded": twice <= recorded,
        "recorded <= one batch per kill": recorded <= options.kills * options.batch,
    }
    for name, passed in checks.items():
        print(f"  {'ok' if passed else 'FAILED'}  {name}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
