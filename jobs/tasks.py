"""Job functions: small, safe to run twice, the same in arq and in-process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import aiosmtplib
from arq import Retry

from jobs.caldav import CalDavWriteError, fetch_caldav_source, write_back
from jobs.feeds import fetch_feed
from jobs.mail import build_email, send
from models import outbox
from service.usecases.busy_calendars import refresh_source


async def deliver_outbox_message(ctx: dict[str, Any], message_id: str) -> str:
    """Send one notice, or carry out one CalDAV write; a failure is recorded and the relay
    tries again after a back-off."""
    row = await outbox.claim(UUID(message_id), outbox.utcnow())
    if row is None:
        return "delivered already, or being delivered elsewhere"
    if row["kind"].startswith("caldav."):
        return await _deliver_caldav(ctx, row)
    try:
        await send(ctx["settings"], build_email(row))
    except (aiosmtplib.SMTPException, OSError) as error:
        return await _failed(ctx, row, repr(error), error)
    await outbox.mark_delivered(row["id"], outbox.utcnow())
    return "delivered"


async def _deliver_caldav(ctx: dict[str, Any], row: dict[str, Any]) -> str:
    try:
        outcome = await write_back(row, ctx["settings"].secret_key)
    except CalDavWriteError as error:
        # A refusal that needs the lawyer (password, address) is retried too, after the
        # back-off; under arq only a transient one keeps the job waiting for it.
        return await _failed(ctx, row, error.detail, error if error.transient else None)
    await outbox.mark_delivered(row["id"], outbox.utcnow())
    return outcome


async def _failed(
    ctx: dict[str, Any], row: dict[str, Any], error: str, retry_cause: Exception | None
) -> str:
    now = outbox.utcnow()
    retry_at = await outbox.mark_failed(row["id"], row["attempts"], error, now)
    if retry_cause is not None and "job_try" in ctx:
        # under arq: come back after the back-off; the claim keeps the sweep from
        # sending it a second time meanwhile
        raise Retry(defer=retry_at - now + timedelta(seconds=1)) from retry_cause
    return f"failed, next attempt at {retry_at.isoformat()}"


async def refresh_busy_calendar(ctx: dict[str, Any], source_id: str) -> str:
    """Fetch one lawyer's feed or CalDAV calendar and replace its busy blocks; failures are
    recorded on the source."""
    now = outbox.utcnow()

    async def fetch(source: dict[str, Any]) -> bytes:
        if source["kind"] == "caldav":
            return await fetch_caldav_source(source, ctx["settings"].secret_key, now)
        return await fetch_feed(source["url"])

    result = await refresh_source(UUID(source_id), fetch, now)
    return result.last_error or f"{result.busy_blocks} busy blocks"
