"""Job functions: small, safe to run twice, the same in arq and in-process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import aiosmtplib
from arq import Retry

from jobs.caldav import fetch_caldav_source
from jobs.feeds import fetch_feed
from jobs.mail import build_email, send
from models import outbox
from service.usecases.busy_calendars import refresh_source


async def deliver_outbox_message(ctx: dict[str, Any], message_id: str) -> str:
    """Send one notice; a failure is recorded and the relay tries again after a back-off."""
    row = await outbox.claim(UUID(message_id), outbox.utcnow())
    if row is None:
        return "delivered already, or being delivered elsewhere"
    try:
        await send(ctx["settings"], build_email(row))
    except (aiosmtplib.SMTPException, OSError) as error:
        now = outbox.utcnow()
        retry_at = await outbox.mark_failed(row["id"], row["attempts"], repr(error), now)
        if "job_try" in ctx:
            # under arq: come back after the back-off; the claim keeps the sweep from
            # sending it a second time meanwhile
            raise Retry(defer=retry_at - now + timedelta(seconds=1)) from error
        return f"failed, next attempt at {retry_at.isoformat()}"
    await outbox.mark_delivered(row["id"], outbox.utcnow())
    return "delivered"


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
