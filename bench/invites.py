"""Invite delivery throughput: 5,000 confirmed bookings, i.e. 10,000 iMIP notices written by the
booking use case, delivered by the real arq worker process(es) into a local SMTP sink.

The bookings are made in-process through `create_booking` (so every outbox row is the one the
service writes), then the worker(s) start and this script plays the API's relay
(`relay_outbox`, 100 due rows a pass) until every row is delivered. Prints messages/s over the
delivery window, the total time, the worker count and the CPU spent per message.

Run from the repository root: .venv/bin/python bench/invites.py [--workers N] [--bookings N]
    [--max-jobs N] [--poll-delay S]  (replace arq's settings, to compare with as shipped)
    [--relay-pause S]  (between relay passes; 0.05 s, the API's own relay waits 2 s)
The database (probono_bench_invites; BENCH_POSTGRES_URL overrides) is created and dropped;
Redis database 13 on 127.0.0.1:6379 (BENCH_REDIS_URL overrides) is flushed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
from aiosmtpd.controller import Controller
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError

from bench.harness import (
    REPO_ROOT,
    Seeded,
    bench_database_url,
    bookable_world,
    client_slots,
    free_port,
    fresh_database,
    postgres_cpu_seconds,
    print_summary,
    process_cpu_seconds,
    seed,
)
from jobs.relay import relay_outbox
from models.database import build_engine, connected
from models.tables import OutboxMessage
from service.schemas import BookingCreate
from service.usecases.bookings import create_booking

BOOKINGS = 5_000
NOTICES_PER_BOOKING = 2  # the lawyer's invite and the enterprise contact's
WORKERS = 2  # one per core of this machine; four were no faster
CLIENTS = 16  # concurrent booking tasks, each with its own enterprise and two lawyers
HORIZON_DAYS = 120
PRACTICE_AREA = "contract"
SHANGHAI = ZoneInfo("Asia/Shanghai")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
DELIVERY_DEADLINE_SECONDS = 240
# Between relay passes. Each pass hands on at most 100 rows, so the API's own relay (every
# OUTBOX_RELAY_SECONDS = 2 s) caps delivery at 50 notices/s; here it runs nearly back to back.
RELAY_PAUSE_SECONDS = 0.05
PROGRESS_SECONDS = 10
ACTOR = "bench@bar.bench"
MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)
# `python -m service.cli worker` with WorkerSettings' max_jobs / poll_delay replaced
TUNED_WORKER = (
    "import sys; from jobs.worker import WorkerSettings; from service.cli import main; "
    "WorkerSettings.max_jobs = int(sys.argv[1]); WorkerSettings.poll_delay = float(sys.argv[2]); "
    "main(['worker'])"
)


# --- seed -----------------------------------------------------------------------------------


def booking_request(seeded: Seeded, client: int, lawyer_id: UUID, start: datetime):
    body = {
        "program_id": str(seeded.program_id),
        "enterprise_id": str(seeded.enterprise_ids[client]),
        "service": "consultation",
        "practice_area": PRACTICE_AREA,
        "start": start.isoformat(),
        "topic": "invite benchmark",
        "lawyer_id": str(lawyer_id),
    }
    return msgspec.convert(body, BookingCreate)


async def make_bookings(seeded: Seeded, count: int) -> float:
    """`count` confirmed bookings through the booking use case; returns the seconds taken."""
    share, extra = divmod(count, CLIENTS)

    async def client(index: int) -> None:
        slots = client_slots(seeded, index, HORIZON_DAYS, SHANGHAI)
        for _ in range(share + (index < extra)):
            request = booking_request(seeded, index, *next(slots))
            await create_booking(ACTOR, request, datetime.now(UTC))

    began = time.perf_counter()
    await asyncio.gather(*(client(index) for index in range(CLIENTS)))
    return time.perf_counter() - began


# --- the SMTP sink --------------------------------------------------------------------------


@dataclass
class Sink:
    """Counts what SMTP accepted (and distinct Message-IDs), keeps nothing else."""

    count: int = 0
    message_ids: set[bytes] = field(default_factory=set)
    first: float | None = None
    last: float | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.perf_counter()
        self.first = self.first or now
        self.last = now
        self.count += 1
        if found := MESSAGE_ID.search(envelope.content):
            self.message_ids.add(found.group(1))
        return "250 OK"


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[Sink, str]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


# --- Redis and the workers ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def empty_queue(url: str) -> AsyncIterator[ArqRedis]:
    """Our Redis database, flushed before and after."""
    try:
        pool = await create_pool(RedisSettings.from_dsn(url))
    except (OSError, RedisError) as error:
        raise SystemExit(f"Redis at {url} is unreachable: {error}") from None
    await pool.flushdb()
    try:
        yield pool
    finally:
        await pool.flushdb()
        await pool.aclose()


def worker_command(max_jobs: int | None, poll_delay: float | None) -> list[str]:
    """`probono worker`, or the same with arq's max_jobs / poll_delay (10 / 0.5 s) replaced."""
    if max_jobs is None and poll_delay is None:
        return [sys.executable, "-m", "service.cli", "worker"]
    tuned = [str(max_jobs or 10), str(0.5 if poll_delay is None else poll_delay)]
    return [sys.executable, "-c", TUNED_WORKER, *tuned]


@contextlib.contextmanager
def running_workers(
    count: int, database_url: str, smtp_url: str, command: list[str]
) -> Iterator[list[subprocess.Popen]]:
    """`count` worker processes; stopped (SIGTERM, then SIGKILL) on the way out."""
    with tempfile.TemporaryDirectory(prefix="probono-bench-invites-") as scratch:
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO_DATA", "OUTBOX_DIR")}
        env |= {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "SMTP_URL": smtp_url,
            "VAR_DIR": f"{scratch}/var",
            "OUTBOX_DIR": f"{scratch}/outbox",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-hs256",
        }
        workers = []
        try:
            for number in range(count):
                with Path(scratch, f"worker-{number}.log").open("w") as log:
                    workers.append(
                        subprocess.Popen(
                            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                        )
                    )
            yield workers
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=10)


# --- delivery -------------------------------------------------------------------------------


async def undelivered() -> int:
    return await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null())


async def relay_until_delivered(
    queue: ArqRedis, workers: list[subprocess.Popen], pause: float
) -> bool:
    """Play the API's relay, a pass every `pause` seconds, until no row is left; False at the
    deadline."""
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    next_check = next_progress = time.monotonic()
    passes, relay_seconds = 0, 0.0
    while True:
        began = time.perf_counter()
        await relay_outbox({}, queue)
        passes, relay_seconds = passes + 1, relay_seconds + time.perf_counter() - began
        now = time.monotonic()
        if now >= next_check:
            left = await undelivered()
            if left == 0:
                return True
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit("a worker exited early")
            if now >= next_progress:
                mean_ms = 1000 * relay_seconds / passes
                print(f"  {left} notices to deliver (relay pass {mean_ms:.0f} ms)", flush=True)
                passes, relay_seconds = 0, 0.0
                next_progress = now + PROGRESS_SECONDS
            next_check = now + 0.5
        if now > deadline:
            return False
        await asyncio.sleep(pause)


@dataclass
class Delivery:
    done: bool
    seconds: float
    worker_cpu_seconds: float
    own_cpu_seconds: float  # this process: the relay loop and the SMTP sink
    postgres_cpu_seconds: float


async def deliver_all(
    args: argparse.Namespace, database_url: str, smtp_url: str, queue: ArqRedis
) -> Delivery:
    command = worker_command(args.max_jobs, args.poll_delay)
    with running_workers(args.workers, database_url, smtp_url, command) as processes:
        began = time.perf_counter(), time.process_time(), postgres_cpu_seconds()
        done = await relay_until_delivered(queue, processes, args.relay_pause)
        seconds = time.perf_counter() - began[0]
        own = time.process_time() - began[1]
        postgres = postgres_cpu_seconds() - began[2]
        workers_cpu = sum(process_cpu_seconds(process.pid) for process in processes)
    return Delivery(done, seconds, workers_cpu, own, postgres)


# --- main -----------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=BOOKINGS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--max-jobs", type=int, help="override WorkerSettings.max_jobs")
    parser.add_argument("--poll-delay", type=float, help="override arq's poll_delay (0.5 s)")
    parser.add_argument(
        "--relay-pause",
        type=float,
        default=RELAY_PAUSE_SECONDS,
        help="seconds between relay passes (the API waits OUTBOX_RELAY_SECONDS, 2 by default)",
    )
    return parser.parse_args()


def report(args, booking_seconds: float, messages: int, sink: Sink, delivery: Delivery) -> None:
    window = (sink.last - sink.first) if sink.first and sink.last else 0.0
    rate = sink.count / window if window else 0.0

    def per_message(cpu_seconds: float) -> float:
        return 1000 * cpu_seconds / max(sink.count, 1)

    settings = "as shipped" if args.max_jobs is None and args.poll_delay is None else "tuned"
    print_summary(
        f"Invites through the worker: {args.bookings:,} bookings, {messages:,} notices",
        [
            ("bookings made (use case)", f"{booking_seconds:.1f} s, "
             f"{args.bookings / booking_seconds:.0f} bookings/s"),
            ("workers", f"{args.workers} process(es), WorkerSettings {settings}"
             f" (max_jobs {args.max_jobs or 'default'}, poll_delay {args.poll_delay or 'default'})"),
            ("relay", f"a pass (≤ 100 rows) every {args.relay_pause:g} s"),
            ("delivered", f"{sink.count:,} messages, {len(sink.message_ids):,} distinct "
             f"Message-IDs{'' if delivery.done else ' (DEADLINE HIT, incomplete)'}"),
            ("messages/s", f"{rate:.1f} (first to last message accepted, {window:.1f} s)"),
            ("total time", f"{delivery.seconds:.1f} s from worker start to all rows delivered "
             f"({messages / delivery.seconds:.1f} messages/s)"),
            ("CPU per message", f"workers {per_message(delivery.worker_cpu_seconds):.1f} ms, "
             f"PostgreSQL {per_message(delivery.postgres_cpu_seconds):.1f} ms, relay + sink "
             f"{per_message(delivery.own_cpu_seconds):.1f} ms ({os.cpu_count()} cores)"),
        ],
    )  # fmt: skip


async def main() -> None:
    args = arguments()
    url = bench_database_url("probono_bench_invites")
    async with fresh_database(url), empty_queue(REDIS_URL) as queue:
        seeded = await seed(
            url,
            bookable_world(
                datetime.now(SHANGHAI).date(),
                name="Invite bench programme",
                enterprises=CLIENTS,
                lawyers=2 * CLIENTS,
                practice_areas=[PRACTICE_AREA],
                granted_minutes=10**7,
                horizon_days=HORIZON_DAYS,
                code_prefix="91320000",
            ),
        )
        async with connected(build_engine(url)):
            print(f"booking {args.bookings:,} sessions through the use case…", flush=True)
            booking_seconds = await make_bookings(seeded, args.bookings)
            messages = await undelivered()
            assert messages == NOTICES_PER_BOOKING * args.bookings, messages
            print(f"delivering {messages:,} notices with {args.workers} worker(s)…", flush=True)
            with smtp_sink() as (sink, smtp_url):
                delivery = await deliver_all(args, url, smtp_url, queue)
    report(args, booking_seconds, messages, sink, delivery)
    if not delivery.done:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
