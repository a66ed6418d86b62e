"""Open the database pool, the queue connection and the outbox relay for the app's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq import create_pool
from arq.connections import RedisSettings
from litestar import Litestar

from jobs.relay import relay_forever
from models.database import build_engine, connected


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = app.state.settings
    async with connected(build_engine(settings.database_url)):
        redis = (
            await create_pool(RedisSettings.from_dsn(settings.redis_url))
            if settings.redis_url
            else None
        )
        app.state.redis = redis
        relay = (
            asyncio.create_task(
                relay_forever({"settings": settings}, redis, settings.outbox_relay_seconds)
            )
            if settings.outbox_relay_seconds
            else None
        )
        try:
            yield
        finally:
            if relay is not None:
                relay.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await relay
            if redis is not None:
                await redis.aclose()
