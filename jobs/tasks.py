"""Job functions: small, safe to run twice, the same in arq and in-process."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import aiosmtplib

from jobs.mail import build_email, send
from models import outbox


async def deliver_outbox_message(ctx: dict[str, Any], message_id: str) -> str:
    """Send one notice; a failure is recorded and the relay tries again after a back-off."""
    row = await outbox.claim(UUID(message_id), outbox.utcnow())
    if row is None:
        return "delivered already, or being delivered elsewhere"
    try:
        await send(ctx["settings"], build_email(row))
    except (aiosmtplib.SMTPException, OSError) as error:
        retry_at = await outbox.mark_failed(
            row["id"], row["attempts"], repr(error), outbox.utcnow()
        )
        return f"failed, next attempt at {retry_at.isoformat()}"
    await outbox.mark_delivered(row["id"], outbox.utcnow())
    return "delivered"
