"""Real processes for the fault drills: our own redis-server, SMTP inbox, arq workers and the
API server, each stopped in teardown whatever the test did to it."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from jobs.relay import relay_outbox
from tests.api.helpers import ADMIN, free_port, missing_service
from tests.jobs.conftest import Inbox

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
# Our own redis-server instance; the database number stays in the range reserved for drills.
DRILL_REDIS_DB = 11
SECRET_KEY = "drill-secret-key-that-is-long-enough-for-hs256"
START_SECONDS = 30
# The service's own variables are set per process; none may leak in from the environment.
SERVICE_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SMTP_URL",
    "OUTBOX_DIR",
    "VAR_DIR",
    "SECRET_KEY",
    "HOST",
    "PORT",
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "DEMO_DATA",
    "OUTBOX_RELAY_SECONDS",
}
# `python -m service.cli worker` with a one-second back-off instead of 10 s, 1 min, …
SHORT_BACKOFF_WORKER = (
    "import runpy, sys; from datetime import timedelta; import models.outbox; "
    "models.outbox.BACKOFF = (timedelta(seconds=1),); sys.argv[1:] = ['worker']; "
    "runpy.run_module('service.cli', run_name='__main__', alter_sys=True)"
)


class Timeout(AssertionError):
    """A drill's condition did not come true before its deadline."""


async def wait_until(
    condition: Callable[[], object | Awaitable[object]],
    seconds: float,
    what: str,
    error: type[AssertionError] = Timeout,
    interval: float = 0.1,
) -> object:
    """Poll `condition` (plain or async) until it gives something truthy; raises `error` at the
    deadline."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise error(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


# --- SMTP -------------------------------------------------------------------------------------


class DrillInbox(Inbox):
    """The jobs tests' Inbox (it refuses `refusals_left` DATA commands with 451) that can also
    be slow: it keeps each message at once, as an MTA queues it, then waits `delay` seconds
    before answering 250. A sender that dies meanwhile never learns it was delivered."""

    def __init__(self) -> None:
        super().__init__()
        self.delay = 0.0
        self.unconfirmed = 0  # messages kept whose 250 has not been sent yet

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.delay and answer.startswith("250"):
            self.unconfirmed += 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.unconfirmed -= 1
        return answer

    def message_ids(self) -> Counter[str]:
        """How many copies of each Message-ID arrived."""
        return Counter(message["Message-ID"] for message in list(self.messages))


@pytest.fixture
def inbox() -> Iterator[tuple[DrillInbox, str]]:
    """A real SMTP server on a free port: the inbox and its SMTP_URL."""
    handler = DrillInbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


# --- Redis ------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A redis-server of our own (keeps nothing on disk), so stopping it disturbs nobody."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{DRILL_REDIS_DB}"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        command += ["--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it for good: whatever was queued is gone, as after a crash."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        missing_service("redis-server is not installed")
    server = RedisServer(free_port(), tmp_path / "redis")
    server.directory.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def relaying(redis_url: str, interval: float = 0.2) -> AsyncIterator[ArqRedis]:
    """The API's relay loop, in the test: due outbox rows become arq jobs every `interval`."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url))

    async def loop() -> None:
        while True:
            with contextlib.suppress(OSError, redis.RedisError):
                await relay_outbox({}, pool)
            await asyncio.sleep(interval)

    task = asyncio.create_task(loop())
    try:
        yield pool
    finally:
        task.cancel()
        try:
            await task  # re-raises whatever killed the loop early
        except asyncio.CancelledError:
            pass
        finally:
            await pool.aclose()


async def no_delivery_pending(pool: ArqRedis) -> bool:
    """No delivery job is left queued, deferred for a retry or running."""
    jobs = await pool.queued_jobs()
    return not any(job.function == "deliver_outbox_message" for job in jobs)


# --- service processes ------------------------------------------------------------------------


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def service_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    return env | {
        "VAR_DIR": str(tmp_path / "var"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "SECRET_KEY": SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        **variables,
    }


@dataclass
class Processes:
    """Every process a test started, so teardown stops them all."""

    tmp_path: Path
    started: list[tuple[subprocess.Popen, Path]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.tmp_path / f"{name}-{len(self.started)}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        self.started.append((process, log))
        return process

    def log_of(self, process: subprocess.Popen) -> str:
        log = next(path for started, path in self.started if started is process)
        return log.read_text(errors="replace")

    def stop_all(self) -> None:
        for process, _ in self.started:
            stop_process(process)


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def start_worker(processes, database_url, tmp_path):
    """`probono worker` (arq) in its own process, on the test's database."""

    def start(redis_url: str, smtp_url: str, short_backoff: bool = False) -> subprocess.Popen:
        env = service_env(
            tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, SMTP_URL=smtp_url
        )
        if short_backoff:
            command = [sys.executable, "-c", SHORT_BACKOFF_WORKER]
        else:
            command = [sys.executable, "-m", "service.cli", "worker"]
        return processes.start("worker", command, env)

    return start


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no shutdown hook runs, nothing is handed back."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=15)


@dataclass
class ApiServer:
    base_url: str
    process: subprocess.Popen
    processes: Processes

    def log(self) -> str:
        return self.processes.log_of(self.process)


@pytest.fixture
def start_api_server(processes, database_url, tmp_path):
    """`probono serve` in its own process with the admin login ADMIN, as in production."""

    async def start(**variables: str) -> ApiServer:
        port = free_port()
        env = service_env(
            tmp_path,
            DATABASE_URL=database_url,
            PORT=str(port),
            ADMIN_EMAIL=ADMIN[0],
            ADMIN_PASSWORD=ADMIN[1],
            LOGIN_ATTEMPTS_PER_MINUTE="100000",
            **variables,
        )
        process = processes.start("server", [sys.executable, "-m", "service.cli", "serve"], env)
        server = ApiServer(f"http://127.0.0.1:{port}", process, processes)

        async def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{server.log()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{server.base_url}/health")).status_code == 200
            return False

        await wait_until(healthy, START_SECONDS, "the API server to answer /health")
        return server

    return start
