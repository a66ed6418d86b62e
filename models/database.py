"""Build the Piccolo engine from a URL and point every table (and the migrator) at it."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from models.piccolo_app import APP_CONFIG

T = TypeVar("T")

# How long a SQLite writer waits for the write lock before giving up, in seconds.
SQLITE_LOCK_TIMEOUT = 30


def build_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_LOCK_TIMEOUT)
    return PostgresEngine(config={"dsn": database_url})


def use_engine(engine: Engine) -> None:
    """Bind our tables, Piccolo's migration table and `engine_finder` to one engine."""
    import piccolo_conf

    piccolo_conf.DB = engine
    for table in [*APP_CONFIG.table_classes, Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    return Migration._meta.db


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


def for_update(query):
    """SELECT … FOR UPDATE on PostgreSQL. SQLite has no row locks: its write transaction
    (BEGIN IMMEDIATE) already serialises writers."""
    return query if is_sqlite(query.table._meta.db) else query.lock_rows()


def write_transaction(engine: Engine):
    """A transaction that will write: IMMEDIATE on SQLite so writers queue instead of failing."""
    if is_sqlite(engine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


TRANSIENT_ERRORS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


async def retry_transient(work: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Run a transaction again when PostgreSQL broke a deadlock or a serialisation conflict."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except TRANSIENT_ERRORS:
            if attempt == attempts:
                raise
            await asyncio.sleep(0.01 * attempt)
    raise AssertionError("unreachable")


async def migrate(engine: Engine) -> str:
    """Apply every pending migration; returns Piccolo's report."""
    use_engine(engine)
    if is_sqlite(engine):
        # WAL lets readers work while one writer holds the lock.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        response = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not response.success:
        raise RuntimeError(f"migrations failed: {response.message}\n{report.getvalue()}")
    return report.getvalue()


@contextlib.asynccontextmanager
async def connected(engine: Engine) -> AsyncIterator[Engine]:
    """Open the connection pool (PostgreSQL) for the lifetime of the block."""
    use_engine(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=20)
    try:
        yield engine
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()
