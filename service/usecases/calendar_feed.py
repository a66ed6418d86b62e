"""A lawyer's subscribable calendar: the feed behind a secret link, and the link itself."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import Booking, Lawyer
from service.domain.booking_rules import LIVE_STATUSES
from service.domain.errors import NotFound
from service.domain.lawyer_feed import FeedSession, build_lawyer_feed

FEED_PAST = timedelta(days=30)
FEED_LIMIT = 1000
NO_FEED = "no calendar feed at this address: ask for the current link (it changes when rotated)"


def feed_path(lawyer_id: UUID, token: str) -> str:
    return f"/api/v1/lawyers/{lawyer_id}/calendar.ics?token={token}"


async def lawyer_feed(lawyer_id: UUID, token: str | None, now: datetime) -> bytes:
    """The feed when `token` is the lawyer's current one; the same 404 for an unknown lawyer
    and a wrong token, so the link cannot be guessed piece by piece."""
    lawyer = (
        await Lawyer.select(Lawyer.name, Lawyer.timezone, Lawyer.calendar_token)
        .where(Lawyer.id == lawyer_id)
        .first()
    )
    expected = (lawyer or {}).get("calendar_token") or ""
    # bytes, so a non-ASCII token is just wrong instead of a TypeError in compare_digest
    if not secrets.compare_digest((token or "").encode(), expected.encode()) or not expected:
        raise NotFound(NO_FEED)
    rows = (
        await Booking.select(
            Booking.id,
            Booking.status,
            Booking.service,
            Booking.practice_area,
            Booking.topic,
            Booking.starts_at,
            Booking.ends_at,
            Booking.sequence,
            Booking.updated_at,
        )
        .where(
            (Booking.lawyer == lawyer_id)
            & Booking.status.is_in(list(LIVE_STATUSES))
            & (Booking.ends_at >= now - FEED_PAST)
        )
        .order_by(Booking.starts_at)
        .limit(FEED_LIMIT)
    )
    sessions = [
        FeedSession(
            booking_id=row["id"],
            status=row["status"],
            service=row["service"],
            practice_area=row["practice_area"],
            topic=row["topic"],
            start=row["starts_at"],
            end=row["ends_at"],
            sequence=row["sequence"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]
    return build_lawyer_feed(lawyer["name"], lawyer["timezone"], sessions, now)


async def calendar_token(lawyer_id: UUID) -> str:
    row = await Lawyer.select(Lawyer.calendar_token).where(Lawyer.id == lawyer_id).first()
    if row is None:
        raise NotFound(f"no lawyer {lawyer_id}")
    return row["calendar_token"]


async def rotate_calendar_token(actor: str, lawyer_id: UUID) -> str:
    """A new secret link; the old one answers 404 from now on. The audit entry says that it
    happened, never the token."""
    token = secrets.token_urlsafe(32)
    async with write_transaction(current_engine()):
        if not await Lawyer.exists().where(Lawyer.id == lawyer_id):
            raise NotFound(f"no lawyer {lawyer_id}")
        await Lawyer.update({Lawyer.calendar_token: token}).where(Lawyer.id == lawyer_id)
        await audit_log.record(actor, "calendar_token.rotated", "lawyer", lawyer_id)
    return token
