"""Time the slot engine: 500 lawyers, a 14-day window, weekday hours and 20 busy blocks each.

Target: <= 200 ms for all 500, and a hundred times faster than Cal.com's engine on the same
work. Cal.com's figure cannot be produced here (its AGPL code is not in this repository); the
README says how it was measured, and CALCOM_WARM_MS is what that run printed.

Run from the repository root: .venv/bin/python bench/engine_slots.py (bench/slots.py runs it too)
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
TARGET_MS = 200
CALCOM_WARM_MS = 1217.5  # median of 7 warm passes, same machine, 2026-11-26 (see README)


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


def measure() -> list[tuple[str, str]]:
    """The engine's figures, as (label, value) rows."""
    workload = calendars()
    cold_ms, found = run(workload)
    warm_ms = sorted(run(workload)[0] for _ in range(WARM_RUNS))
    median_ms = statistics.median(warm_ms)
    own_cold_ms, _ = run(own_rules(workload))
    speedup = CALCOM_WARM_MS / median_ms
    return [
        (
            "engine workload",
            f"{LAWYERS} lawyers x {WINDOW_DAYS} days, {BUSY_BLOCKS} busy blocks each, 60-min slots",
        ),
        ("engine cold", f"{cold_ms:.1f} ms"),
        ("engine warm", f"{warm_ms[0]:.1f} ms best, {median_ms:.1f} ms median of {WARM_RUNS}"),
        ("engine per lawyer", f"{median_ms / LAWYERS * 1000:.0f} µs (warm median)"),
        ("engine slots found", str(found)),
        ("engine cold, 365 rule start days", f"{own_cold_ms:.1f} ms"),
        (
            f"target <= {TARGET_MS} ms",
            f"{'met' if median_ms <= TARGET_MS else 'MISSED'} ({median_ms:.1f} ms warm)",
        ),
        (
            "vs Cal.com (README)",
            f"{CALCOM_WARM_MS:.0f} ms warm there: {speedup:.0f}x faster "
            f"({'met' if speedup >= 100 else 'MISSED'}: target 100x)",
        ),
    ]


def main() -> None:
    for label, value in measure():
        print(f"{label:<34} {value}")


if __name__ == "__main__":
    main()
