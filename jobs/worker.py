"""arq worker: `probono worker` or `arq jobs.worker.WorkerSettings`."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import RedisSettings

from jobs.relay import expire_waitlist_offers, queue_due_reminders, relay_feeds, relay_outbox
from jobs.tasks import deliver_outbox_message, refresh_busy_calendar
from models.database import build_engine, connected
from service.settings import get_settings


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    ctx["settings"] = settings
    ctx["database"] = connected(build_engine(settings.database_url))
    await ctx["database"].__aenter__()


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["database"].__aexit__(None, None, None)


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Re-enqueue what is overdue, e.g. after a worker was killed mid-delivery."""
    return await relay_outbox(ctx, ctx["redis"])


async def sweep_feeds(ctx: dict[str, Any]) -> int:
    """Enqueue the busy-calendar feeds that are due (hourly, or sooner when asked)."""
    return await relay_feeds(ctx, ctx["redis"])


class WorkerSettings:
    functions = [deliver_outbox_message, refresh_busy_calendar]
    cron_jobs = [
        cron(sweep_outbox, second={0, 30}, run_at_startup=True),
        cron(sweep_feeds, second=15, run_at_startup=True),
        cron(expire_waitlist_offers, second=45, run_at_startup=True),
        cron(queue_due_reminders, minute=set(range(0, 60, 5)), second=5, run_at_startup=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    # Short, so a notice on a killed worker is retried soon (see TRAPS: in-progress keys).
    job_timeout = 60
    max_tries = 5
    # deliveries are short and mostly waiting on SMTP: take more at a time, look more often
    max_jobs = 50
    poll_delay = 0.05
    # `arq --check jobs.worker.WorkerSettings` (or `probono worker --check`) reads this key
    health_check_interval = 30
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url or "redis://127.0.0.1:6379")
