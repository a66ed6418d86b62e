"""Slot search through the real HTTP stack on PostgreSQL.

Seeds 500 lawyers with weekly rules, 5,000 bookings and 10,000 busy blocks, then times
`GET /api/v1/slots` over a 14-day window (from two days out): p50/p95/p99 of one client searching one after the
other, and searches/s of 8 concurrent clients. Target on a 2-core machine: p95 <= 50 ms.
The service keeps calendars in memory while their lawyer's calendar_version holds; the cold
phase raises every lawyer's version before each search, so each one loads every calendar.
When the target is missed (or with --profile) the search is also timed in-process, stage by
stage, to show where the time goes.

Run from the repository root: .venv/bin/python bench/slots.py [--profile]
The database (default probono_bench_slots) is created and dropped; BENCH_POSTGRES_URL
overrides its URL.
"""

from __future__ import annotations

import asyncio
import cProfile
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx

from bench import engine_slots
from bench.harness import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CpuMeter,
    LoadResult,
    bench_database_url,
    closed_loop,
    copy_rows,
    cpu_line,
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
    timing_steps,
)
from models.database import build_engine, migrate
from service.domain.credit_code import check_character
from service.domain.practice_areas import PRACTICE_AREAS, area_match

LAWYERS = 500
BOOKINGS_PER_LAWYER = 10  # 5,000 bookings
BUSY_BLOCKS_PER_LAWYER = 20  # 10,000 busy blocks
ENTERPRISES = 4
SEED_DAYS = 30  # bookings and busy blocks fall in the next 30 days
WINDOW_OFFSET = timedelta(days=2)  # searches start two days out (past the 24 h notice)
WINDOW_LENGTH = timedelta(days=14)
RESULT_LIMIT = 50
WARM_UP = 20
SEQUENTIAL = 200
CONCURRENT_CLIENTS = 8
CONCURRENT_SECONDS = 10
COLD_SEARCHES = 48
PROFILE_SEARCHES = 24
TARGET_P95_MS = 50
SHANGHAI = ZoneInfo("Asia/Shanghai")
OTHER_ZONES = ("Asia/Hong_Kong", "Asia/Tokyo")  # a few lawyers live elsewhere
AREAS = list(PRACTICE_AREAS)
WEEKDAYS_RULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


@dataclass(frozen=True)
class Seeded:
    program_id: UUID
    enterprise_ids: list[UUID]
    lawyer_areas: list[list[str]]


# --- seed -----------------------------------------------------------------------------------


def credit_code(number: int) -> str:
    """A valid unified social credit code (GB 32100-2015), unique per number."""
    first_seventeen = f"91110000{number:09d}"
    return first_seventeen + check_character(first_seventeen)


def local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)


def weekdays_ahead(today: date, days: int) -> list[date]:
    return [
        today + timedelta(days=n)
        for n in range(1, days + 1)
        if (today + timedelta(n)).weekday() < 5
    ]


def lawyer_rows(rng: random.Random) -> list[dict]:
    rows = []
    for number in range(LAWYERS):
        rows.append(
            {
                "id": uuid4(),
                "name": f"Lawyer {number}",
                "email": f"lawyer{number}@law.bench",
                "license_no": f"L{number:06d}",
                "firm": f"Firm {number % 40}",
                "practice_areas": rng.sample(AREAS, rng.choice((2, 3))),
                "languages": ["zh", "en"] if rng.random() < 0.5 else ["zh"],
                "timezone": rng.choice(OTHER_ZONES) if rng.random() < 0.1 else "Asia/Shanghai",
                "monthly_cap_minutes": 6000,
                "buffer_minutes": rng.choice((0, 5, 10, 15)),
                "calendar_token": uuid4().hex,
            }
        )
    return rows


def busy_rows(rng: random.Random, lawyer: dict, source_id: UUID, today: date) -> list[dict]:
    """Busy blocks of 30-120 minutes, starting 08:00-19:00 local, over the next SEED_DAYS."""
    zone = ZoneInfo(lawyer["timezone"])
    rows = []
    for _ in range(BUSY_BLOCKS_PER_LAWYER):
        day = today + timedelta(days=rng.randint(1, SEED_DAYS))
        start = local(day, rng.randrange(8 * 60, 19 * 60, 15), zone)
        length = timedelta(minutes=rng.randrange(30, 121, 15))
        rows.append(
            {
                "source": source_id,
                "lawyer": lawyer["id"],
                "starts_at": start,
                "ends_at": start + length,
            }
        )
    return rows


def booking_rows(
    rng: random.Random, lawyer: dict, enrolments: list[dict], today: date
) -> list[dict]:
    """Confirmed 60-minute sessions on distinct weekdays (so they never overlap), 09:00-16:00."""
    zone = ZoneInfo(lawyer["timezone"])
    rows = []
    for day in rng.sample(weekdays_ahead(today, SEED_DAYS), BOOKINGS_PER_LAWYER):
        enrolment = rng.choice(enrolments)
        start = local(day, rng.randrange(9 * 60, 16 * 60 + 1, 30), zone)
        end = start + timedelta(minutes=60)
        rows.append(
            {
                "id": uuid4(),
                "program": enrolment["program"],
                "enterprise": enrolment["enterprise"],
                "enrolment": enrolment["id"],
                "lawyer": lawyer["id"],
                "service": "consultation",
                "practice_area": rng.choice(lawyer["practice_areas"]),
                "starts_at": start,
                "ends_at": end,
                "blocked_until": end + timedelta(minutes=lawyer["buffer_minutes"]),
                "duration_minutes": 60,
                "status": "confirmed",
                "topic": "benchmark session",
                "created_by": ADMIN_EMAIL,
            }
        )
    return rows


def seed_rows(rng: random.Random, today: date) -> dict[str, list[dict]]:
    """Every row to load, by table, in foreign-key order."""
    program = {
        "id": uuid4(),
        "name": "Bench programme",
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=120),
        "min_notice_hours": 24,
        "horizon_days": 60,
        "mailbox": "programme@bar.bench",
    }
    enterprises = [
        {
            "id": uuid4(),
            "name": f"Enterprise {n}",
            "credit_code": credit_code(n),
            "contact_name": f"Contact {n}",
            "contact_email": f"contact{n}@enterprise.bench",
        }
        for n in range(ENTERPRISES)
    ]
    enrolments = [
        {"id": uuid4(), "program": program["id"], "enterprise": e["id"], "granted_minutes": 10**6}
        for e in enterprises
    ]
    lawyers = lawyer_rows(rng)
    rules, sources, busy, bookings = [], [], [], []
    for lawyer in lawyers:
        rules.append(
            {
                "lawyer": lawyer["id"],
                "rrule": WEEKDAYS_RULE,
                "start_minute": 540,
                "end_minute": 1020,
                "valid_from": today,
            }
        )
        source = {"id": uuid4(), "lawyer": lawyer["id"], "kind": "upload"}
        sources.append(source)
        busy += busy_rows(rng, lawyer, source["id"], today)
        bookings += booking_rows(rng, lawyer, enrolments, today)
    held: dict[UUID, int] = {}
    for booking in bookings:
        held[booking["enrolment"]] = held.get(booking["enrolment"], 0) + 60
    for enrolment in enrolments:
        enrolment["held_minutes"] = held.get(enrolment["id"], 0)
    ledger = [
        {"enrolment": e["id"], "kind": "grant", "minutes": e["granted_minutes"], "actor": "bench"}
        for e in enrolments
    ] + [
        {"enrolment": b["enrolment"], "kind": "hold", "minutes": 60, "booking_id": b["id"]}
        | {"actor": ADMIN_EMAIL}
        for b in bookings
    ]
    return {
        "program": [program],
        "enterprise": enterprises,
        "enrolment": enrolments,
        "ledger_entry": ledger,
        "lawyer": lawyers,
        "availability_rule": rules,
        "busy_source": sources,
        "busy_block": busy,
        "booking": bookings,
    }


async def seed(url: str) -> tuple[Seeded, dict[str, int]]:
    """Migrate and bulk-load; returns what the searches need and the row counts."""
    await migrate(build_engine(url))
    rows = seed_rows(random.Random(42), datetime.now(SHANGHAI).date())
    connection = await asyncpg.connect(url)
    try:
        for table, table_rows in rows.items():
            await copy_rows(connection, table, table_rows)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    seeded = Seeded(
        program_id=rows["program"][0]["id"],
        enterprise_ids=[e["id"] for e in rows["enterprise"]],
        lawyer_areas=[lawyer["practice_areas"] for lawyer in rows["lawyer"]],
    )
    return seeded, {table: len(table_rows) for table, table_rows in rows.items()}


# --- the searches ---------------------------------------------------------------------------


def search_window(now: datetime) -> tuple[datetime, datetime]:
    start = (now + WINDOW_OFFSET).astimezone(SHANGHAI).replace(microsecond=0)
    return start, start + WINDOW_LENGTH


def search_params(seeded: Seeded, number: int, window: tuple[datetime, datetime]) -> dict:
    """The number-th search: practice areas and enterprises taken in turn."""
    return {
        "program_id": str(seeded.program_id),
        "enterprise_id": str(seeded.enterprise_ids[number % len(seeded.enterprise_ids)]),
        "service": "consultation",
        "practice_area": AREAS[number % len(AREAS)],
        "from": window[0].isoformat(),
        "to": window[1].isoformat(),
        "limit": RESULT_LIMIT,
    }


def candidate_count(seeded: Seeded, practice_area: str) -> int:
    """Lawyers the search considers: every seeded lawyer is active and conflict-free."""
    return sum(1 for areas in seeded.lawyer_areas if area_match(practice_area, areas))


@dataclass
class SearchRun:
    result: LoadResult
    slots_returned: list[int]
    candidates: list[int]
    cpu: dict[str, float]
    by_area: dict[str, list[float]]  # latencies (ms) per practice area

    def area_line(self) -> str:
        """Mean latency per practice area, slowest first."""
        means = {area: sum(ms) / len(ms) for area, ms in self.by_area.items() if ms}
        return ", ".join(
            f"{area} {means[area]:.0f}" for area in sorted(means, key=means.get, reverse=True)
        )


@dataclass(frozen=True)
class Session:
    client: httpx.AsyncClient
    headers: dict[str, str]
    server_pid: int
    seeded: Seeded


async def run_searches(
    session: Session, clients: int, seconds: float, per_client: int
) -> SearchRun:
    """`clients` closed-loop searchers, each stopping after `per_client` searches or `seconds`."""
    window = search_window(datetime.now(UTC))
    counter = iter(range(10**9))
    sent = [0] * clients
    slots_returned: list[int] = []
    candidates: list[int] = []
    by_area: dict[str, list[float]] = {area: [] for area in AREAS}

    async def search(index: int) -> bool | None:
        if sent[index] >= per_client:
            return None
        sent[index] += 1
        params = search_params(session.seeded, next(counter), window)
        began = time.perf_counter()
        response = await session.client.get("/api/v1/slots", params=params, headers=session.headers)
        by_area[params["practice_area"]].append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            print(f"  search failed: {response.status_code} {response.text[:300]}")
            return False
        slots_returned.append(len(response.json()))
        candidates.append(candidate_count(session.seeded, params["practice_area"]))
        return True

    meter = CpuMeter(server_pid=session.server_pid)
    meter.start()
    result = await closed_loop(clients, seconds, search)
    return SearchRun(result, slots_returned, candidates, meter.shares(), by_area)


async def run_cold_searches(session: Session, url: str) -> list[float]:
    """Latencies (ms) of searches that each follow a change to every lawyer's calendar."""
    window = search_window(datetime.now(UTC))
    latencies = []
    connection = await asyncpg.connect(url)
    try:
        for number in range(COLD_SEARCHES):
            await connection.execute("UPDATE lawyer SET calendar_version = calendar_version + 1")
            params = search_params(session.seeded, number, window)
            began = time.perf_counter()
            response = await session.client.get(
                "/api/v1/slots", params=params, headers=session.headers
            )
            response.raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        await connection.close()
    return latencies


# --- in-process breakdown -------------------------------------------------------------------


def search_steps() -> list[tuple[object, str, str]]:
    """The steps of a search, as (module or class, function name, label) for timing_steps()."""
    from service.usecases import slot_search
    from service.usecases.calendar_cache import CalendarCache

    return [
        (slot_search, "one_row", "programme and enterprise rows"),
        (slot_search, "enrolment_of", "enrolment row"),
        (slot_search, "candidate_lawyers", "candidate_lawyers (all lawyers, filtered in Python)"),
        (CalendarCache, "calendars", "calendars (from memory; stale ones loaded)"),
        (CalendarCache, "served_minutes", "served minutes (fairness; from memory)"),
        (slot_search, "iter_free_slots", "iter_free_slots (free spans per lawyer)"),
        (slot_search, "rank", "rank (best-first merge, making the slots it keeps)"),
    ]


async def profile_in_process(url: str, seeded: Seeded) -> list[str]:
    """The same searches against the app in this process: time per step, statements sent,
    and a cProfile summary."""
    window = search_window(datetime.now(UTC))
    searches = [search_params(seeded, n, window) for n in range(PROFILE_SEARCHES)]
    async with in_process_app(url) as client:
        headers = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)

        async def search_all() -> None:
            for params in searches:
                response = await client.get("/api/v1/slots", params=params, headers=headers)
                response.raise_for_status()

        await search_all()  # warm caches (rrule, zoneinfo, prepared statements)
        with logging_queries() as queries, timing_steps(search_steps()) as steps:
            began = time.perf_counter()
            await search_all()
            total = time.perf_counter() - began
        profiler = cProfile.Profile()
        profiler.enable()
        await search_all()
        profiler.disable()
    count = len(searches)
    return [
        f"in-process GET /api/v1/slots (ASGI, no network), mean of {count}: "
        f"{total * 1000 / count:.1f} ms",
        *steps.lines(count, total, "the rest (auth, per-slot cap check, JSON, …)"),
        *queries.lines(count, "search"),
        "",
        *profile_report(profiler, count, "search"),
    ]


# --- main -----------------------------------------------------------------------------------


async def measure(url: str) -> tuple[Seeded, dict[str, int], SearchRun, SearchRun, list[float]]:
    began = time.perf_counter()
    seeded, counts = await seed(url)
    seed_seconds = time.perf_counter() - began
    print(f"seeded in {seed_seconds:.1f} s: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    with running_server(url) as server:
        async with http_client(server.base_url) as client:
            headers = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
            session = Session(client, headers, server.process.pid, seeded)
            await run_searches(session, 1, 60, WARM_UP)
            sequential = await run_searches(session, 1, 120, SEQUENTIAL)
            print(f"sequential: {latency_line(sequential.result.latencies_ms)}")
            concurrent = await run_searches(session, CONCURRENT_CLIENTS, CONCURRENT_SECONDS, 10**9)
            print(f"concurrent: {concurrent.result.rate:.1f} searches/s")
            cold = await run_cold_searches(session, url)
            print(f"cold: {latency_line(cold)}")
    return seeded, counts, sequential, concurrent, cold


def report(
    seeded: Seeded, counts: dict, sequential: SearchRun, concurrent: SearchRun, cold: list[float]
) -> None:
    seq, conc = sequential.result, concurrent.result
    p95 = percentile(seq.latencies_ms, 95)
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print_summary(
        "slot search over HTTP on PostgreSQL (bench/slots.py)",
        [
            (
                "data",
                f"{counts['lawyer']} lawyers, {counts['booking']} bookings, "
                f"{counts['busy_block']} busy blocks, {len(AREAS)} practice areas",
            ),
            (
                "window",
                f"{WINDOW_LENGTH.days} days from now + {WINDOW_OFFSET.days} days, limit {RESULT_LIMIT}",
            ),
            ("sequential (1 client)", f"{seq.successes} searches, {seq.failures} failed"),
            ("  latency", latency_line(seq.latencies_ms)),
            (
                "  mean",
                f"{sum(seq.latencies_ms) / max(seq.successes, 1):.1f} ms, "
                f"{seq.rate:.1f} searches/s",
            ),
            ("  cpu", cpu_line(sequential.cpu, seq.rate)),
            (
                f"concurrent ({CONCURRENT_CLIENTS} clients)",
                f"{conc.rate:.1f} searches/s over {conc.elapsed_s:.1f} s "
                f"({conc.successes} ok, {conc.failures} failed)",
            ),
            ("  latency", latency_line(conc.latencies_ms)),
            ("  cpu", cpu_line(concurrent.cpu, conc.rate)),
            (
                f"cold ({len(cold)} searches)",
                f"every calendar changed just before: {latency_line(cold)}",
            ),
            ("candidate lawyers/search", f"{mean(sequential.candidates):.0f} (of {LAWYERS})"),
            ("slots returned/search", f"{mean(sequential.slots_returned):.1f}"),
            ("mean ms by practice area", sequential.area_line()),
            ("candidates by area", ", ".join(f"{a} {candidate_count(seeded, a)}" for a in AREAS)),
            ("target p95 <= 50 ms", f"{verdict} (p95 {p95:.1f} ms)"),
            other_load_row(sequential.cpu, concurrent.cpu),
        ],
    )


def mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


async def main() -> None:
    url = bench_database_url("probono_bench_slots")
    async with fresh_database(url):
        seeded, counts, sequential, concurrent, cold = await measure(url)
        report(seeded, counts, sequential, concurrent, cold)
        print_summary("the slot engine alone (bench/engine_slots.py)", engine_slots.measure())
        p95 = percentile(sequential.result.latencies_ms, 95)
        if "--profile" in sys.argv[1:] or p95 > TARGET_P95_MS:
            print("\nwhere the time goes (in-process, same database, service stopped):")
            print("\n".join(await profile_in_process(url, seeded)))


if __name__ == "__main__":
    asyncio.run(main())
