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
    """One per process; lawyers rows passed in carry calendar_version, timezone and buffer.

    Searches run concurrently: each builds its answer from the entries it checked or loaded
    itself, never from the shared dict after an await (another search may have replaced an
    entry there with one covering other dates).
    """

    def __init__(self, load=load_calendars, load_served=served_minutes) -> None:
        self._load_calendars = load
        self._load_served = load_served
        self._calendars: dict[UUID, CachedCalendar] = {}
        self._served: dict[tuple[UUID, UUID], tuple[int, int]] = {}  # (programme, lawyer)

    async def calendars(
        self, lawyers: dict[UUID, dict], window_start: datetime, window_end: datetime
    ) -> tuple[dict[UUID, PreparedCalendar], dict[UUID, dict[Month, int]]]:
        """Each lawyer's calendar and booked minutes per month, loading only the stale ones."""
        entries = {
            lawyer_id: entry
            for lawyer_id, lawyer in lawyers.items()
            if (entry := self._calendars.get(lawyer_id))
            and entry.serves(lawyer, window_start, window_end)
        }
        if stale := {k: lawyer for k, lawyer in lawyers.items() if k not in entries}:
            entries |= await self._load(stale, window_start, window_end)
        return (
            {lawyer_id: entries[lawyer_id].calendar for lawyer_id in lawyers},
            {lawyer_id: entries[lawyer_id].booked for lawyer_id in lawyers},
        )

    async def _load(
        self, lawyers: dict[UUID, dict], window_start: datetime, window_end: datetime
    ) -> dict[UUID, CachedCalendar]:
        cover_start = window_start.astimezone(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        cover_end = max(window_end, cover_start + timedelta(days=COVER_DAYS))
        calendars, booked = await self._load_calendars(lawyers, cover_start, cover_end)
        loaded = {
            lawyer_id: CachedCalendar(
                version=lawyer["calendar_version"],
                timezone=lawyer["timezone"],
                buffer_minutes=lawyer["buffer_minutes"],
                cover_start=cover_start,
                cover_end=cover_end,
                calendar=prepare(calendars[lawyer_id]),
                booked=dict(booked[lawyer_id]),
            )
            for lawyer_id, lawyer in lawyers.items()
        }
        self._calendars.update(loaded)
        return loaded

    async def served_minutes(self, program_id: UUID, lawyers: dict[UUID, dict]) -> dict[UUID, int]:
        """Minutes each lawyer has given or is booked to give in the programme (fairness)."""
        served = {}
        stale = []
        for lawyer_id, lawyer in lawyers.items():
            version, minutes = self._served.get((program_id, lawyer_id), (None, 0))
            if version == lawyer["calendar_version"]:
                served[lawyer_id] = minutes
            else:
                stale.append(lawyer_id)
        if stale:
            loaded = await self._load_served(program_id, stale)
            for lawyer_id in stale:
                served[lawyer_id] = loaded.get(lawyer_id, 0)
                version = lawyers[lawyer_id]["calendar_version"]
                self._served[program_id, lawyer_id] = (version, served[lawyer_id])
        return served
