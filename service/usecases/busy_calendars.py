"""A lawyer's imported busy time: uploaded files, feeds and CalDAV calendars, each source's
blocks replaced whole."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from models import audit_log
from models.database import current_engine, for_update, write_transaction
from models.tables import BusyBlock, BusySource
from service.domain.busy_import import BusyBlock as BusyInterval
from service.domain.busy_import import CalendarImportError, busy_blocks
from service.domain.errors import NotFound
from service.schemas import BusyCalendarOut, CalDavIn
from service.secret_box import seal
from service.usecases.availability import lawyer_timezone

# How far back and ahead imported events are kept: past the longest booking horizon.
KEEP_BEFORE = timedelta(days=1)
KEEP_AHEAD = timedelta(days=400)
REFRESH_EVERY = timedelta(hours=1)
RETRY_FAILED_AFTER = timedelta(minutes=10)
PARSE_TIMEOUT_SECONDS = 30

# Given the source's row (kind, url, username, sealed secret), its calendar as .ics bytes.
Fetch = Callable[[dict[str, Any]], Awaitable[bytes]]


async def _parse(ics: bytes, lawyer_id: UUID, now: datetime) -> list[BusyInterval]:
    """Parse off the event loop and outside any transaction; hostile rules can take seconds."""
    zone = await lawyer_timezone(lawyer_id)
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(busy_blocks, ics, now - KEEP_BEFORE, now + KEEP_AHEAD, zone),
            timeout=PARSE_TIMEOUT_SECONDS,
        )
    except TimeoutError:
        raise CalendarImportError(
            f"the calendar took over {PARSE_TIMEOUT_SECONDS} s to read: "
            "does it hold unusual repeating events?"
        ) from None


async def _replace_blocks(source_id: UUID, lawyer_id: UUID, blocks: list[BusyInterval]) -> None:
    """Swap a source's blocks, inside the caller's transaction.

    The source row is locked first (PostgreSQL) so two refreshes of one feed take turns instead
    of each deleting only the blocks it can see and leaving both sets behind.
    """
    await for_update(BusySource.select(BusySource.id).where(BusySource.id == source_id))
    await BusyBlock.delete().where(BusyBlock.source == source_id)
    if blocks:
        await BusyBlock.insert(
            *(
                BusyBlock(source=source_id, lawyer=lawyer_id, starts_at=b.start, ends_at=b.end)
                for b in blocks
            )
        )


async def import_upload(actor: str, lawyer_id: UUID, ics: bytes, now: datetime) -> BusyCalendarOut:
    """A new upload replaces the lawyer's previous one."""
    blocks = await _parse(ics, lawyer_id, now)
    async with write_transaction(current_engine()):
        source = (
            await BusySource.objects()
            .where((BusySource.lawyer == lawyer_id) & (BusySource.kind == "upload"))
            .first()
        )
        if source is None:
            source = BusySource(lawyer=lawyer_id, kind="upload")
            await source.save()
        await _replace_blocks(source.id, lawyer_id, blocks)
        await BusySource.update(
            {BusySource.last_refreshed_at: now, BusySource.last_error: None}
        ).where(BusySource.id == source.id)
        result = await get_source(source.id)
        await audit_log.record(actor, "busy_calendar.uploaded", "lawyer", lawyer_id, after=result)
    return result


async def register_feed(actor: str, lawyer_id: UUID, url: str, now: datetime) -> BusyCalendarOut:
    await lawyer_timezone(lawyer_id)
    source = BusySource(lawyer=lawyer_id, kind="url", url=url, next_refresh_at=now)
    async with write_transaction(current_engine()):
        await source.save()
        result = await get_source(source.id)
        await audit_log.record(actor, "busy_calendar.linked", "lawyer", lawyer_id, after=result)
    return result


async def register_caldav(
    actor: str, lawyer_id: UUID, data: CalDavIn, secret_key: str, now: datetime
) -> BusyCalendarOut:
    """Link a CalDAV calendar; the password is stored sealed and never shown or audited."""
    await lawyer_timezone(lawyer_id)  # an unknown lawyer is 404 before anything is sealed
    source = BusySource(
        lawyer=lawyer_id,
        kind="caldav",
        url=data.caldav_url,
        username=data.username,
        secret=seal(secret_key, data.password),
        next_refresh_at=now,
    )
    async with write_transaction(current_engine()):
        await source.save()
        result = await get_source(source.id)
        await audit_log.record(actor, "busy_calendar.linked", "lawyer", lawyer_id, after=result)
    return result


async def refresh_source(source_id: UUID, fetch: Fetch, now: datetime) -> BusyCalendarOut:
    """Fetch and replace a linked calendar's blocks; on failure keep the old blocks and record why."""
    source = await BusySource.select().where(BusySource.id == source_id).first()
    if source is None:
        raise NotFound(f"no busy calendar {source_id}")
    try:
        blocks = await _parse(await fetch(source), source["lawyer"], now)
        async with write_transaction(current_engine()):
            await _replace_blocks(source_id, source["lawyer"], blocks)
            await BusySource.update(
                {
                    BusySource.last_refreshed_at: now,
                    BusySource.next_refresh_at: now + REFRESH_EVERY,
                    BusySource.last_error: None,
                }
            ).where(BusySource.id == source_id)
    except CalendarImportError as problem:
        await _record_failure(source_id, problem.detail, now)
    return await get_source(source_id)


async def _record_failure(source_id: UUID, reason: str, now: datetime) -> None:
    await BusySource.update(
        {BusySource.last_error: reason, BusySource.next_refresh_at: now + RETRY_FAILED_AFTER}
    ).where(BusySource.id == source_id)


async def due_feed_ids(now: datetime) -> list[UUID]:
    rows = await BusySource.select(BusySource.id).where(
        BusySource.next_refresh_at.is_not_null() & (BusySource.next_refresh_at <= now)
    )
    return [row["id"] for row in rows]


async def get_source(source_id: UUID) -> BusyCalendarOut:
    source = await BusySource.select().where(BusySource.id == source_id).first()
    if source is None:
        raise NotFound(f"no busy calendar {source_id}")
    return BusyCalendarOut(
        id=source["id"],
        lawyer_id=source["lawyer"],
        kind=source["kind"],
        url=source["url"],
        busy_blocks=await BusyBlock.count().where(BusyBlock.source == source_id),
        last_refreshed_at=source["last_refreshed_at"],
        last_error=source["last_error"],
    )


async def request_refresh(lawyer_id: UUID, source_id: UUID, now: datetime) -> BusyCalendarOut:
    """Make a feed or CalDAV calendar due now; the next relay pass (or worker sweep) fetches it."""
    updated = (
        await BusySource.update({BusySource.next_refresh_at: now})
        .where(
            (BusySource.id == source_id)
            & (BusySource.lawyer == lawyer_id)
            & (BusySource.kind != "upload")
        )
        .returning(BusySource.id)
    )
    if not updated:
        raise NotFound(f"lawyer {lawyer_id} has no linked calendar {source_id}")
    return await get_source(source_id)
