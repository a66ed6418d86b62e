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
    """One id each time a row falls due: a re-enqueue of the same due row adds nothing, but a
    kept result of an earlier try (arq keeps them an hour) never blocks the next one — also
    when a worker died mid-send and `attempts` did not move, only the lease ran out."""
    due = message["next_attempt_at"].timestamp()
    return f"outbox:{message['id']}:{message['attempts']}:{due:.6f}"


BATCH = 100
# At most this many notices per pass, so one pass stays short however long the backlog.
MOST_PER_PASS = 2000


async def relay_outbox(ctx: dict[str, Any], redis: ArqRedis | None) -> int:
    """Hand due notices on: as arq jobs (one query; they stay due until a worker claims them),
    or delivered right here batch by batch (each delivered or failed row leaves the due set).
    Returns how many were handed on."""
    if redis is not None:
        due = await outbox.due_messages(outbox.utcnow(), limit=MOST_PER_PASS)
        for message in due:
            await redis.enqueue_job(
                "deliver_outbox_message", str(message["id"]), _job_id=job_id(message)
            )
        return len(due)
    handed_on = 0
    while handed_on < MOST_PER_PASS:
        due = await outbox.due_messages(outbox.utcnow(), limit=BATCH)
        for message in due:
            await deliver_outbox_message(ctx, str(message["id"]))
        handed_on += len(due)
        if len(due) < BATCH:
            break
    return handed_on


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
