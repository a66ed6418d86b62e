"""Booking throughput through the real HTTP stack on PostgreSQL, against yardsticks.

32 concurrent clients book distinct free slots (`POST /api/v1/bookings`, explicit lawyer and
start); prints bookings/s and p50/p99 latency. In the same run: requests/s of trivial
endpoints of the same app with the same 32 clients (`GET /api/v1/practice-areas`, which
authenticates the caller, and `GET /health`), and `pgbench -b tpcb-like` TPS with 32 clients on
a scratch database, with the ratios. Goal: bookings/s >= 30 % of the pgbench figure. When the
goal is missed (or with --profile) the booking use case is also timed in-process.

Run from the repository root: .venv/bin/python bench/booking.py [--profile]
Databases (default probono_bench_booking and probono_bench_booking_pgbench) are created and
dropped; BENCH_POSTGRES_URL overrides the first, BENCH_PGBENCH the pgbench binary.
"""

from __future__ import annotations

import asyncio
import cProfile
import glob
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CpuMeter,
    LoadResult,
    RawHttpConnection,
    Seeded,
    bench_database_url,
    bookable_world,
    client_slots,
    closed_loop,
    cpu_line,
    database_name,
    fresh_database,
    http_client,
    in_process_app,
    latency_line,
    logging_queries,
    login,
    other_load_row,
    percentile,
    print_summary,
    profile_report,
    running_server,
    seed,
    timing_steps,
    with_database,
)

CLIENTS = 32
LAWYERS = 64  # two per client, so clients never wait on each other's lawyer row lock
ENTERPRISES = 32  # one per client, so clients never wait on each other's enrolment row lock
BOOKING_SECONDS = 12
TRIVIAL_SECONDS = 5
PGBENCH_SCALE = 10
PGBENCH_SECONDS = 10
PROFILE_BOOKINGS = 40
GOAL_SHARE_OF_PGBENCH = 0.30
HORIZON_DAYS = 90
PRACTICE_AREA = "contract"
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- distinct slots -------------------------------------------------------------------------


Slots = list[Iterator[tuple[UUID, datetime]]]  # per client: (lawyer, start), never reused


def booking_body(seeded: Seeded, client: int, lawyer_id: UUID, start: datetime) -> dict:
    return {
        "program_id": str(seeded.program_id),
        "enterprise_id": str(seeded.enterprise_ids[client]),
        "service": "consultation",
        "practice_area": PRACTICE_AREA,
        "start": start.isoformat(),
        "topic": "benchmark consultation",
        "lawyer_id": str(lawyer_id),
    }


# --- HTTP phases ----------------------------------------------------------------------------


@dataclass
class Phase:
    result: LoadResult
    cpu: dict[str, float]
    refusals: Counter = field(default_factory=Counter)


async def book_slots(
    client: httpx.AsyncClient, headers: dict, seeded: Seeded, slots: Slots, server_pid: int
) -> Phase:
    """CLIENTS closed-loop clients, each booking its own next free slot."""
    refusals: Counter = Counter()

    async def book(index: int) -> bool | None:
        slot = next(slots[index], None)
        if slot is None:
            return None
        body = booking_body(seeded, index, *slot)
        response = await client.post("/api/v1/bookings", json=body, headers=headers)
        if response.status_code == 201:
            return True
        refusals[(response.status_code, response.text[:200])] += 1
        return False

    meter = CpuMeter(server_pid)
    meter.start()
    result = await closed_loop(CLIENTS, BOOKING_SECONDS, book)
    return Phase(result, meter.shares(), refusals)


async def hammer(
    client: httpx.AsyncClient, path: str, headers: dict, server_pid: int, seconds: float
) -> Phase:
    """CLIENTS closed-loop clients sending GET `path`."""

    async def get(_: int) -> bool:
        response = await client.get(path, headers=headers)
        return response.status_code == 200

    meter = CpuMeter(server_pid)
    meter.start()
    result = await closed_loop(CLIENTS, seconds, get)
    return Phase(result, meter.shares())


async def hammer_raw(
    base_url: str, path: str, headers: dict, server_pid: int, seconds: float
) -> Phase:
    """The same as hammer() with bare keep-alive connections instead of httpx."""
    connections = [RawHttpConnection(base_url) for _ in range(CLIENTS)]

    async def get(index: int) -> bool:
        return await connections[index].get(path, headers) == 200

    meter = CpuMeter(server_pid)
    meter.start()
    try:
        result = await closed_loop(CLIENTS, seconds, get)
    finally:
        for connection in connections:
            await connection.close()
    return Phase(result, meter.shares())


# --- pgbench --------------------------------------------------------------------------------


def pgbench_binary() -> str:
    found = os.environ.get("BENCH_PGBENCH") or shutil.which("pgbench")
    found = found or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))), None)
    if found is None:
        raise SystemExit("pgbench not found: install postgresql-client or set BENCH_PGBENCH")
    return found


def pgbench_connection(url: str) -> list[str]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", str(parts.port or 5432)
    return ["-h", host, "-p", port, "-U", parts.username or "postgres", database_name(url)]


def run_pgbench(*args: str) -> str:
    done = subprocess.run(
        [pgbench_binary(), *args], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout + done.stderr


async def pgbench_tps(url: str) -> tuple[float, float]:
    """TPS of the built-in TPC-B-like script with CLIENTS clients, and the latency average."""
    async with fresh_database(url):
        connection = pgbench_connection(url)
        await asyncio.to_thread(run_pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), *connection)
        output = await asyncio.to_thread(
            run_pgbench,
            *("-b", "tpcb-like", "-c", str(CLIENTS), "-j", "2", "-T", str(PGBENCH_SECONDS)),
            *connection,
        )
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    if tps is None:
        raise RuntimeError(f"no TPS line in pgbench output:\n{output}")
    return float(tps.group(1)), float(latency.group(1)) if latency else float("nan")


# --- in-process breakdown -------------------------------------------------------------------


def booking_steps() -> list[tuple[object, str, str]]:
    """The steps of a booking, as (module, function name, label) for timing_steps()."""
    from models import audit_log
    from service.usecases import bookings

    return [
        (bookings, "one_row", "programme and enterprise rows"),
        (bookings, "enrolment_of", "enrolment row (outside and inside the transaction)"),
        (bookings, "lock_lawyer", "lock the lawyer row"),
        (bookings, "check_lawyer_can_take", "check_lawyer_can_take (conflict, calendar, cap)"),
        (bookings, "move_minutes", "move_minutes (lock enrolment, update, ledger row)"),
        (bookings, "get_booking", "get_booking (read the new booking back)"),
        (audit_log, "record", "audit entry"),
        (bookings, "invite_parties", "invite_parties (iTIP invite + 2 outbox rows)"),
    ]


async def profile_in_process(url: str, seeded: Seeded, slots: Slots) -> list[str]:
    """The booking endpoint against the app in this process (no network): time per step and
    statements sent one at a time, CLIENTS at once, then a cProfile summary."""
    async with in_process_app(url) as client:
        headers = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)

        async def book(index: int) -> bool | None:
            slot = next(slots[index], None)
            if slot is None:
                return None
            body = booking_body(seeded, index, *slot)
            response = await client.post("/api/v1/bookings", json=body, headers=headers)
            return response.status_code == 201

        async def book_one_at_a_time() -> None:
            for _ in range(PROFILE_BOOKINGS):
                if not await book(0):
                    raise RuntimeError("an in-process booking was refused")

        await book(0)  # warm up
        with logging_queries() as queries, timing_steps(booking_steps()) as steps:
            began = time.perf_counter()
            await book_one_at_a_time()
            total = time.perf_counter() - began
        concurrent = await closed_loop(CLIENTS, TRIVIAL_SECONDS, book)
        profiler = cProfile.Profile()
        profiler.enable()
        await book_one_at_a_time()
        profiler.disable()
    return [
        f"in-process POST /api/v1/bookings (ASGI, no network), one at a time, mean of "
        f"{PROFILE_BOOKINGS}: {total * 1000 / PROFILE_BOOKINGS:.1f} ms",
        *steps.lines(PROFILE_BOOKINGS, total, "the rest (auth, validation, INSERT booking, …)"),
        *queries.lines(PROFILE_BOOKINGS, "booking"),
        f"{CLIENTS} at once in-process: {concurrent.rate:.1f} bookings/s "
        f"({concurrent.failures} refused), {latency_line(concurrent.latencies_ms)}",
        "",
        *profile_report(profiler, PROFILE_BOOKINGS, "booking"),
    ]


# --- main -----------------------------------------------------------------------------------


TRIVIAL_PATHS = ("/api/v1/practice-areas", "/health")


@dataclass
class Figures:
    bookings: Phase
    # (path, "httpx" or "raw") -> phase
    trivial: dict[tuple[str, str], Phase]
    pgbench_tps: float = 0.0
    pgbench_latency_ms: float = 0.0


async def measure_trivial(
    client: httpx.AsyncClient, headers: dict, pid: int
) -> dict[tuple[str, str], Phase]:
    """Each trivial path with httpx (as the bookings) and with bare connections."""
    phases = {}
    for path in TRIVIAL_PATHS:
        sent = headers if path.startswith("/api/") else {}
        phases[(path, "httpx")] = await hammer(client, path, sent, pid, TRIVIAL_SECONDS)
        phases[(path, "raw")] = await hammer_raw(
            str(client.base_url), path, sent, pid, TRIVIAL_SECONDS
        )
        for kind in ("httpx", "raw"):
            print(f"{path} ({kind}): {phases[(path, kind)].result.rate:.0f} requests/s")
    return phases


async def measure_http(url: str, seeded: Seeded, slots: Slots) -> Figures:
    with running_server(url) as server:
        pid = server.process.pid
        async with http_client(server.base_url, connections=CLIENTS) as client:
            headers = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
            await hammer(client, "/health", headers, pid, 1)  # open the connections
            bookings = await book_slots(client, headers, seeded, slots, pid)
            print(f"bookings: {bookings.result.rate:.1f}/s")
            trivial = await measure_trivial(client, headers, pid)
    return Figures(bookings, trivial)


def trivial_rows(figures: Figures) -> list[tuple[str, str]]:
    rows = []
    for (path, kind), phase in figures.trivial.items():
        result = phase.result
        rows.append(
            (
                f"GET {path} ({kind})",
                f"{result.rate:.0f} requests/s, p50 {percentile(result.latencies_ms, 50):.1f} ms"
                f" ({result.failures} failed)",
            )
        )
        rows.append(("  cpu", cpu_line(phase.cpu, result.rate)))
    return rows


def ratio_rows(figures: Figures) -> list[tuple[str, str]]:
    rate, tps = figures.bookings.result.rate, figures.pgbench_tps
    rows = [("bookings / pgbench", f"{rate / tps:.1%}" if tps else "n/a")]
    for (path, kind), phase in figures.trivial.items():
        trivial_rate = phase.result.rate
        rows.append((f"bookings / {path} ({kind})", f"{rate / trivial_rate:.1%}"))
    return rows


def report(figures: Figures) -> None:
    booked = figures.bookings
    rate, tps = booked.result.rate, figures.pgbench_tps
    verdict = "met" if tps and rate >= GOAL_SHARE_OF_PGBENCH * tps else "MISSED"
    print_summary(
        f"booking over HTTP on PostgreSQL, {CLIENTS} clients (bench/booking.py)",
        [
            (
                "bookings (httpx)",
                f"{rate:.1f} bookings/s ({booked.result.successes} created in "
                f"{booked.result.elapsed_s:.1f} s, {booked.result.failures} refused)",
            ),
            ("  latency", latency_line(booked.result.latencies_ms)),
            ("  cpu", cpu_line(booked.cpu, rate)),
            *trivial_rows(figures),
            (
                f"pgbench tpcb-like -c {CLIENTS}",
                f"{tps:.0f} TPS, latency average {figures.pgbench_latency_ms:.1f} ms "
                f"(scale {PGBENCH_SCALE}, {PGBENCH_SECONDS} s)",
            ),
            *ratio_rows(figures),
            ("goal bookings >= 30% of pgbench", verdict),
            other_load_row(booked.cpu, *(phase.cpu for phase in figures.trivial.values())),
        ],
    )
    for (status, text), count in booked.refusals.most_common(5):
        print(f"refused {count}x: {status} {text}")


async def main() -> None:
    url = bench_database_url("probono_bench_booking")
    pgbench_url = with_database(url, f"{database_name(url)}_pgbench")
    profile = "--profile" in sys.argv[1:]
    async with fresh_database(url):
        seeded = await seed(
            url,
            bookable_world(
                datetime.now(SHANGHAI).date(),
                name="Bench programme",
                enterprises=ENTERPRISES,
                lawyers=LAWYERS,
                practice_areas=[PRACTICE_AREA, "labour"],
                granted_minutes=10**6,
                horizon_days=HORIZON_DAYS,
                code_prefix="91310000",
            ),
        )
        slots = [client_slots(seeded, n, HORIZON_DAYS, SHANGHAI) for n in range(CLIENTS)]
        figures = await measure_http(url, seeded, slots)
        figures.pgbench_tps, figures.pgbench_latency_ms = await pgbench_tps(pgbench_url)
        report(figures)
        if profile or figures.bookings.result.rate < GOAL_SHARE_OF_PGBENCH * figures.pgbench_tps:
            # the breakdown books the slots after those the HTTP run took
            print("\nwhere the time goes (in-process, same database, service stopped):")
            print("\n".join(await profile_in_process(url, seeded, slots)))


if __name__ == "__main__":
    asyncio.run(main())
