"""The transactional outbox: notices written with the change, delivered later at least once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from models.tables import OutboxMessage

DELIVERY_LEASE = timedelta(minutes=2)
# Waits between delivery attempts; the last one repeats.
BACKOFF = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


async def enqueue(
    kind: str,
    recipient: str,
    subject_id: UUID | None,
    payload: dict[str, Any],
    dedup_key: str | None = None,
) -> None:
    """Call inside the transaction of the change the notice reports. A notice with a
    `dedup_key` that was queued before is not queued again."""
    message = OutboxMessage(
        kind=kind, recipient=recipient, subject_id=subject_id, payload=payload, dedup_key=dedup_key
    )
    await OutboxMessage.insert(message).on_conflict(action="DO NOTHING")


async def due_messages(now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """Undelivered rows whose next attempt is due: id, attempts so far and when it fell due."""
    return (
        await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.next_attempt_at
        )
        .where(OutboxMessage.delivered_at.is_null() & (OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )


async def claim(message_id: UUID, now: datetime) -> dict[str, Any] | None:
    """Lease a due, undelivered message to one deliverer; None when it is not ours to send.

    The lease outlives an SMTP time-out; if the deliverer dies, the message falls due again
    when the lease ends and is re-sent with the same Message-ID (at least once).
    """
    claimed = (
        await OutboxMessage.update({OutboxMessage.next_attempt_at: now + DELIVERY_LEASE})
        .where(
            (OutboxMessage.id == message_id)
            & OutboxMessage.delivered_at.is_null()
            & (OutboxMessage.next_attempt_at <= now)
        )
        .returning(OutboxMessage.id)
    )
    if not claimed:
        return None
    return (
        await OutboxMessage.select()
        .where(OutboxMessage.id == message_id)
        .output(load_json=True)
        .first()
    )


async def mark_delivered(message_id: UUID, now: datetime) -> None:
    await OutboxMessage.update(
        {OutboxMessage.delivered_at: now, OutboxMessage.attempts: OutboxMessage.attempts + 1}
    ).where(OutboxMessage.id == message_id)


async def mark_failed(
    message_id: UUID, attempts_before: int, error: str, now: datetime
) -> datetime:
    """Record the failure; returns when the next attempt is due."""
    next_attempt_at = now + BACKOFF[min(attempts_before, len(BACKOFF) - 1)]
    await OutboxMessage.update(
        {
            OutboxMessage.attempts: attempts_before + 1,
            OutboxMessage.last_error: error[:2000],
            OutboxMessage.next_attempt_at: next_attempt_at,
        }
    ).where(OutboxMessage.id == message_id)
    return next_attempt_at


def utcnow() -> datetime:
    return datetime.now(UTC)


async def messages_about(subject_id: UUID) -> list[dict[str, Any]]:
    return (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.recipient,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
            OutboxMessage.delivered_at,
        )
        .where(OutboxMessage.subject_id == subject_id)
        .order_by(OutboxMessage.created_at)
    )
