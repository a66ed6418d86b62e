"""Hand due work on. With Redis it becomes arq jobs; without, it runs right here, in order."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis

from jobs.tasks import deliver_outbox_message, refresh_busy_calendar
from models import outbox
from service.usecases.busy_calendars import due_feed_ids
from service.usecases.reminders import queue_reminders
from service.usecases.waitlist import expire_offers

log = logging.getLogger("probono.relay")


def job_id(message: dict[str, Any]) -> str:
    """One id per delivery attempt: a kept result of attempt n never blocks attempt n+1."""
    return f"outbox:{message['id']}:{message['attempts']}"


async def relay_outbox(ctx: dict[str, Any], redis: ArqRedis | None) -> int:
    """Hand every due notice on; returns how many were handed on."""
    due = await outbox.due_messages(outbox.utcnow())
    for message in due:
        if redis is None:
            await deliver_outbox_message(ctx, str(message["id"]))
        else:
            await redis.enqueue_job(
                "deliver_outbox_message", str(message["id"]), _job_id=job_id(message)
            )
    return len(due)


async def relay_feeds(ctx: dict[str, Any], redis: ArqRedis | None) -> int:
    """Refresh every busy-calendar feed that is due."""
    now = outbox.utcnow()
    due = await due_feed_ids(now)
    for source_id in due:
        if redis is None:
            await refresh_busy_calendar(ctx, str(source_id))
        else:
            # one job per source per minute: a re-sweep within the minute adds nothing
            await redis.enqueue_job(
                "refresh_busy_calendar",
                str(source_id),
                _job_id=f"feed:{source_id}:{now:%Y%m%d%H%M}",
            )
    return len(due)


async def expire_waitlist_offers(ctx: dict[str, Any], redis: ArqRedis | None = None) -> int:
    """Holds nobody accepted in time lapse; the time goes to the next one waiting."""
    hold = timedelta(minutes=ctx["settings"].waitlist_hold_minutes)
    return await expire_offers(outbox.utcnow(), hold)


async def queue_due_reminders(ctx: dict[str, Any], redis: ArqRedis | None = None) -> int:
    """Reminders 24 h and 1 h ahead become outbox notices (once each), delivered as usual."""
    return await queue_reminders(outbox.utcnow())


async def relay_forever(ctx: dict[str, Any], redis: ArqRedis | None, interval: float) -> None:
    while True:
        for relay in (queue_due_reminders, relay_outbox, relay_feeds, expire_waitlist_offers):
            try:
                await relay(ctx, redis)
            except Exception:
                # An outage must not kill the loop: log and try again on the next pass.
                log.exception("%s pass failed", relay.__name__)
        await asyncio.sleep(interval)
