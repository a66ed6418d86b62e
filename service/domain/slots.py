"""Free time of one lawyer: availability rules minus busy time, cut into bookable slots.

Pure: no I/O and no clock. Availability rules speak local wall-clock time in the lawyer's zone;
everything else is an instant. Inside, instants are integer epoch seconds and a stretch of time
is a sorted list of disjoint (start, end) spans, so subtracting busy time is one sort and one
sweep rather than a walk over minutes.

Wall-clock times that a DST switch skips or repeats are read as Python does by default (PEP 495,
fold=0): a skipped time such as 02:30 counts in the offset before the switch (so it lands at
03:30), and a repeated time means its first occurrence.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain, repeat
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

STEP_MINUTES = 30
RULE_HORIZON_DAYS = 366
GREGORIAN_CYCLE_YEARS = 400
SUB_DAILY_FREQUENCIES = {"HOURLY", "MINUTELY", "SECONDLY"}
DAY_SECONDS = 86_400
# Offsets are sampled this often and bisected where they differ; zones switch far less often.
OFFSET_SAMPLE_SECONDS = 6 * 3600

Span = tuple[int, int]  # [start, end) in epoch seconds


@dataclass(frozen=True)
class AvailabilityRule:
    rrule: str  # RFC 5545 RRULE value without "RRULE:", e.g. "FREQ=WEEKLY;BYDAY=MO,WE"
    start: time  # local wall-clock start in the lawyer's zone
    end: time  # local wall-clock end, after start on the same day
    valid_from: date  # first local date the rule may apply; also the RRULE's DTSTART
    valid_until: date | None = None  # last local date (inclusive), or None


@dataclass(frozen=True)
class Interval:
    start: datetime  # aware
    end: datetime  # aware, after start


@dataclass(frozen=True)
class LawyerCalendar:
    timezone: str  # IANA name, e.g. "Asia/Shanghai"
    rules: tuple[AvailabilityRule, ...]
    busy: tuple[Interval, ...]  # time off and imported busy blocks: no buffer around them
    bookings: tuple[Interval, ...]  # live sessions: the buffer applies on both sides
    buffer_minutes: int = 0


@dataclass(frozen=True)
class PreparedCalendar:
    """A LawyerCalendar with its busy time and buffered bookings merged once into spans, for
    a caller that searches the same calendar many times."""

    timezone: str
    rules: tuple[AvailabilityRule, ...]
    blocked: tuple[Span, ...]  # sorted, disjoint


class InvalidRule(ValueError):
    """An availability rule that cannot produce a slot; the message says why."""


def check_rule(rule: AvailabilityRule) -> None:
    """Raise InvalidRule when the rule cannot produce a slot.

    That is when it does not end after it starts, its RRULE cannot be read, valid_until is
    before valid_from, or it gives no date within 366 days of valid_from.
    """
    if rule.end <= rule.start:
        raise InvalidRule(
            f"the rule ends at {rule.end:%H:%M}, which is not after its start at "
            f"{rule.start:%H:%M}; a rule covers hours within one day"
        )
    if rule.valid_until is not None and rule.valid_until < rule.valid_from:
        raise InvalidRule(
            f"the rule is valid until {rule.valid_until}, which is before it becomes valid "
            f"on {rule.valid_from}"
        )
    last = rule.valid_from + timedelta(days=RULE_HORIZON_DAYS - 1)
    if rule.valid_until is not None:
        last = min(last, rule.valid_until)
    if not _occurs_by(_recurrence(rule.rrule, rule.valid_from), rule.valid_from, last):
        raise InvalidRule(
            f"RRULE {rule.rrule!r} gives no date from {rule.valid_from} to {last}; "
            f"check its BYDAY, BYMONTH and BYMONTHDAY against the dates the rule is valid"
        )


def prepare(calendar: LawyerCalendar) -> PreparedCalendar:
    if calendar.buffer_minutes < 0:
        raise ValueError(f"buffer_minutes cannot be negative, got {calendar.buffer_minutes}")
    return PreparedCalendar(calendar.timezone, calendar.rules, tuple(_blocked(calendar)))


def free_slots(
    calendar: LawyerCalendar | PreparedCalendar,
    window_start: datetime,
    window_end: datetime,
    duration_minutes: int,
    grid_minutes: int = 30,
) -> list[Interval]:
    """Every bookable [start, start+duration) inside the window, sorted by start, in UTC.

    Raises InvalidRule when one of the calendar's rules fails check_rule, and ValueError for
    a duration or grid that is not a positive multiple of 30 minutes.
    """
    return list(iter_free_slots(calendar, window_start, window_end, duration_minutes, grid_minutes))


def iter_free_slots(
    calendar: LawyerCalendar | PreparedCalendar,
    window_start: datetime,
    window_end: datetime,
    duration_minutes: int,
    grid_minutes: int = 30,
) -> Iterator[Interval]:
    """free_slots() as a lazy iterator, for a caller that may stop after the first few slots.

    The free spans are worked out now (so errors are raised here); the slots on the grid, most
    of the work over a long window, are made only as they are taken.
    """
    _check_step(duration_minutes, "duration_minutes")
    _check_step(grid_minutes, "grid_minutes")
    if isinstance(calendar, LawyerCalendar):
        calendar = prepare(calendar)
    if window_start.utcoffset() is None or window_end.utcoffset() is None:
        raise ValueError("window_start and window_end must be timezone-aware")
    zone = _zone(calendar.timezone)
    first_day = window_start.astimezone(zone).date()
    last_day = window_end.astimezone(zone).date()
    window = (math.ceil(window_start.timestamp()), math.floor(window_end.timestamp()))

    available = _union(
        span
        for rule in calendar.rules
        for span in _rule_spans(rule, calendar.timezone, first_day, last_day)
    )
    free = _subtract(_clip(available, window), calendar.blocked)
    duration = duration_minutes * 60
    starts = _slot_starts(
        free,
        duration,
        grid_minutes * 60,
        _offset_timeline(calendar.timezone, first_day, last_day),
    )
    return map(_slot, chain.from_iterable(starts), repeat(duration))


def _check_step(minutes: int, what: str) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValueError(f"{what} must be a whole number of minutes")
    if minutes <= 0 or minutes % STEP_MINUTES:
        raise ValueError(f"{what} must be a positive multiple of {STEP_MINUTES}, got {minutes}")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai'"
        ) from error


@lru_cache(maxsize=1024)
def _recurrence(value: str, valid_from: date) -> rrule:
    """The RRULE anchored at local midnight of valid_from, or InvalidRule saying what is wrong."""
    example = "e.g. FREQ=WEEKLY;BYDAY=MO,WE"
    if ":" in value or "\n" in value:
        raise InvalidRule(f"give only the RRULE value ({example}), without 'RRULE:' or other lines")
    parts = {}
    for part in value.split(";"):
        name, equals, setting = part.partition("=")
        if not equals or not name.strip() or not setting.strip():
            raise InvalidRule(f"RRULE part {part!r} is not NAME=VALUE ({example})")
        parts[name.strip().upper()] = setting.strip().upper()
    if "FREQ" not in parts:
        raise InvalidRule(f"RRULE {value!r} has no FREQ; say how the rule repeats ({example})")
    if parts["FREQ"] in SUB_DAILY_FREQUENCIES:
        raise InvalidRule(
            f"FREQ={parts['FREQ']} repeats within a day; availability repeats by day, "
            f"so use DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidRule("an RRULE may have COUNT or UNTIL but not both (RFC 5545)")
    try:
        return rrulestr(value, dtstart=datetime.combine(valid_from, time()))
    except ValueError as error:
        raise InvalidRule(f"RRULE {value!r} cannot be read: {error} ({example})") from error


def _occurs_by(recurrence: rrule, valid_from: date, last: date) -> bool:
    """Whether the recurrence, which starts on valid_from, has a date on or before `last`."""
    # dateutil checks UNTIL only against dates that match, so a rule that never matches
    # (BYMONTH=2;BYMONTHDAY=30) is searched day by day up to the year 9999. Weekdays and leap
    # years repeat every 400 years, so the search runs on a copy moved as near 9999 as that
    # allows; the copy drops COUNT and UNTIL, and the rule itself confirms the date found.
    years = (MAXYEAR - 1 - last.year) // GREGORIAN_CYCLE_YEARS * GREGORIAN_CYCLE_YEARS
    moved = recurrence.replace(
        dtstart=datetime.combine(_years_later(valid_from, years), time()), count=None, until=None
    )
    found = next(iter(moved), None)
    if found is None or found.date() > _years_later(last, years):
        return False
    return datetime.combine(_years_later(found.date(), -years), time()) in recurrence


def _years_later(day: date, years: int) -> date:
    # Exact for multiples of 400 years: 29 February stays a leap day.
    return day.replace(year=day.year + years)


@lru_cache(maxsize=4096)
def _rule_spans(
    rule: AvailabilityRule, timezone: str, first_day: date, last_day: date
) -> tuple[Span, ...]:
    """The rule's occurrences on local dates first_day..last_day, as spans in epoch seconds."""
    check_rule(rule)  # also guarantees that the search below ends
    last_day = min(last_day, rule.valid_until or last_day)
    if last_day < first_day:
        return ()
    occurrences = _recurrence(rule.rrule, rule.valid_from).between(
        datetime.combine(first_day, time()), datetime.combine(last_day, time.max), inc=True
    )
    zone = ZoneInfo(timezone)
    spans = []
    for day in dict.fromkeys(occurrence.date() for occurrence in occurrences):
        # Wall-clock times get the zone attached, so each day gets its own UTC offset.
        start = math.ceil(datetime.combine(day, rule.start, tzinfo=zone).timestamp())
        end = math.floor(datetime.combine(day, rule.end, tzinfo=zone).timestamp())
        if start < end:  # empty when a DST switch swallows the hours
            spans.append((start, end))
    return tuple(spans)


def _blocked(calendar: LawyerCalendar) -> list[Span]:
    buffer = calendar.buffer_minutes * 60
    return _union(
        [
            *(_span(block) for block in calendar.busy),
            *(
                (start - buffer, end + buffer)
                for start, end in (_span(booking) for booking in calendar.bookings)
            ),
        ]
    )


def _span(interval: Interval) -> Span:
    # Rounded outwards: busy time never shrinks.
    return math.floor(interval.start.timestamp()), math.ceil(interval.end.timestamp())


def _union(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans covering the same time; touching spans become one."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _clip(spans: list[Span], window: Span) -> list[Span]:
    low, high = window
    return [(max(start, low), min(end, high)) for start, end in spans if start < high and end > low]


def _subtract(free: list[Span], blocked: Sequence[Span]) -> list[Span]:
    """The parts of `free` outside `blocked`; both sorted and disjoint."""
    result = []
    next_block = 0
    for start, end in free:
        while next_block < len(blocked) and blocked[next_block][1] <= start:
            next_block += 1
        cursor = start
        block = next_block
        while block < len(blocked) and blocked[block][0] < end:
            if blocked[block][0] > cursor:
                result.append((cursor, blocked[block][0]))
            cursor = blocked[block][1]  # blocks are disjoint, so this only moves on
            block += 1
        if cursor < end:
            result.append((cursor, end))
    return result


@lru_cache(maxsize=1024)
def _offset_timeline(
    timezone: str, first_day: date, last_day: date
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The instants from which each UTC offset of the zone holds, and those offsets.

    In seconds, from a day before first_day to a day after last_day.
    """
    zone = ZoneInfo(timezone)
    begin = _epoch(first_day) - DAY_SECONDS
    finish = _epoch(last_day) + 2 * DAY_SECONDS
    changes = [begin]
    offsets = [_offset(zone, begin)]
    for sample in range(begin + OFFSET_SAMPLE_SECONDS, finish, OFFSET_SAMPLE_SECONDS):
        offset = _offset(zone, sample)
        if offset != offsets[-1]:
            changes.append(_first_change(zone, sample - OFFSET_SAMPLE_SECONDS, sample))
            offsets.append(offset)
    return tuple(changes), tuple(offsets)


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def _offset(zone: ZoneInfo, instant: int) -> int:
    return int(datetime.fromtimestamp(instant, zone).utcoffset().total_seconds())


def _first_change(zone: ZoneInfo, before: int, after: int) -> int:
    """The first second in (before, after] whose offset differs from the one at `before`."""
    old = _offset(zone, before)
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(zone, middle) == old:
            before = middle
        else:
            after = middle
    return after


def _slot_starts(
    free: list[Span],
    duration: int,
    step: int,
    timeline: tuple[tuple[int, ...], tuple[int, ...]],
) -> Iterator[range]:
    """Starts on the local grid whose slot of `duration` fits in a free span, in order, as
    runs of evenly spaced instants (so the caller can walk them without a Python loop)."""
    changes, offsets = timeline
    for start, end in free:
        stop = end - duration + 1  # the latest start, plus one
        piece = bisect_right(changes, start) - 1
        piece_start = start
        # The grid is in wall-clock time, so walk the span one UTC offset at a time.
        while piece_start < stop:
            piece_end = changes[piece + 1] if piece + 1 < len(changes) else stop
            offset = offsets[piece]
            wall = _grid(piece_start + offset, min(piece_end, stop) + offset, step)
            yield range(wall.start - offset, wall.stop - offset, step)
            piece += 1
            piece_start = piece_end


def _grid(low: int, high: int, step: int) -> range:
    """Wall-clock seconds in [low, high) that are a multiple of `step` after local midnight."""
    # One midnight is enough: rules end before 24:00, so no free span reaches past a local
    # midnight while keeping one UTC offset.
    return range(low + -(low % DAY_SECONDS) % step, high, step)


@lru_cache(maxsize=1 << 14)
def _slot(start: int, duration: int) -> Interval:
    # Shared across lawyers (an Interval is immutable): one window yields the same few thousand
    # slots for all of them, and building datetimes would otherwise be most of the work.
    start_at = datetime.fromtimestamp(start, UTC)
    return Interval(start_at, start_at + timedelta(seconds=duration))
