"""Lawyers' calendars kept in memory between slot searches.

An entry is good while the lawyer's `calendar_version` (raised by database triggers on every
change to rules, time off, busy blocks, bookings and seminars) is the one it was loaded under.
The version is read before the calendar is loaded, so a change racing the load leaves the entry
older than the row says and it is loaded again next time: never newer data mistaken for fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from service.domain.slots import PreparedCalendar, prepare
from service.usecases.lawyer_calendars import Month, load_calendars, served_minutes

# A miss loads this many days from the start of the window's UTC day, so later searches with
# other windows (up to a 60-day programme horizon) are served from memory.
COVER_DAYS = 70


@dataclass(frozen=True)
class CachedCalendar:
    version: int
    timezone: str
    buffer_minutes: int
    cover_start: datetime
    cover_end: datetime
    calendar: PreparedCalendar
    booked: dict[Month, int]  # minutes per month in the lawyer's zone, whole months

    def serves(self, lawyer: dict, window_start: datetime, window_end: datetime) -> bool:
        return (
            self.version == lawyer["calendar_version"]
            and self.timezone == lawyer["timezone"]
            and self.buffer_minutes == lawyer["buffer_minutes"]
            and self.cover_start <= window_start
            and window_end <= self.cover_end
        )


class CalendarCache:
    """One per process; lawyers rows passed in carry calendar_version, timezone and buffer."""

    def __init__(self) -> None:
        self._calendars: dict[UUID, CachedCalendar] = {}
        self._served: dict[tuple[UUID, UUID], tuple[int, int]] = {}  # (programme, lawyer)

    async def calendars(
        self, lawyers: dict[UUID, dict], window_start: datetime, window_end: datetime
    ) -> tuple[dict[UUID, PreparedCalendar], dict[UUID, dict[Month, int]]]:
        """Each lawyer's calendar and booked minutes per month, loading only the stale ones."""
        stale = {
            lawyer_id: lawyer
            for lawyer_id, lawyer in lawyers.items()
            if not (
                (entry := self._calendars.get(lawyer_id))
                and entry.serves(lawyer, window_start, window_end)
            )
        }
        if stale:
            await self._load(stale, window_start, window_end)
        entries = [self._calendars[lawyer_id] for lawyer_id in lawyers]
        return (
            {lawyer_id: entry.calendar for lawyer_id, entry in zip(lawyers, entries, strict=True)},
            {lawyer_id: entry.booked for lawyer_id, entry in zip(lawyers, entries, strict=True)},
        )

    async def _load(
        self, lawyers: dict[UUID, dict], window_start: datetime, window_end: datetime
    ) -> None:
        cover_start = window_start.astimezone(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        cover_end = max(window_end, cover_start + timedelta(days=COVER_DAYS))
        calendars, booked = await load_calendars(lawyers, cover_start, cover_end)
        for lawyer_id, lawyer in lawyers.items():
            self._calendars[lawyer_id] = CachedCalendar(
                version=lawyer["calendar_version"],
                timezone=lawyer["timezone"],
                buffer_minutes=lawyer["buffer_minutes"],
                cover_start=cover_start,
                cover_end=cover_end,
                calendar=prepare(calendars[lawyer_id]),
                booked=dict(booked[lawyer_id]),
            )

    async def served_minutes(self, program_id: UUID, lawyers: dict[UUID, dict]) -> dict[UUID, int]:
        """Minutes each lawyer has given or is booked to give in the programme (fairness)."""
        stale = [
            lawyer_id
            for lawyer_id, lawyer in lawyers.items()
            if self._served.get((program_id, lawyer_id), (None,))[0] != lawyer["calendar_version"]
        ]
        if stale:
            loaded = await served_minutes(program_id, stale)
            for lawyer_id in stale:
                version = lawyers[lawyer_id]["calendar_version"]
                self._served[program_id, lawyer_id] = (version, loaded.get(lawyer_id, 0))
        return {lawyer_id: self._served[program_id, lawyer_id][1] for lawyer_id in lawyers}
