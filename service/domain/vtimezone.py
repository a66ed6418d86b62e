"""VTIMEZONE components, built once per zone and span of years (building one costs ~10 ms)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone


@lru_cache(maxsize=512)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's rules from 1 January `first_year` to 1 January `last_year` + 1. Shared:
    callers add it to calendars they serialise and must not change it."""
    return Timezone.from_tzinfo(
        ZoneInfo(tzid),
        tzid=tzid,
        first_date=date(first_year, 1, 1),
        last_date=date(last_year + 1, 1, 1),
    )
