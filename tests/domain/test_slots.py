import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.slots import (
    AvailabilityRule,
    Interval,
    InvalidRule,
    LawyerCalendar,
    PreparedCalendar,
    check_rule,
    free_slots,
    prepare,
)

SHANGHAI = "Asia/Shanghai"
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
MONDAY = date(2027, 3, 1)


def rule(
    rrule: str = WEEKDAYS,
    start: time = time(9),
    end: time = time(12),
    valid_from: date = MONDAY,
    valid_until: date | None = None,
) -> AvailabilityRule:
    return AvailabilityRule(rrule, start, end, valid_from, valid_until)


def calendar(*rules: AvailabilityRule, timezone: str = SHANGHAI, **fields) -> LawyerCalendar:
    fields = {"busy": (), "bookings": (), **fields}
    return LawyerCalendar(timezone=timezone, rules=rules or (rule(),), **fields)


def local(day: date, hour: int, minute: int = 0, timezone: str = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(timezone))


def local_interval(day: date, start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(local(day, *start), local(day, *end))


def days_slots(
    cal: LawyerCalendar, first: date, days: int, duration: int = 60, grid: int = 30
) -> list[Interval]:
    return free_slots(
        cal,
        local(first, 0, timezone=cal.timezone),
        local(first + timedelta(days=days), 0, timezone=cal.timezone),
        duration,
        grid,
    )


def wall_clock(slots: list[Interval], timezone: str = SHANGHAI) -> list[str]:
    """Slot starts as the lawyer reads them, e.g. '03-01 09:30'."""
    return [f"{slot.start.astimezone(ZoneInfo(timezone)):%m-%d %H:%M}" for slot in slots]


def test_weekday_rule_offers_every_half_hour_that_fits():
    slots = days_slots(calendar(rule("FREQ=WEEKLY;BYDAY=MO,WE")), MONDAY, 3)
    mornings = ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert wall_clock(slots) == [f"03-01 {at}" for at in mornings] + [
        f"03-03 {at}" for at in mornings
    ]
    assert slots[0] == Interval(
        datetime(2027, 3, 1, 1, tzinfo=UTC), datetime(2027, 3, 1, 2, tzinfo=UTC)
    )
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in slots)


def test_busy_block_removes_only_overlapping_slots():
    busy = local_interval(MONDAY, (10, 0), (10, 45))
    slots = days_slots(calendar(busy=(busy,)), MONDAY, 1)
    assert wall_clock(slots) == ["03-01 09:00", "03-01 11:00"]


def test_booking_buffer_keeps_slots_away_on_both_sides():
    booking = local_interval(MONDAY, (10, 0), (11, 0))
    hours = rule(start=time(8), end=time(14))
    unbuffered = days_slots(calendar(hours, bookings=(booking,)), MONDAY, 1)
    buffered = days_slots(calendar(hours, bookings=(booking,), buffer_minutes=30), MONDAY, 1)
    assert {"03-01 09:00", "03-01 11:00"} <= set(wall_clock(unbuffered))
    assert wall_clock(buffered) == [
        "03-01 08:00",
        "03-01 08:30",
        "03-01 11:30",
        "03-01 12:00",
        "03-01 12:30",
        "03-01 13:00",
    ]


def test_rule_applies_only_from_valid_from_until_valid_until():
    daily = rule("FREQ=DAILY", end=time(10), valid_from=date(2027, 3, 2))
    daily = replace(daily, valid_until=date(2027, 3, 4))
    slots = days_slots(calendar(daily), MONDAY, 6)
    assert wall_clock(slots) == ["03-02 09:00", "03-03 09:00", "03-04 09:00"]


@pytest.mark.parametrize(
    ("valid_from", "mondays"),
    [
        (date(2027, 3, 8), ["03-08", "03-22"]),
        (date(2027, 3, 15), ["03-15", "03-29"]),
    ],
)
def test_fortnightly_rule_counts_weeks_from_valid_from(valid_from, mondays):
    fortnightly = rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", end=time(10), valid_from=valid_from)
    slots = days_slots(calendar(fortnightly), MONDAY, 31)
    assert wall_clock(slots) == [f"{monday} 09:00" for monday in mondays]


def test_window_clips_slots_at_both_ends():
    slots = free_slots(calendar(), local(MONDAY, 10, 15), local(MONDAY, 11, 45), 60)
    assert wall_clock(slots) == ["03-01 10:30"]


def test_empty_window_has_no_slots():
    assert free_slots(calendar(), local(MONDAY, 11), local(MONDAY, 9), 60) == []


@pytest.mark.parametrize(
    ("timezone", "switch", "utc_hour_before", "utc_hour_after"),
    [
        ("Europe/London", date(2027, 3, 28), 9, 8),
        ("Europe/London", date(2027, 10, 31), 8, 9),
        ("America/New_York", date(2027, 3, 14), 14, 13),
        ("America/New_York", date(2027, 11, 7), 13, 14),
    ],
)
def test_hours_stay_at_nine_local_across_a_dst_switch(
    timezone, switch, utc_hour_before, utc_hour_after
):
    daily = rule("FREQ=DAILY", valid_from=date(2027, 1, 1))
    day_before = switch - timedelta(days=1)
    slots = days_slots(calendar(daily, timezone=timezone), day_before, 3)
    first_of_each_day = [slots[0], slots[5], slots[10]]
    assert len(slots) == 15
    assert {f"{slot.start.astimezone(ZoneInfo(timezone)):%H:%M}" for slot in slots[::5]} == {
        "09:00"
    }
    assert [slot.start.hour for slot in first_of_each_day] == [
        utc_hour_before,
        utc_hour_after,
        utc_hour_after,
    ]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_shanghai_nine_o_clock_is_one_o_clock_utc_all_year():
    daily = rule("FREQ=DAILY", end=time(10), valid_from=date(2027, 1, 1))
    for day in (date(2027, 1, 15), date(2027, 7, 15)):
        (slot,) = days_slots(calendar(daily), day, 1)
        assert slot.start == datetime.combine(day, time(1), tzinfo=UTC)


def test_clock_hour_skipped_in_spring_is_not_offered():
    night = rule("FREQ=DAILY", start=time(1), end=time(4), valid_from=date(2027, 1, 1))
    slots = days_slots(calendar(night, timezone="America/New_York"), date(2027, 3, 14), 1, 30)
    assert wall_clock(slots, "America/New_York") == [
        "03-14 01:00",
        "03-14 01:30",
        "03-14 03:00",
        "03-14 03:30",
    ]


def test_clock_hour_repeated_in_autumn_is_offered_twice():
    night = rule("FREQ=DAILY", start=time(1), end=time(3), valid_from=date(2027, 1, 1))
    slots = days_slots(calendar(night, timezone="America/New_York"), date(2027, 11, 7), 1, 30)
    assert [slot.start.hour * 60 + slot.start.minute for slot in slots] == list(
        range(5 * 60, 8 * 60, 30)
    )
    assert wall_clock(slots, "America/New_York")[:4] == ["11-07 01:00", "11-07 01:30"] * 2


def test_grid_is_local_wall_clock_in_a_quarter_hour_zone():
    slots = days_slots(calendar(timezone="Asia/Kathmandu"), MONDAY, 1, grid=60)
    assert wall_clock(slots, "Asia/Kathmandu") == ["03-01 09:00", "03-01 10:00", "03-01 11:00"]
    assert slots[0].start == datetime(2027, 3, 1, 3, 15, tzinfo=UTC)


def test_grid_follows_the_half_hour_switch_on_lord_howe_island():
    # On 2027-10-03 the island's clocks go from 02:00 (+10:30) to 02:30 (+11:00).
    night = rule("FREQ=DAILY", start=time(0), end=time(6))
    slots = days_slots(
        calendar(night, timezone="Australia/Lord_Howe"), date(2027, 10, 3), 1, 30, 60
    )
    assert wall_clock(slots, "Australia/Lord_Howe") == [
        f"10-03 {hour:02}:00" for hour in (0, 1, 3, 4, 5)
    ]
    assert slots[2].start == datetime(2027, 10, 2, 16, tzinfo=UTC)


def test_grid_restarts_at_each_local_midnight():
    all_day = rule("FREQ=DAILY", start=time(0), end=time(23, 30))
    slots = days_slots(calendar(all_day), MONDAY, 2, duration=30, grid=420)
    assert [at[-5:] for at in wall_clock(slots)] == ["00:00", "07:00", "14:00", "21:00"] * 2


def test_overlapping_rules_give_each_slot_once():
    early = rule(start=time(9), end=time(12))
    late = rule("FREQ=DAILY", start=time(10), end=time(13))
    slots = days_slots(calendar(early, late), MONDAY, 1)
    half_hours = [f"{hour:02}:{minute:02}" for hour in range(9, 13) for minute in (0, 30)]
    assert wall_clock(slots) == [f"03-01 {at}" for at in half_hours[:-1]]


def test_slot_may_span_two_rules_that_meet():
    morning = rule(start=time(9), end=time(11))
    midday = rule(start=time(11), end=time(13))
    assert "03-01 10:30" in wall_clock(days_slots(calendar(morning, midday), MONDAY, 1))


@pytest.mark.parametrize(
    ("field", "value"), [("duration_minutes", 45), ("duration_minutes", 0), ("grid_minutes", 20)]
)
def test_duration_and_grid_must_be_multiples_of_thirty(field, value):
    arguments = {"duration_minutes": 60, "grid_minutes": 30, field: value}
    with pytest.raises(ValueError, match=f"{field} must be a positive multiple of 30"):
        free_slots(calendar(), local(MONDAY, 0), local(MONDAY, 23), **arguments)


def test_naive_window_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        free_slots(calendar(), datetime(2027, 3, 1), datetime(2027, 3, 2), 60)


@pytest.mark.parametrize(
    ("bad_rule", "message"),
    [
        (rule(start=time(12), end=time(9)), "ends at 09:00, which is not after its start"),
        (rule(start=time(9), end=time(9)), "not after its start"),
        (rule("FREQ=WEEKLY;BYDAY=XX"), "BYDAY"),
        (rule("BYDAY=MO,WE"), "no FREQ"),
        (rule("FREQ=WEEKLY;BYDAY"), "NAME=VALUE"),
        (rule("RRULE:FREQ=DAILY"), "without 'RRULE:'"),
        (rule("FREQ=HOURLY"), "repeats within a day"),
        (rule("FREQ=WEEKLY;COUNT=3;UNTIL=20270401"), "COUNT or UNTIL but not both"),
        (rule(valid_until=date(2027, 2, 1)), "valid until 2027-02-01, which is before"),
        (rule("FREQ=WEEKLY;BYDAY=SA", valid_until=MONDAY + timedelta(days=4)), "no date"),
        (rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), "no date from 2027-03-01 to 2028-02-29"),
    ],
)
def test_check_rule_says_what_is_wrong(bad_rule, message):
    with pytest.raises(InvalidRule, match=message):
        check_rule(bad_rule)


@pytest.mark.parametrize(
    "good_rule",
    [
        rule(),
        rule("FREQ=MONTHLY;BYDAY=-1FR"),
        rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
        rule("FREQ=WEEKLY;BYDAY=MO;COUNT=1"),
    ],
)
def test_check_rule_accepts_rules_with_a_date_within_a_year(good_rule):
    check_rule(good_rule)


def test_free_slots_refuses_an_invalid_rule():
    with pytest.raises(InvalidRule, match="BYDAY"):
        days_slots(calendar(rule("FREQ=WEEKLY;BYDAY=XX")), MONDAY, 1)


# Property tests: random calendars around the 2027 DST switches of zones with odd rules.

ZONES = ["Europe/London", "America/New_York", "Asia/Shanghai", "Australia/Lord_Howe"]
SWITCH_DAYS = [
    date(2027, 3, 14),
    date(2027, 3, 28),
    date(2027, 4, 4),
    date(2027, 6, 15),
    date(2027, 10, 3),
    date(2027, 10, 31),
    date(2027, 11, 7),
]
RRULES = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=WEEKLY;BYDAY=SU",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SA,SU",
    "FREQ=MONTHLY;BYMONTHDAY=1,4,15,28,31",
]
PIECE = timedelta(minutes=10)  # rule hours are generated on this step


@dataclass(frozen=True)
class Scenario:
    calendar: LawyerCalendar
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    grid_minutes: int

    def slots(self, calendar: LawyerCalendar | PreparedCalendar | None = None) -> list[Interval]:
        return free_slots(
            calendar or self.calendar,
            self.window_start,
            self.window_end,
            self.duration_minutes,
            self.grid_minutes,
        )


def rule_is_valid(candidate: AvailabilityRule) -> bool:
    try:
        check_rule(candidate)
    except InvalidRule:
        return False
    return True


@st.composite
def scenarios(draw) -> Scenario:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    around = draw(st.sampled_from(SWITCH_DAYS)) + timedelta(days=draw(st.integers(-3, 2)))
    window_start = datetime.combine(around, time(), tzinfo=zone) + timedelta(
        minutes=draw(st.integers(0, 1439))
    )
    window_end = window_start + timedelta(
        minutes=draw(st.integers(0, 5 * 1440) | st.just(3 * 1440))
    )

    def rules():
        start = draw(st.integers(0, 142))  # in steps of 10 minutes
        end = draw(st.integers(start + 1, min(start + 60, 143)))
        valid_from = around - timedelta(days=draw(st.integers(-1, 20)))
        last_day = draw(st.none() | st.integers(-1, 10))
        return AvailabilityRule(
            rrule=draw(st.sampled_from(RRULES)),
            start=time(start // 6, start % 6 * 10),
            end=time(end // 6, end % 6 * 10),
            valid_from=valid_from,
            valid_until=None if last_day is None else around + timedelta(days=last_day),
        )

    def intervals(max_size):
        spans = draw(
            st.lists(st.tuples(st.integers(-180, 6 * 1440), st.integers(1, 300)), max_size=max_size)
        )
        return tuple(
            Interval(
                window_start + timedelta(minutes=offset),
                window_start + timedelta(minutes=offset + length),
            )
            for offset, length in spans
        )

    rule_list = [r for r in (rules() for _ in range(draw(st.integers(1, 3)))) if rule_is_valid(r)]
    return Scenario(
        calendar=LawyerCalendar(
            timezone=zone.key,
            rules=tuple(rule_list),
            busy=intervals(6),
            bookings=intervals(4),
            buffer_minutes=draw(st.integers(0, 60)),
        ),
        window_start=window_start,
        window_end=window_end,
        duration_minutes=draw(st.sampled_from([30, 60, 90, 120])),
        grid_minutes=draw(st.sampled_from([30, 30, 60, 90, 420])),
    )


def occurs_on(candidate: AvailabilityRule, day: date) -> bool:
    if day < candidate.valid_from or (candidate.valid_until and day > candidate.valid_until):
        return False
    recurrence = rrulestr(candidate.rrule, dtstart=datetime.combine(candidate.valid_from, time()))
    return datetime.combine(day, time()) in recurrence


def occurrence(candidate: AvailabilityRule, day: date, zone: ZoneInfo) -> Interval:
    """The rule's hours on `day` as instants: wall-clock times with the zone attached."""
    return Interval(
        datetime.combine(day, candidate.start, tzinfo=zone),
        datetime.combine(day, candidate.end, tzinfo=zone),
    )


def covered_by_rules(slot: Interval, scenario: Scenario) -> bool:
    """Whether each stretch of the slot lies within one rule's hours on its local date."""
    zone = ZoneInfo(scenario.calendar.timezone)
    piece = slot.start
    while piece < slot.end:
        day = piece.astimezone(zone).date()
        if not any(
            occurs_on(candidate, day)
            and occurrence(candidate, day, zone).start <= piece
            and piece + PIECE <= occurrence(candidate, day, zone).end
            for candidate in scenario.calendar.rules
        ):
            return False
        piece += PIECE
    return True


def overlaps(slot: Interval, other: Interval, margin: timedelta = timedelta()) -> bool:
    return slot.start < other.end + margin and other.start - margin < slot.end


def expected_starts(scenario: Scenario) -> list[datetime]:
    """Free slot starts found minute by minute, the slow and obvious way."""
    cal = scenario.calendar
    zone = ZoneInfo(cal.timezone)
    minute = timedelta(minutes=1)

    def minutes(interval: Interval, margin: int = 0) -> set[int]:
        first = int(interval.start.timestamp()) // 60 - margin
        return set(range(first, int(interval.end.timestamp()) // 60 + margin))

    first_day = scenario.window_start.astimezone(zone).date() - timedelta(days=1)
    free = set()
    for offset in range(8):
        day = first_day + timedelta(days=offset)
        for candidate in cal.rules:
            if occurs_on(candidate, day):
                free |= minutes(occurrence(candidate, day, zone))
    for block in cal.busy:
        free -= minutes(block)
    for booking in cal.bookings:
        free -= minutes(booking, cal.buffer_minutes)
    starts = []
    start = scenario.window_start.astimezone(UTC)  # steps of a minute in real time
    while start + timedelta(minutes=scenario.duration_minutes) <= scenario.window_end:
        wall = start.astimezone(zone)
        on_grid = (wall.hour * 60 + wall.minute) % scenario.grid_minutes == 0
        first = int(start.timestamp()) // 60
        if on_grid and free.issuperset(range(first, first + scenario.duration_minutes)):
            starts.append(start)
        start += minute
    return starts


property_settings = settings(max_examples=150, deadline=None)


@property_settings
@given(scenarios())
def test_no_slot_overlaps_busy_time_or_comes_near_a_booking(scenario):
    buffer = timedelta(minutes=scenario.calendar.buffer_minutes)
    for slot in scenario.slots():
        assert not any(overlaps(slot, block) for block in scenario.calendar.busy)
        assert not any(overlaps(slot, booking, buffer) for booking in scenario.calendar.bookings)


@property_settings
@given(scenarios())
def test_every_slot_lies_within_the_rules_hours(scenario):
    for slot in scenario.slots():
        assert covered_by_rules(slot, scenario), slot


@property_settings
@given(scenarios(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(scenario, rng: random.Random):
    def shuffled(items: tuple) -> tuple:
        return tuple(rng.sample(items, len(items)))

    cal = scenario.calendar
    reordered = replace(
        cal, rules=shuffled(cal.rules), busy=shuffled(cal.busy), bookings=shuffled(cal.bookings)
    )
    assert scenario.slots(reordered) == scenario.slots()


@property_settings
@given(scenarios())
def test_slots_are_sorted_unique_on_the_local_grid_and_in_the_window(scenario):
    zone = ZoneInfo(scenario.calendar.timezone)
    slots = scenario.slots()
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    for slot in slots:
        wall = slot.start.astimezone(zone)
        assert (wall.hour * 60 + wall.minute) % scenario.grid_minutes == 0
        assert (wall.second, wall.microsecond) == (0, 0)
        assert slot.start.utcoffset() == timedelta() and slot.end.utcoffset() == timedelta()
        assert slot.end - slot.start == timedelta(minutes=scenario.duration_minutes)
        assert scenario.window_start <= slot.start and slot.end <= scenario.window_end


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_slots_are_exactly_the_free_grid_starts(scenario):
    assert [slot.start for slot in scenario.slots()] == expected_starts(scenario)


@property_settings
@given(scenarios())
def test_a_prepared_calendar_gives_the_same_slots(scenario):
    assert scenario.slots(prepare(scenario.calendar)) == scenario.slots()
