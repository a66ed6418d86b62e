"""Shared plumbing for the HTTP benchmarks: a scratch PostgreSQL database, the real service in
its own process, a closed-loop load generator and the figures printed at the end.

Imported by bench/slots.py and bench/booking.py, which put the repository root on sys.path.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import functools
import logging
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from models.database import build_engine, migrate
from service.domain.credit_code import check_character

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ADMIN_EMAIL = "bench-admin@bar.test"
ADMIN_PASSWORD = "bench-admin-password"
SERVER_START_SECONDS = 60
COPY_CHUNK = 5_000
REPORTED_FUNCTIONS = 14


# --- databases ---------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_database_url(default_name: str) -> str:
    """BENCH_POSTGRES_URL when set, else `default_name` on the local server."""
    return os.environ.get("BENCH_POSTGRES_URL") or with_database(DEFAULT_SERVER, default_name)


async def _maintenance(url: str, statement: str) -> None:
    connection = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def fresh_database(url: str) -> AsyncIterator[str]:
    """Drop and create the database named by `url`; drop it again on the way out."""
    name = database_name(url)
    if name in ("", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use database {name!r} for a benchmark")
    await _maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _maintenance(url, f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        await _maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def copy_rows(connection: asyncpg.Connection, table: str, rows: list[dict]) -> None:
    """Bulk-load dicts (all with the same keys) with COPY; columns left out take their default."""
    if not rows:
        return
    columns = list(rows[0])
    for first in range(0, len(rows), COPY_CHUNK):
        chunk = rows[first : first + COPY_CHUNK]
        await connection.copy_records_to_table(
            table, records=[tuple(row[c] for c in columns) for row in chunk], columns=columns
        )


# --- the service in its own process -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, characters: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


def _server_env(database_url: str, port: int, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_URL", "DEMO_DATA")}
    return env | {
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "VAR_DIR": str(var_dir / "var"),
        "OUTBOX_DIR": str(var_dir / "outbox"),
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        "OUTBOX_RELAY_SECONDS": "0",
    }


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.base_url}/health", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the service did not start:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running_server(database_url: str) -> Iterator[Server]:
    """`python -m service.cli serve` (uvicorn, one process) on a free port; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="probono-bench-") as scratch:
        scratch_dir = Path(scratch)
        port = free_port()
        log_path = scratch_dir / "server.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve"],
                cwd=REPO_ROOT,
                env=_server_env(database_url, port, scratch_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log_path)
        try:
            _wait_until_healthy(server)
            yield server
        finally:
            _stop(process)


def http_client(base_url: str, connections: int = 64) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits)


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class RawHttpConnection:
    """A bare HTTP/1.1 keep-alive connection for GETs.

    httpx spends ~2-3 ms of client CPU per request, which on a 2-core machine caps a trivial
    endpoint at a few hundred requests/s; this reads the status line, Content-Length and body
    and nothing else, so the figure shows the service rather than the load generator.
    """

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no Content-Length in {head[:200]!r}")
        await self.reader.readexactly(length)
        return int(head.split(b" ", 2)[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


# --- CPU accounting (Linux /proc) ----------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live children (WORKERS > 1)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(entry.name) == pid or int(fields[1]) == pid:
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of every process named `postgres` (the server's backends); 0 if unreadable."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if (entry / "comm").read_text().strip() == "postgres":
                total += process_cpu_seconds(int(entry.name))
    return total


def machine_cpu_seconds() -> float:
    """Busy (non-idle, non-iowait) CPU time of the whole machine, all cores."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuMeter:
    """CPU used by the service, PostgreSQL, this load generator and everything else (other
    processes on the machine) over one phase."""

    server_pid: int
    started: dict[str, float] = field(default_factory=dict)

    def _now(self) -> dict[str, float]:
        return {
            "service": process_cpu_seconds(self.server_pid),
            "postgres": postgres_cpu_seconds(),
            "client": time.process_time(),
            "machine": machine_cpu_seconds(),
            "wall": time.perf_counter(),
        }

    def start(self) -> None:
        self.started = self._now()

    def shares(self) -> dict[str, float]:
        """Percent of one core each used since start()."""
        now = self._now()
        wall = now["wall"] - self.started["wall"]
        shares = {
            name: 100 * (now[name] - self.started[name]) / wall
            for name in ("service", "postgres", "client", "machine")
        }
        shares["others"] = max(
            0.0, shares.pop("machine") - shares["service"] - shares["postgres"] - shares["client"]
        )
        return shares


def cpu_line(shares: dict[str, float], rate: float | None = None) -> str:
    """CPU shares of a phase; with the phase's rate, the service's CPU time per request."""
    cores = os.cpu_count() or 1
    used = ", ".join(f"{name} {share:.0f}%" for name, share in shares.items())
    line = f"{used} (% of one core; {cores} cores)"
    if rate:
        line += f"; service {shares['service'] * 10 / rate:.2f} ms CPU per request"
    return line


def other_load_row(*phases: dict[str, float]) -> tuple[str, str]:
    """A summary row saying whether other processes competed for the CPU while measuring."""
    worst = max(shares.get("others", 0.0) for shares in phases)
    verdict = "machine quiet" if worst < 25 else "machine busy: figures are pessimistic"
    return ("other processes", f"up to {worst:.0f}% of one core during a phase ({verdict})")


# --- load generation and figures ----------------------------------------------------------

# One request: returns whether it succeeded, or None when the worker has nothing left to send.
Request = Callable[[int], Awaitable[bool | None]]


@dataclass
class LoadResult:
    latencies_ms: list[float]
    failures: int
    elapsed_s: float

    @property
    def successes(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.successes / self.elapsed_s if self.elapsed_s else 0.0


async def closed_loop(clients: int, seconds: float, request: Request) -> LoadResult:
    """`clients` workers, each sending its next request as soon as the last one answered."""
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            outcome = await request(index)
            if outcome is None:
                return
            if outcome:
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                failures += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(index) for index in range(clients)))
    return LoadResult(latencies, failures, time.perf_counter() - began)


def percentile(values: list[float], percent: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_line(latencies_ms: list[float]) -> str:
    return (
        f"p50 {percentile(latencies_ms, 50):.1f} ms, p95 {percentile(latencies_ms, 95):.1f} ms, "
        f"p99 {percentile(latencies_ms, 99):.1f} ms, max {max(latencies_ms, default=0):.1f} ms"
    )


def print_summary(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    rule = "=" * 72
    print(f"\n{rule}\n{title}\n{rule}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(rule)


# --- in-process profiling -------------------------------------------------------------------
# Only the HTTP contract and a few function names are relied on, so the breakdown keeps
# working while the service's internals change: a name that is gone is simply not reported.


@contextlib.asynccontextmanager
async def in_process_app(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The same app in this process and event loop, behind an ASGI client: no network, no
    uvicorn, so cProfile and the wrappers below see every step of a request."""
    from service.app import create_app
    from service.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="probono-bench-") as scratch:
        env = _server_env(database_url, 8000, Path(scratch))
        app = create_app(load_settings(env | {"SECRET_KEY": "bench-" * 8}))
        logging.getLogger("piccolo").setLevel(logging.WARNING)
        async with asgi_lifespan(app):
            # the app's logging config lets httpx log every request at INFO
            logging.getLogger("httpx").setLevel(logging.WARNING)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://in-process", timeout=60
            ) as client:
                yield client


@contextlib.asynccontextmanager
async def asgi_lifespan(app) -> AsyncIterator[None]:
    """Run the app's startup and shutdown through the ASGI lifespan protocol."""
    to_app: asyncio.Queue = asyncio.Queue()
    from_app: asyncio.Queue = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {started}")
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task


@dataclass
class QueryLog:
    """Statements sent through Piccolo: how many, and the time spent waiting on them."""

    count: int = 0
    seconds: float = 0.0
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, sql: str, seconds: float) -> None:
        self.count += 1
        self.seconds += seconds
        self.by_kind.setdefault(_statement_kind(sql), []).append(seconds)

    def lines(self, operations: int, what: str) -> list[str]:
        lines = [
            f"statements per {what}: {self.count / operations:.1f} (+ BEGIN/COMMIT of "
            f"transactions), waiting on PostgreSQL {self.seconds * 1000 / operations:.1f} ms"
        ]
        for kind, times in sorted(self.by_kind.items(), key=lambda item: -sum(item[1])):
            lines.append(
                f"    {kind:<34} {sum(times) * 1000 / operations:5.2f} ms "
                f"({len(times) / operations:.1f}x per {what})"
            )
        return lines


def _statement_kind(sql: str) -> str:
    """`SELECT booking`, `INSERT ledger_entry`…: the verb and the first table named."""
    words = sql.replace('"', " ").split()
    verb = words[0].upper() if words else "?"
    marker = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb)
    upper = [word.upper() for word in words]
    if marker in upper:
        index = upper.index(marker) + 1
        if index < len(words):
            return f"{verb} {words[index]}"
    return verb


@contextlib.contextmanager
def logging_queries() -> Iterator[QueryLog]:
    """Time every statement Piccolo's PostgreSQL engine runs in this process.

    The engine has __slots__, so the methods are wrapped on its class for the block.
    """
    from piccolo.engine.postgres import PostgresEngine

    log = QueryLog()
    original_query, original_ddl = PostgresEngine.run_querystring, PostgresEngine.run_ddl

    async def run_querystring(self, querystring, in_pool: bool = True):
        began = time.perf_counter()
        try:
            return await original_query(self, querystring, in_pool)
        finally:
            seconds = time.perf_counter() - began
            log.add(querystring.compile_string(engine_type=self.engine_type)[0], seconds)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        began = time.perf_counter()
        try:
            return await original_ddl(self, ddl, in_pool)
        finally:
            log.add(ddl, time.perf_counter() - began)

    PostgresEngine.run_querystring, PostgresEngine.run_ddl = run_querystring, run_ddl
    try:
        yield log
    finally:
        PostgresEngine.run_querystring, PostgresEngine.run_ddl = original_query, original_ddl


@dataclass
class StageTimes:
    """Wall time of named steps, each a function looked up by name in one module."""

    seconds: dict[str, list[float]] = field(default_factory=dict)

    def lines(self, operations: int, total_seconds: float, rest_label: str) -> list[str]:
        rest = total_seconds - sum(sum(times) for times in self.seconds.values())
        rows = [
            (label, sum(times) * 1000 / operations, f"({len(times) / operations:.0f}x)")
            for label, times in self.seconds.items()
        ]
        rows.append((rest_label, rest * 1000 / operations, ""))
        width = max(len(label) for label, _, _ in rows)
        return [f"  {label:<{width}} {ms:6.1f} ms {calls}" for label, ms, calls in rows]


@contextlib.contextmanager
def timing_steps(steps: list[tuple[object, str, str]]) -> Iterator[StageTimes]:
    """Wrap (module, function name, label) for the block; names not found are skipped.

    Wrap functions at one level only (not one that calls another wrapped one), or the time
    is counted twice.
    """
    times = StageTimes()
    originals = []
    for module, name, label in steps:
        function = getattr(module, name, None)
        if not callable(function):
            continue
        originals.append((module, name, function))
        setattr(module, name, _timed(function, times.seconds.setdefault(label, [])))
    try:
        yield times
    finally:
        for module, name, function in reversed(originals):
            setattr(module, name, function)


def _timed(function: Callable, sink: list[float]) -> Callable:
    if asyncio.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args, **kwargs):
            began = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                sink.append(time.perf_counter() - began)

        return timed_coroutine

    @functools.wraps(function)
    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - began)

    return timed


def own_time_by_area(profiler: cProfile.Profile, calls: int) -> list[str]:
    """cProfile's own time summed per code area (ms per call of the profiled operation), so a
    profile reads as "Piccolo building SQL vs asyncpg vs our code" rather than 200 functions."""
    totals: dict[str, float] = {}
    for (filename, _, function), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():
        area = _code_area(filename, function)
        totals[area] = totals.get(area, 0.0) + own
    width = max(len(area) for area in totals)
    return [
        f"  {area:<{width}} {seconds * 1000 / calls:6.2f} ms"
        for area, seconds in sorted(totals.items(), key=lambda item: -item[1])
        if seconds * 1000 / calls >= 0.05
    ]


def _code_area(filename: str, function: str) -> str:
    if filename == "~":  # C built-ins
        if "poll" in function:
            return "idle: waiting in epoll (PostgreSQL, other tasks)"
        if "send" in function or "recv" in function:
            return "socket send/recv"
        return "C built-ins (isinstance, sort, datetime, …)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return f"library: {path.parts[path.parts.index('site-packages') + 1]}"
    if REPO_ROOT in path.parents:
        relative = path.relative_to(REPO_ROOT)
        return f"repo: {'/'.join(relative.parts[:2])}"  # service/domain, models/outbox.py…
    if "asyncio" in path.parts:
        return "asyncio event loop"
    return "other standard library"


def profile_report(profiler: cProfile.Profile, calls: int, what: str) -> list[str]:
    """Own time per code area, then the service's own functions by cumulative time."""
    lines = [f"cProfile of {calls} {what}, own time per code area (ms per {what}):"]
    lines += own_time_by_area(profiler, calls)
    lines.append(f"service functions by cumulative time (ms per {what}):")
    ours = [
        (cumulative, Path(filename).relative_to(REPO_ROOT), line, function)
        for (filename, line, function), (_, _, _, cumulative, _) in pstats.Stats(
            profiler
        ).stats.items()
        if REPO_ROOT in Path(filename).parents
        and Path(filename).relative_to(REPO_ROOT).parts[0] in ("service", "models", "jobs")
    ]
    for cumulative, relative, line, function in sorted(ours, reverse=True)[:REPORTED_FUNCTIONS]:
        lines.append(f"  {cumulative * 1000 / calls:6.2f} ms  {relative}:{line}({function})")
    return lines


# --- a bookable world: one programme, enterprises, lawyers free on weekdays --------------


@dataclass(frozen=True)
class Seeded:
    program_id: UUID
    enterprise_ids: list[UUID]
    lawyer_ids: list[UUID]


def credit_code(prefix: str, number: int) -> str:
    first_seventeen = f"{prefix}{number:09d}"
    return first_seventeen + check_character(first_seventeen)


def bookable_world(
    today: date,
    *,
    name: str,
    enterprises: int,
    lawyers: int,
    practice_areas: list[str],
    granted_minutes: int,
    horizon_days: int,
    code_prefix: str,
) -> dict[str, list[dict]]:
    """A long programme, enterprises with huge allocations, lawyers free 09:00-17:00 weekdays."""
    program = {
        "id": uuid4(),
        "name": name,
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=2 * horizon_days),
        "min_notice_hours": 24,
        "horizon_days": horizon_days,
        "mailbox": "programme@bar.bench",
    }
    enterprise_rows = [
        {
            "id": uuid4(),
            "name": f"Enterprise {n}",
            "credit_code": credit_code(code_prefix, n),
            "contact_name": f"Contact {n}",
            "contact_email": f"contact{n}@enterprise.bench",
        }
        for n in range(enterprises)
    ]
    enrolments = [
        {
            "id": uuid4(),
            "program": program["id"],
            "enterprise": e["id"],
            "granted_minutes": granted_minutes,
        }
        for e in enterprise_rows
    ]
    grants = [
        {"enrolment": e["id"], "kind": "grant", "minutes": granted_minutes, "actor": "bench"}
        for e in enrolments
    ]
    lawyer_rows = [
        {
            "id": uuid4(),
            "name": f"Lawyer {n}",
            "email": f"lawyer{n}@law.bench",
            "license_no": f"{code_prefix[-2:]}{n:06d}",
            "firm": "Bench & Partners",
            "practice_areas": practice_areas,
            "languages": ["zh", "en"],
            "monthly_cap_minutes": 10**6,
            "calendar_token": uuid4().hex,
        }
        for n in range(lawyers)
    ]
    rules = [
        {
            "lawyer": lawyer["id"],
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "start_minute": 9 * 60,
            "end_minute": 17 * 60,
            "valid_from": today,
        }
        for lawyer in lawyer_rows
    ]
    return {
        "program": [program],
        "enterprise": enterprise_rows,
        "enrolment": enrolments,
        "ledger_entry": grants,
        "lawyer": lawyer_rows,
        "availability_rule": rules,
    }


async def seed(url: str, rows: dict[str, list[dict]]) -> Seeded:
    """Migrate a fresh database and COPY the rows in."""
    await migrate(build_engine(url))
    connection = await asyncpg.connect(url)
    try:
        for table, table_rows in rows.items():
            await copy_rows(connection, table, table_rows)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return Seeded(
        program_id=rows["program"][0]["id"],
        enterprise_ids=[e["id"] for e in rows["enterprise"]],
        lawyer_ids=[lawyer["id"] for lawyer in rows["lawyer"]],
    )


def client_slots(
    seeded: Seeded, client: int, horizon_days: int, zone: ZoneInfo, hours: range = range(9, 17)
) -> Iterator[tuple[UUID, datetime]]:
    """Client `client`'s own two lawyers on every weekday hour, earliest first, from two days
    out (past the 24 h notice) to the horizon: no two clients ever wait on one lawyer's row."""
    own_lawyers = seeded.lawyer_ids[2 * client : 2 * client + 2]
    today = datetime.now(zone).date()
    for offset in range(2, horizon_days):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hour in hours:
            for lawyer_id in own_lawyers:
                yield lawyer_id, datetime(day.year, day.month, day.day, hour, tzinfo=zone)
