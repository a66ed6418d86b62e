import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.timezone import tzp

from service.domain.busy_import import (
    MAX_CALENDAR_BYTES,
    BusyBlock,
    CalendarImportError,
    busy_blocks,
)
from service.domain.errors import Unprocessable

FIXTURES = Path(__file__).parent / "ics"
SPRING = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def spans(blocks: list[BusyBlock]) -> list[tuple[datetime, datetime]]:
    return [(block.start, block.end) for block in blocks]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def calendar(body: str) -> bytes:
    """A minimal VCALENDAR around `body`, with CRLF line ends as exporters write them."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//probono-hours tests//EN"]
    lines += [line.strip() for line in body.strip().splitlines()]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def event(*properties: str, uid: str = "test-event") -> str:
    return "\n".join(
        ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250101T000000Z", *properties, "END:VEVENT"]
    )


def import_spring(ics: bytes, default_timezone: str = "Asia/Shanghai") -> list:
    return spans(busy_blocks(ics, *SPRING, default_timezone))


# --- real-world exports ---------------------------------------------------------------------


def test_google_export_expands_the_series_and_skips_free_and_cancelled_time():
    assert import_spring(fixture("google_export.ics")) == [
        (utc(2025, 3, 3, 2), utc(2025, 3, 3, 3, 30)),  # weekly Monday 10:00 Shanghai
        (utc(2025, 3, 4, 6, 30), utc(2025, 3, 4, 7, 30)),  # UTC event
        (utc(2025, 3, 5, 1), utc(2025, 3, 5, 2)),  # floating 09:00, read in X-WR-TIMEZONE
        (utc(2025, 3, 6, 16), utc(2025, 3, 7, 16)),  # all-day 7 March in Shanghai
        # 10 March is an EXDATE; 12 March is transparent; 13 March is cancelled
        (utc(2025, 3, 18, 6), utc(2025, 3, 18, 7, 30)),  # 17 March moved to Tuesday 14:00
        # 24 March is cancelled through its RECURRENCE-ID
        (utc(2025, 3, 31, 2), utc(2025, 3, 31, 3, 30)),  # last one before UNTIL
    ]


def test_google_floating_times_follow_x_wr_timezone_but_all_day_follows_the_lawyer():
    blocks = import_spring(fixture("google_export.ics"), default_timezone="Europe/London")
    assert (utc(2025, 3, 5, 1), utc(2025, 3, 5, 2)) in blocks
    assert (utc(2025, 3, 7), utc(2025, 3, 8)) in blocks


def test_outlook_export_understands_windows_zone_names_across_dst_changes():
    assert import_spring(fixture("outlook_export.ics")) == [
        (utc(2025, 3, 6, 6, 30), utc(2025, 3, 6, 8)),  # China Standard Time, 14:30
        (utc(2025, 3, 7, 22), utc(2025, 3, 7, 23)),  # Eastern Standard Time, 17:00 EST
        (utc(2025, 3, 8, 22), utc(2025, 3, 8, 23)),
        (utc(2025, 3, 9, 21), utc(2025, 3, 9, 22)),  # 17:00 EDT after the US switch
        (utc(2025, 3, 13, 16), utc(2025, 3, 14, 16)),  # all-day out of office, Shanghai day
        (utc(2025, 3, 20, 8), utc(2025, 3, 20, 9)),  # W. Europe Standard Time, 09:00 CET
        (utc(2025, 3, 27, 8), utc(2025, 3, 27, 9)),
        (utc(2025, 4, 3, 7), utc(2025, 4, 3, 8)),  # 09:00 CEST; COUNT=4 ends here
        (utc(2025, 4, 10, 7), utc(2025, 4, 10, 8)),
    ]


def test_nextcloud_export_keeps_london_wall_time_across_the_dst_switch():
    assert import_spring(fixture("nextcloud_export.ics"), default_timezone="Europe/London") == [
        (utc(2025, 3, 19, 9), utc(2025, 3, 19, 10)),  # 09:00 GMT
        (utc(2025, 3, 26, 9), utc(2025, 3, 26, 10)),
        (utc(2025, 4, 1, 15, 30), utc(2025, 4, 1, 16, 15)),  # DURATION:PT45M
        (utc(2025, 4, 2, 8), utc(2025, 4, 2, 9)),  # 09:00 BST
        (utc(2025, 4, 4, 14), utc(2025, 4, 4, 15)),  # RDATE; the VTODO and VJOURNAL are ignored
    ]


# --- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tzid", "local_start", "expected_start"),
    [
        ("China Standard Time", "20250306T143000", utc(2025, 3, 6, 6, 30)),
        ("W. Europe Standard Time", "20250306T143000", utc(2025, 3, 6, 13, 30)),
        ("Eastern Standard Time", "20250306T143000", utc(2025, 3, 6, 19, 30)),
        ("Eastern Standard Time", "20250706T143000", utc(2025, 7, 6, 18, 30)),
        ("Europe/London", "20250706T143000", utc(2025, 7, 6, 13, 30)),
        pytest.param(
            "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
            "20250706T143000",
            utc(2025, 7, 6, 12, 30),
            marks=pytest.mark.filterwarnings("ignore:Timezone .* is a globally unique TZID"),
            id="evolution-style",
        ),
    ],
)
def test_zone_names_are_understood_without_a_vtimezone(tzid, local_start, expected_start):
    ics = calendar(event(f'DTSTART;TZID="{tzid}":{local_start}', "DURATION:PT1H"))
    window = (utc(2025, 1, 1), utc(2026, 1, 1))
    assert spans(busy_blocks(ics, *window, "UTC")) == [
        (expected_start, expected_start + timedelta(hours=1))
    ]


@pytest.fixture
def empty_icalendar_zone_cache():
    """icalendar keeps the first VTIMEZONE it parses per TZID for the whole process."""
    tzp.use_default()  # resets that cache


def custom_zone_calendar(offset: str) -> bytes:
    return calendar(f"""
        BEGIN:VTIMEZONE
        TZID:Customized Time Zone
        BEGIN:STANDARD
        DTSTART:16010101T000000
        TZOFFSETFROM:{offset}
        TZOFFSETTO:{offset}
        END:STANDARD
        END:VTIMEZONE
        {
        event(
            "DTSTART;TZID=Customized Time Zone:20250310T090000",
            "DTEND;TZID=Customized Time Zone:20250310T100000",
        )
    }
    """)


@pytest.mark.usefixtures("empty_icalendar_zone_cache")
def test_each_file_is_read_with_its_own_definition_of_a_custom_zone():
    assert import_spring(custom_zone_calendar("+0100")) == [
        (utc(2025, 3, 10, 8), utc(2025, 3, 10, 9))
    ]
    assert import_spring(custom_zone_calendar("+0900")) == [(utc(2025, 3, 10), utc(2025, 3, 10, 1))]


@pytest.mark.usefixtures("empty_icalendar_zone_cache")
def test_a_false_definition_of_a_windows_zone_name_changes_nothing():
    forged = calendar(f"""
        BEGIN:VTIMEZONE
        TZID:Eastern Standard Time
        BEGIN:STANDARD
        DTSTART:16010101T000000
        TZOFFSETFROM:+1400
        TZOFFSETTO:+1400
        END:STANDARD
        END:VTIMEZONE
        {event("DTSTART;TZID=Eastern Standard Time:20250310T090000", "DURATION:PT1H")}
    """)
    plain = calendar(event("DTSTART;TZID=Eastern Standard Time:20250310T090000", "DURATION:PT1H"))
    eastern_nine = [(utc(2025, 3, 10, 13), utc(2025, 3, 10, 14))]  # 09:00 EDT
    assert import_spring(forged) == eastern_nine
    assert import_spring(plain) == eastern_nine


def test_floating_time_is_in_the_lawyers_timezone():
    ics = calendar(event("DTSTART:20250310T090000", "DTEND:20250310T103000"))
    assert import_spring(ics, "Europe/Berlin") == [(utc(2025, 3, 10, 8), utc(2025, 3, 10, 9, 30))]


def test_unknown_tzid_without_definition_is_read_in_the_lawyers_timezone():
    ics = calendar(event("DTSTART;TZID=Office Time:20250310T090000", "DURATION:PT1H"))
    assert import_spring(ics, "Europe/Berlin") == [(utc(2025, 3, 10, 8), utc(2025, 3, 10, 9))]


@pytest.mark.parametrize(
    ("x_wr_timezone", "expected_start"),
    [
        ("China Standard Time", utc(2025, 3, 10, 1)),  # a Windows name, as Shanghai
        ("Mars/Olympus_Mons", utc(2025, 3, 10, 8)),  # unknown: the lawyer's Berlin
    ],
)
def test_x_wr_timezone_is_resolved_like_a_tzid(x_wr_timezone, expected_start):
    ics = calendar(f"""
        X-WR-TIMEZONE:{x_wr_timezone}
        {event("DTSTART:20250310T090000", "DURATION:PT1H")}
    """)
    assert import_spring(ics, "Europe/Berlin") == [
        (expected_start, expected_start + timedelta(hours=1))
    ]


# --- which events count ---------------------------------------------------------------------


def test_all_day_events_block_whole_local_days_with_dtend_exclusive():
    ics = calendar(
        event("DTSTART;VALUE=DATE:20250310", uid="one-day")
        + "\n"
        + event("DTSTART;VALUE=DATE:20250320", "DTEND;VALUE=DATE:20250322", uid="two-days")
    )
    assert import_spring(ics, "America/New_York") == [
        (utc(2025, 3, 10, 4), utc(2025, 3, 11, 4)),  # EDT began on 9 March
        (utc(2025, 3, 20, 4), utc(2025, 3, 22, 4)),
    ]


def test_a_date_with_a_tzid_is_still_a_whole_local_day():
    ics = calendar(event("DTSTART;VALUE=DATE;TZID=America/New_York:20250310"))
    assert import_spring(ics, "Asia/Tokyo") == [(utc(2025, 3, 9, 15), utc(2025, 3, 10, 15))]


def test_events_without_an_end_or_a_start_block_nothing():
    ics = calendar(
        event("DTSTART:20250310T090000Z", uid="no-end")
        + "\n"
        + event("SUMMARY:Invitation without a time", uid="no-start")
    )
    assert import_spring(ics) == []


def test_rdate_adds_occurrences_including_periods_with_their_own_end():
    ics = calendar(
        event(
            "DTSTART;TZID=Europe/Paris:20250310T090000",
            "DTEND;TZID=Europe/Paris:20250310T100000",
            "RDATE;TZID=Europe/Paris:20250312T140000,20250314T160000",
            "RDATE;VALUE=PERIOD:20250317T120000Z/20250317T150000Z",
        )
    )
    assert import_spring(ics) == [
        (utc(2025, 3, 10, 8), utc(2025, 3, 10, 9)),
        (utc(2025, 3, 12, 13), utc(2025, 3, 12, 14)),
        (utc(2025, 3, 14, 15), utc(2025, 3, 14, 16)),
        (utc(2025, 3, 17, 12), utc(2025, 3, 17, 15)),
    ]


def test_freebusy_periods_count_unless_marked_free():
    ics = calendar("""
        BEGIN:VFREEBUSY
        UID:fb-1
        DTSTAMP:20250301T000000Z
        DTSTART:20250301T000000Z
        DTEND:20250401T000000Z
        FREEBUSY:20250310T090000Z/PT1H
        FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20250311T090000Z/20250311T120000Z
        FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250312T090000Z/PT30M,20250313T090000Z/PT30M
        FREEBUSY;FBTYPE=FREE:20250314T090000Z/PT8H
        END:VFREEBUSY
    """)
    assert import_spring(ics) == [
        (utc(2025, 3, 10, 9), utc(2025, 3, 10, 10)),
        (utc(2025, 3, 11, 9), utc(2025, 3, 11, 12)),
        (utc(2025, 3, 12, 9), utc(2025, 3, 12, 9, 30)),
        (utc(2025, 3, 13, 9), utc(2025, 3, 13, 9, 30)),
    ]


def test_calendar_without_events_is_free():
    assert import_spring(calendar("X-WR-CALNAME:Empty")) == []


def test_busy_blocks_carry_nothing_but_times():
    assert [field.name for field in dataclasses.fields(BusyBlock)] == ["start", "end"]


def test_a_line_folded_inside_a_chinese_character_is_still_read():
    summary = "SUMMARY:与客户开会（保密）".encode()
    folded = summary[:13] + b"\r\n " + summary[13:]  # splits the three bytes of 与
    ics = calendar(event("DTSTART:20250310T090000Z", "DURATION:PT1H")).replace(
        b"DURATION:PT1H", b"DURATION:PT1H\r\n" + folded
    )
    assert import_spring(ics) == [(utc(2025, 3, 10, 9), utc(2025, 3, 10, 10))]


# --- window and merging ---------------------------------------------------------------------


def test_blocks_are_clipped_to_the_window():
    ics = calendar(
        "\n".join(
            [
                event("DTSTART:20250228T220000Z", "DTEND:20250301T020000Z", uid="across-start"),
                event("DTSTART:20250228T220000Z", "DTEND:20250301T000000Z", uid="ends-at-start"),
                event("DTSTART:20250430T230000Z", "DTEND:20250501T030000Z", uid="across-end"),
                event("DTSTART:20250501T000000Z", "DTEND:20250501T010000Z", uid="at-end"),
            ]
        )
    )
    assert import_spring(ics) == [
        (utc(2025, 3, 1), utc(2025, 3, 1, 2)),
        (utc(2025, 4, 30, 23), utc(2025, 5, 1)),
    ]


def test_overlapping_and_touching_blocks_merge_and_gaps_remain():
    ics = calendar(
        "\n".join(
            [
                event("DTSTART:20250310T090000Z", "DTEND:20250310T110000Z", uid="a"),
                event("DTSTART:20250310T100000Z", "DTEND:20250310T103000Z", uid="inside-a"),
                event("DTSTART:20250310T110000Z", "DTEND:20250310T120000Z", uid="touches-a"),
                event("DTSTART:20250310T120100Z", "DTEND:20250310T130000Z", uid="after-gap"),
            ]
        )
    )
    assert import_spring(ics) == [
        (utc(2025, 3, 10, 9), utc(2025, 3, 10, 12)),
        (utc(2025, 3, 10, 12, 1), utc(2025, 3, 10, 13)),
    ]


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(st.tuples(st.integers(0, 2880), st.integers(0, 600)), max_size=12),
    window=st.tuples(st.integers(0, 3000), st.integers(1, 3000)),
)
def test_blocks_cover_exactly_the_busy_minutes_in_the_window(events, window):
    origin = utc(2025, 3, 10)
    lines = []
    for number, (start, length) in enumerate(events):
        begin, end = origin + timedelta(minutes=start), origin + timedelta(minutes=start + length)
        lines.append(
            event(
                f"DTSTART:{begin:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}", uid=f"e{number}"
            )
        )
    window_start = origin + timedelta(minutes=window[0])
    window_end = window_start + timedelta(minutes=window[1])

    blocks = busy_blocks(calendar("\n".join(lines)), window_start, window_end, "UTC")

    def minutes(start: datetime, end: datetime) -> set[datetime]:
        return {start + timedelta(minutes=m) for m in range((end - start) // timedelta(minutes=1))}

    busy = set().union(
        *(
            minutes(origin + timedelta(minutes=s), origin + timedelta(minutes=s + n))
            for s, n in events
        )
    )
    assert set().union(*(minutes(b.start, b.end) for b in blocks)) == busy & minutes(
        window_start, window_end
    )
    assert all(earlier.end < later.start for earlier, later in pairwise(blocks))
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in blocks)


def test_window_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        busy_blocks(calendar(""), datetime(2025, 3, 1), datetime(2025, 4, 1), "UTC")


# --- refusals -------------------------------------------------------------------------------


def test_oversize_file_is_refused_with_its_size():
    ics = calendar(
        event("DTSTART:20250310T090000Z", "DURATION:PT1H") + "\nX-PADDING:" + "x" * 3_300_000
    )
    with pytest.raises(CalendarImportError, match=r"is 3\.1 MB; the limit is 2 MB"):
        busy_blocks(ics, *SPRING, "UTC")


def test_file_of_exactly_the_limit_is_read():
    ics = calendar(event("DTSTART:20250310T090000Z", "DURATION:PT1H") + "\nX-PADDING:")
    ics = ics.replace(b"X-PADDING:", b"X-PADDING:" + b"x" * (MAX_CALENDAR_BYTES - len(ics)))
    assert len(ics) == MAX_CALENDAR_BYTES
    assert import_spring(ics) == [(utc(2025, 3, 10, 9), utc(2025, 3, 10, 10))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "not UTF-8"),
        ("BEGIN:VCALENDAR\r\nSUMMARY:Réunion\r\n".encode("latin-1"), "not UTF-8"),
        (b"", "no BEGIN:VCALENDAR"),
        (
            b"Subject,Start Date,Start Time\r\nClient meeting,03/10/2025,09:00\r\n",
            "no BEGIN:VCALENDAR",
        ),
        (b"<!DOCTYPE html><html><body>Please sign in</body></html>", "no BEGIN:VCALENDAR"),
        (
            b"BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n",
            "not a valid iCalendar",
        ),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "not a valid iCalendar"),
        (b"BEGIN:VEVENT\r\nUID:x\r\nX-NOTE:BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "holds a VEVENT"),
    ],
    ids=["binary", "latin-1", "empty", "csv", "html", "bad-line", "unterminated", "lone-event"],
)
def test_files_that_are_not_calendars_are_refused(content, message):
    with pytest.raises(CalendarImportError, match=message):
        busy_blocks(content, *SPRING, "UTC")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=SOMETIMES", r"RRULE cannot be read \(Expected frequency"),
        ("FREQ=WEEKLY;BYDAY=XX", "RRULE cannot be read"),
        ("FREQ=WEEKLY;COUNT=several", "RRULE cannot be read"),
        ("every second tuesday", "has no FREQ"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL below 1"),
        ("FREQ=MINUTELY;COUNT=10", "repeats minutely"),
        ("FREQ=DAILY;BYHOUR=25", r"cannot be expanded \(RRULE:FREQ=DAILY;BYHOUR=25\)"),
        ("FREQ=WEEKLY;BYSETPOS=400;UNTIL=20250401T000000Z", "cannot be expanded"),
    ],
)
def test_repetition_that_cannot_be_expanded_is_refused(rule, message):
    ics = calendar(event("DTSTART:20250310T090000Z", "DURATION:PT1H", f"RRULE:{rule}"))
    with pytest.raises(CalendarImportError, match=message):
        busy_blocks(ics, *SPRING, "UTC")


def test_unreadable_start_time_is_refused_rather_than_skipped():
    ics = calendar(event("DTSTART:next tuesday", "DURATION:PT1H"))
    with pytest.raises(CalendarImportError, match="DTSTART cannot be read"):
        busy_blocks(ics, *SPRING, "UTC")


def test_refusals_are_unprocessable_domain_errors():
    with pytest.raises(Unprocessable) as refused:
        busy_blocks(b"not a calendar", *SPRING, "UTC")
    assert refused.value.detail.endswith("export the calendar as an .ics file")


# --- size and speed -------------------------------------------------------------------------


def busy_lawyers_year() -> bytes:
    """About 2 MB of Outlook-shaped events over 400 days, a tenth of them recurring."""
    header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
    events = []
    size = len(header.encode())
    first = datetime(2025, 1, 1, 8)
    while size < MAX_CALENDAR_BYTES - 2000:
        number = len(events)
        start = first + timedelta(hours=5 * number)
        lines = [
            "BEGIN:VEVENT",
            f"UID:040000008200E00074C5B7101A82E008{number:016d}",
            "DTSTAMP:20250101T000000Z",
            f'DTSTART;TZID="W. Europe Standard Time":{start:%Y%m%dT%H%M%S}',
            f'DTEND;TZID="W. Europe Standard Time":{start + timedelta(minutes=45):%Y%m%dT%H%M%S}',
            *(["RRULE:FREQ=WEEKLY;BYDAY=MO,TH"] if number % 10 == 0 else []),
            "SUMMARY;LANGUAGE=zh-cn:与客户开会（保密）",
            "DESCRIPTION:" + "案情摘要，请勿外传。" * 20,
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
            "END:VEVENT",
        ]
        events.append("".join(line + "\r\n" for line in lines))
        size += len(events[-1].encode())
    return (header + "".join(events) + "END:VCALENDAR\r\n").encode()


def test_a_full_size_calendar_over_400_days_is_accepted():
    # bench/busy_import.py times this same file
    ics = busy_lawyers_year()
    blocks = busy_blocks(ics, utc(2025, 1, 1), utc(2026, 2, 5), "Europe/Berlin")
    assert len(ics) > MAX_CALENDAR_BYTES * 0.99
    assert len(blocks) > 2000


def test_our_own_sessions_mirrored_into_the_calendar_are_not_busy_time_again():
    ics = calendar(
        event(
            "DTSTART:20270301T010000Z",
            "DTEND:20270301T020000Z",
            uid="3f1c2a9e-0000-4000-8000-000000000001@probono-hours",
        )
        + "\n"
        + event("DTSTART:20270301T030000Z", "DTEND:20270301T040000Z", uid="hearing@court")
    )
    blocks = busy_blocks(ics, utc(2027, 3, 1), utc(2027, 3, 2), "Asia/Shanghai")
    assert spans(blocks) == [(utc(2027, 3, 1, 3), utc(2027, 3, 1, 4))]
