"""Time the slot engine: 500 lawyers, a 14-day window, weekday hours and 20 busy blocks each.

Run from the repository root: .venv/bin/python bench/engine_slots.py
"""

import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.domain.slots import (
    AvailabilityRule,
    Interval,
    LawyerCalendar,
    free_slots,
)

LAWYERS = 500
WINDOW_DAYS = 14
BUSY_BLOCKS = 20
WARM_RUNS = 7
ZONE = ZoneInfo("Asia/Shanghai")
WINDOW_START = datetime(2027, 3, 1, tzinfo=ZONE)
WINDOW_END = WINDOW_START + timedelta(days=WINDOW_DAYS)
WEEKDAYS = AvailabilityRule(
    rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    start=clock(9, 0),
    end=clock(17, 0),
    valid_from=date(2027, 1, 4),
)
YEAR_AGO = date(2026, 3, 1)


def busy_block(rng: random.Random) -> Interval:
    length = rng.randint(30, 120)
    start = WINDOW_START + timedelta(minutes=rng.randrange(WINDOW_DAYS * 1440 - length))
    return Interval(start, start + timedelta(minutes=length))


def calendars() -> list[LawyerCalendar]:
    rng = random.Random(7)
    return [
        LawyerCalendar(
            timezone="Asia/Shanghai",
            rules=(WEEKDAYS,),
            busy=tuple(busy_block(rng) for _ in range(BUSY_BLOCKS)),
            bookings=(),
        )
        for _ in range(LAWYERS)
    ]


def own_rules(workload: list[LawyerCalendar]) -> list[LawyerCalendar]:
    """The same lawyers with rules valid from 365 different days, so few rule dates are shared."""
    return [
        replace(calendar, rules=(replace(WEEKDAYS, valid_from=YEAR_AGO + timedelta(n % 365)),))
        for n, calendar in enumerate(workload)
    ]


def run(workload: list[LawyerCalendar]) -> tuple[float, int]:
    """Milliseconds for one pass over every lawyer, and the slots found."""
    began = time.perf_counter()
    found = sum(len(free_slots(calendar, WINDOW_START, WINDOW_END, 60)) for calendar in workload)
    return (time.perf_counter() - began) * 1000, found


def main() -> None:
    workload = calendars()
    cold_ms, found = run(workload)
    warm_ms = sorted(run(workload)[0] for _ in range(WARM_RUNS))
    median_ms = statistics.median(warm_ms)
    print(f"{LAWYERS} lawyers x {WINDOW_DAYS} days, {BUSY_BLOCKS} busy blocks each, 60-min slots")
    print(f"cold:  {cold_ms:7.1f} ms")
    print(f"warm:  {warm_ms[0]:7.1f} ms best, {median_ms:.1f} ms median of {WARM_RUNS}")
    print(f"per lawyer: {median_ms / LAWYERS * 1000:.0f} µs (warm median)")
    print(f"slots found: {found}")
    own_cold_ms, _ = run(own_rules(workload))
    print(f"cold, rules valid from 365 different days: {own_cold_ms:.1f} ms")


if __name__ == "__main__":
    main()
