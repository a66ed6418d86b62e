"""Outbox → delivery. With Redis, due rows become arq jobs; without, they run right here."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq.connections import ArqRedis

from jobs.tasks import deliver_outbox_message
from models import outbox

log = logging.getLogger("probono.relay")


def job_id(message: dict[str, Any]) -> str:
    """One id per delivery attempt: a kept result of attempt n never blocks attempt n+1."""
    return f"outbox:{message['id']}:{message['attempts']}"


async def relay_once(ctx: dict[str, Any], redis: ArqRedis | None) -> int:
    """Hand every due message on; returns how many were handed on."""
    due = await outbox.due_messages(outbox.utcnow())
    for message in due:
        if redis is None:
            await deliver_outbox_message(ctx, str(message["id"]))
        else:
            await redis.enqueue_job(
                "deliver_outbox_message", str(message["id"]), _job_id=job_id(message)
            )
    return len(due)


async def relay_forever(ctx: dict[str, Any], redis: ArqRedis | None, interval: float) -> None:
    while True:
        try:
            await relay_once(ctx, redis)
        except Exception:
            # A database or queue outage must not kill the loop: log and try again shortly.
            log.exception("outbox relay pass failed")
        await asyncio.sleep(interval)
