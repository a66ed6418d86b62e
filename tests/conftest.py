"""Fixtures: a clean database per test on SQLite and PostgreSQL, and the app in the test's loop."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from models.database import build_engine, connected, migrate
from models.piccolo_app import APP_CONFIG
from service.settings import Settings
from service.usecases.bootstrap import ensure_admin
from tests.api.helpers import ADMIN, login, missing_service, serving

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/probono_test"
)
ENGINES = ["sqlite", "postgres"]
TABLES = ", ".join(table._meta.tablename for table in APP_CONFIG.table_classes)


async def _recreate_postgres_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file; each test gets a fresh copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    await migrate(build_engine(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
async def postgres_problem() -> str | None:
    """A fresh, migrated test database; the reason when PostgreSQL cannot be reached."""
    try:
        await _recreate_postgres_database(POSTGRES_URL)
    except (OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}"
    await migrate(build_engine(POSTGRES_URL))
    return None


@pytest.fixture(params=ENGINES)
async def database_url(request, tmp_path, sqlite_template, postgres_problem) -> str:
    if request.param == "sqlite":
        path = tmp_path / "probono.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    if postgres_problem:
        missing_service(postgres_problem)
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"TRUNCATE {TABLES} CASCADE")
    finally:
        await connection.close()
    return POSTGRES_URL


@pytest.fixture
async def engine(database_url):
    """A connected engine bound to every table, for tests that work below HTTP."""
    async with connected(build_engine(database_url)) as engine:
        yield engine


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        outbox_dir=tmp_path / "outbox",
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        login_attempts_per_minute=10_000,
    )


@pytest.fixture
async def client(settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(settings) as client:
        yield client


@pytest.fixture
async def admin(client) -> dict[str, str]:
    await ensure_admin(*ADMIN)
    return await login(client, *ADMIN)
