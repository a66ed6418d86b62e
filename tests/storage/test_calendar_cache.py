"""The in-memory calendar cache under concurrent searches, against the real database."""

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.tables import AvailabilityRule, BusyBlock, BusySource, Lawyer
from service.domain.slots import free_slots
from service.usecases.calendar_cache import CalendarCache
from service.usecases.lawyer_calendars import load_calendars
from service.usecases.slot_search import LAWYER_FIELDS
from tests.storage.test_calendar_version import new_lawyer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def a_monday_ahead() -> datetime:
    day = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


async def weekday_lawyer() -> Lawyer:
    lawyer = await new_lawyer()
    await AvailabilityRule.insert(
        AvailabilityRule(
            lawyer=lawyer.id,
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            start_minute=540,
            end_minute=1020,
            valid_from=date.today(),
        )
    )
    return lawyer


async def test_a_search_never_takes_a_calendar_another_search_loaded_for_other_dates(engine):
    monday = a_monday_ahead()
    busy, free = await weekday_lawyer(), await weekday_lawyer()
    source = BusySource(lawyer=busy.id, kind="upload")
    await source.save()
    await BusyBlock.insert(
        BusyBlock(
            source=source.id, lawyer=busy.id, starts_at=monday, ends_at=monday + timedelta(days=1)
        )
    )
    rows = {
        row["id"]: row
        for row in await Lawyer.select(*LAWYER_FIELDS).where(Lawyer.id.is_in([busy.id, free.id]))
    }
    first_search_waits, let_it_go = asyncio.Event(), asyncio.Event()

    async def load(lawyers, start, end):
        loaded = await load_calendars(lawyers, start, end)
        if free.id in lawyers:  # the first search's load: hold it while the second one runs
            first_search_waits.set()
            await let_it_go.wait()
        return loaded

    cache = CalendarCache(load=load)
    monday_window = (monday, monday + timedelta(days=1))
    await cache.calendars({busy.id: rows[busy.id]}, *monday_window)  # warm for Monday

    first = asyncio.create_task(cache.calendars(rows, *monday_window))
    await first_search_waits.wait()
    much_later = (monday + timedelta(days=80), monday + timedelta(days=81))
    await cache.calendars({busy.id: rows[busy.id]}, *much_later)  # reloads from day 80 on
    let_it_go.set()
    calendars, _ = await first

    assert free_slots(calendars[free.id], *monday_window, 60)  # Monday has hours to offer
    assert free_slots(calendars[busy.id], *monday_window, 60) == []  # but not this lawyer's
