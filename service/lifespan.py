"""Open the database pool and the queue connection for the app's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq import create_pool
from arq.connections import RedisSettings
from litestar import Litestar

from models.database import build_engine, connected


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = app.state.settings
    async with connected(build_engine(settings.database_url)):
        app.state.redis = (
            await create_pool(RedisSettings.from_dsn(settings.redis_url))
            if settings.redis_url
            else None
        )
        try:
            yield
        finally:
            if app.state.redis is not None:
                await app.state.redis.aclose()
