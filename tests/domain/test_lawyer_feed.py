"""The lawyer's feed: RFC 5545 that two independent parsers read back the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import vobject
from icalendar import Calendar

from service.domain.lawyer_feed import FeedSession, build_lawyer_feed, session_uid

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
LONG_TOPIC = "商标被抢注，对方在先申请并已公告，我司如何提出异议并保全证据" * 6  # 198 chars


def session(start: datetime, minutes: int = 60, **fields) -> FeedSession:
    values = {
        "booking_id": uuid4(),
        "status": "confirmed",
        "service": "consultation",
        "practice_area": "trademark",
        "topic": "商标被抢注",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "sequence": 0,
        "updated_at": datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
    } | fields
    return FeedSession(**values)


def events_by_uid(feed: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in Calendar.from_ical(feed).walk("VEVENT")}


def vobject_events(feed: bytes) -> dict[str, object]:
    calendar = vobject.readOne(feed.decode("utf-8"))
    return {event.uid.value: event for event in calendar.vevent_list}


def test_sessions_across_the_london_dst_switch_keep_their_wall_clock_times():
    # 2027-03-28 01:00 UTC the clocks go forward: Friday is GMT, Monday is BST
    before = session(datetime(2027, 3, 26, 9, 0, tzinfo=LONDON), sequence=3)
    after = session(datetime(2027, 3, 29, 9, 0, tzinfo=LONDON), minutes=120)
    feed = build_lawyer_feed("Jane Smith", "Europe/London", [before, after], NOW)

    calendar = Calendar.from_ical(feed)
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-TIMEZONE"] == "Europe/London"
    assert "Jane Smith" in str(calendar["X-WR-CALNAME"])
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/London"
    assert {part.name for part in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}

    events = events_by_uid(feed)
    assert set(events) == {f"{before.booking_id}@probono-hours", session_uid(after.booking_id)}
    first, second = events[session_uid(before.booking_id)], events[session_uid(after.booking_id)]
    for event in (first, second):
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event["DTEND"].params["TZID"] == "Europe/London"
        assert event["STATUS"] == "CONFIRMED"
        assert event.decoded("DTSTART").strftime("%H:%M") == "09:00"
    assert int(first["SEQUENCE"]) == 3 and int(second["SEQUENCE"]) == 0
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 26, 9, tzinfo=UTC)
    assert second.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 29, 8, tzinfo=UTC)
    assert second.decoded("DTEND").astimezone(UTC) == datetime(2027, 3, 29, 10, tzinfo=UTC)
    assert str(first["SUMMARY"]) == "法律咨询 Consultation · trademark · 商标被抢注"

    # vobject resolves TZID through the VTIMEZONE in the file, not through zoneinfo
    parsed = vobject_events(feed)
    assert parsed[session_uid(before.booking_id)].dtstart.value.astimezone(UTC) == datetime(
        2027, 3, 26, 9, tzinfo=UTC
    )
    late = parsed[session_uid(after.booking_id)]
    assert late.dtstart.value.astimezone(UTC) == datetime(2027, 3, 29, 8, tzinfo=UTC)
    assert late.dtend.value.astimezone(UTC) == datetime(2027, 3, 29, 10, tzinfo=UTC)
    assert late.dtstart.value.strftime("%H:%M") == "09:00"
    assert int(parsed[session_uid(before.booking_id)].sequence.value) == 3


def test_shanghai_sessions_and_both_parsers_agree():
    start = datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI)
    check = session(start, minutes=120, service="health_check", practice_area="labor")
    feed = build_lawyer_feed("王律师", "Asia/Shanghai", [check], NOW)
    uid = session_uid(check.booking_id)

    event = events_by_uid(feed)[uid]
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert b"DTSTART;TZID=Asia/Shanghai:20270406T143000" in feed
    assert b"DTEND;TZID=Asia/Shanghai:20270406T163000" in feed
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 4, 6, 6, 30, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "企业法律体检 Legal health check · labor · 商标被抢注"
    assert [tz["TZID"] for tz in Calendar.from_ical(feed).walk("VTIMEZONE")] == ["Asia/Shanghai"]

    other = vobject_events(feed)[uid]
    assert other.dtstart.value.astimezone(UTC) == datetime(2027, 4, 6, 6, 30, tzinfo=UTC)
    assert other.dtstart.value.utcoffset() == timedelta(hours=8)
    assert other.summary.value == str(event["SUMMARY"])
    assert int(other.sequence.value) == 0


def test_subscription_properties_are_written_as_rfc_7986_wants():
    feed = build_lawyer_feed("王律师", "Asia/Shanghai", [session(NOW + timedelta(days=3))], NOW)
    lines = feed.decode("utf-8").split("\r\n")
    for expected in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "X-WR-CALNAME:公益法律服务 / Pro-bono sessions — 王律师",
        "DTSTAMP:20270320T080000Z",
        "LAST-MODIFIED:20270301T120000Z",
    ):
        assert expected in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert feed.endswith(b"END:VCALENDAR\r\n")
    # a random calendar UID would change on every refresh
    assert not any(line.startswith("UID:") and "@probono-hours" not in line for line in lines)


def test_long_chinese_topics_are_folded_without_splitting_a_character():
    sessions = [
        session(datetime(2027, 3, 22, 9, tzinfo=SHANGHAI), topic=LONG_TOPIC),
        session(datetime(2027, 3, 23, 9, tzinfo=SHANGHAI), topic="a" + LONG_TOPIC),
        session(datetime(2027, 3, 24, 9, tzinfo=SHANGHAI), topic="ab" + LONG_TOPIC),
    ]
    feed = build_lawyer_feed("王律师" * 20, "Asia/Shanghai", sessions, NOW)
    assert feed.endswith(b"\r\n") and b"\n" not in feed.replace(b"\r\n", b"")
    physical = feed.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in physical)
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a character cut in two would raise here
    expected = {session_uid(s.booking_id): s.topic for s in sessions}
    for uid, event in events_by_uid(feed).items():
        assert str(event["SUMMARY"]).endswith(" · " + expected[uid])
    for uid, event in vobject_events(feed).items():
        assert event.summary.value.endswith(" · " + expected[uid])


def test_nothing_but_the_topic_of_the_matter_is_written():
    feed = build_lawyer_feed("王律师", "Asia/Shanghai", [session(NOW + timedelta(days=2))], NOW)
    for name in (b"DESCRIPTION", b"ATTENDEE", b"ORGANIZER", b"LOCATION", b"CONTACT", b"@"):
        if name == b"@":
            assert all(b"@" not in line or line.startswith(b"UID:") for line in feed.split(b"\r\n"))
        else:
            assert name not in feed


def test_held_sessions_are_tentative():
    held = session(datetime(2027, 3, 25, 10, tzinfo=SHANGHAI), status="held")
    event = events_by_uid(build_lawyer_feed("王律师", "Asia/Shanghai", [held], NOW))[
        session_uid(held.booking_id)
    ]
    assert event["STATUS"] == "TENTATIVE"
    assert str(event["SUMMARY"]).startswith("[暂留 / on hold] ")


def test_an_empty_feed_is_still_a_valid_calendar():
    feed = build_lawyer_feed("王律师", "Asia/Shanghai", [], NOW)
    calendar = Calendar.from_ical(feed)
    assert calendar.walk("VEVENT") == []
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert vobject.readOne(feed.decode("utf-8")).name == "VCALENDAR"


def test_the_second_of_a_doubled_autumn_hour_is_written_in_utc():
    # 2027-10-31 01:30 happens twice in London; a TZID time would mean the first (BST) one
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    doubled = session(second, minutes=60)
    feed = build_lawyer_feed("Jane Smith", "Europe/London", [doubled], NOW)
    assert b"DTSTART:20271031T013000Z" in feed
    assert b"DTEND;TZID=Europe/London:20271031T023000" in feed
    event = vobject_events(feed)[session_uid(doubled.booking_id)]
    assert event.dtstart.value.astimezone(UTC) == second


def test_the_same_sessions_give_the_same_bytes():
    sessions = [session(NOW + timedelta(days=day), booking_id=UUID(int=day)) for day in range(5)]
    assert build_lawyer_feed("王律师", "Asia/Shanghai", sessions, NOW) == build_lawyer_feed(
        "王律师", "Asia/Shanghai", sessions, NOW
    )
