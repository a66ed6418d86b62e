"""iTIP invitations that two independent parsers read back the same way, and replies read in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from service.domain.errors import Unprocessable
from service.domain.itip import Party, Reply, Session, cancel, parse_reply, publish, request

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
UID = "0b6f6f0e-4c1b-4f7e-9d43-2f1d3c9a7e11@probono-hours"
PROGRAMME = Party("probono@lawyers-assoc.example.cn", "朝阳区律师协会公益法律服务")
LAWYER = Party("wang.fang@junhe-law.example.cn", "王芳")
CONTACT = Party("li.ming@example-enterprise.cn", "李明")
LONG_NAME = "北京市朝阳区某某科技创新有限公司法务部总监欧阳娜娜" * 3
LONG_PLACE = "北京市朝阳区建国门外大街1号国贸写字楼三座二十层某某律师事务所第三会议室" * 3


def session(start: datetime, minutes: int = 60, **fields) -> Session:
    values = {
        "uid": UID,
        "sequence": 0,
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "timezone": "Asia/Shanghai",
        "service": "consultation",
        "practice_area": "trademark",
        "organizer": PROGRAMME,
        "attendees": (LAWYER, CONTACT),
        "location": "北京市朝阳区某某律师事务所",
    } | fields
    return Session(**values)


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def vevent_of(ics: bytes):
    calendar = vobject.readOne(ics.decode("utf-8"))
    (event,) = calendar.vevent_list
    return calendar, event


def attendees_of(event) -> list:
    value = event.get("ATTENDEE", [])
    return value if isinstance(value, list) else [value]


def assert_well_folded(ics: bytes) -> None:
    assert ics.endswith(b"END:VCALENDAR\r\n") and b"\n" not in ics.replace(b"\r\n", b"")
    for line in ics.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a character cut in two would raise here


# -- a life: REQUEST, reschedule, CANCEL -------------------------------------------------


def test_a_london_session_keeps_one_uid_and_a_rising_sequence_across_the_dst_switch():
    # 2027-03-28 01:00 UTC the clocks go forward: Friday 26th is GMT, Monday 29th is BST
    booked = session(datetime(2027, 3, 26, 9, 0, tzinfo=LONDON), timezone="Europe/London")
    moved = dataclasses.replace(
        booked,
        sequence=1,
        start=datetime(2027, 3, 29, 9, 0, tzinfo=LONDON),
        end=datetime(2027, 3, 29, 11, 0, tzinfo=LONDON),
    )
    dropped = dataclasses.replace(moved, sequence=2, status="CANCELLED")
    life = [
        ("REQUEST", request(booked, NOW)),
        ("REQUEST", request(moved, NOW + timedelta(days=1))),
        ("CANCEL", cancel(dropped, NOW + timedelta(days=2))),
    ]
    expected_utc = [
        (datetime(2027, 3, 26, 9, tzinfo=UTC), datetime(2027, 3, 26, 10, tzinfo=UTC)),
        (datetime(2027, 3, 29, 8, tzinfo=UTC), datetime(2027, 3, 29, 10, tzinfo=UTC)),
        (datetime(2027, 3, 29, 8, tzinfo=UTC), datetime(2027, 3, 29, 10, tzinfo=UTC)),
    ]
    sequences = []
    for (method, ics), (start, end) in zip(life, expected_utc, strict=True):
        calendar, event = event_of(ics)
        assert calendar["METHOD"] == method
        assert str(event["UID"]) == UID
        sequences.append(int(event["SEQUENCE"]))
        (zone,) = calendar.walk("VTIMEZONE")
        assert zone["TZID"] == "Europe/London"
        assert {part.name for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
        for name in ("DTSTART", "DTEND"):
            assert event[name].params["TZID"] == "Europe/London"
            assert event.decoded(name).strftime("%H:%M") in {"09:00", "10:00", "11:00"}
        assert event.decoded("DTSTART").astimezone(UTC) == start
        assert event.decoded("DTEND").astimezone(UTC) == end

        # vobject resolves the TZID through the VTIMEZONE in the file, not through zoneinfo
        other_calendar, other = vevent_of(ics)
        assert other_calendar.method.value == method
        assert other.uid.value == UID
        assert int(other.sequence.value) == sequences[-1]
        assert other.dtstart.value.astimezone(UTC) == start
        assert other.dtend.value.astimezone(UTC) == end
        assert other.dtstart.value.strftime("%H:%M") == "09:00"
        # the zone vobject built from the VTIMEZONE knows the DST switch
        assert other.dtstart.value.tzname() == ("GMT" if start.day == 26 else "BST")
    assert sequences == [0, 1, 2]

    assert b"DTSTART;TZID=Europe/London:20270326T090000" in life[0][1]
    assert b"DTSTART;TZID=Europe/London:20270329T090000" in life[1][1]
    assert b"DTEND;TZID=Europe/London:20270329T110000" in life[1][1]
    assert [event_of(ics)[1]["STATUS"] for _, ics in life] == [
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    ]


def test_a_shanghai_request_carries_everything_a_client_needs_to_invite():
    ics = request(session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI), minutes=120), NOW)
    lines = ics.decode("utf-8").split("\r\n")
    for expected in (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//probono-hours//iTIP 1.0//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "DTSTART;TZID=Asia/Shanghai:20270406T143000",
        "DTEND;TZID=Asia/Shanghai:20270406T163000",
        "DTSTAMP:20270320T080000Z",
        f"UID:{UID}",
        "SEQUENCE:0",
        "SUMMARY:法律咨询 Consultation · trademark",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "LOCATION:北京市朝阳区某某律师事务所",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT30M",
    ):
        assert expected in lines
    # the only UID is the event's: Calendar.new's random calendar UID is gone
    assert [line for line in lines if line.startswith("UID:")] == [f"UID:{UID}"]

    calendar, event = event_of(ics)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 4, 6, 6, 30, tzinfo=UTC)
    organizer = event["ORGANIZER"]
    assert str(organizer) == f"mailto:{PROGRAMME.email}"
    assert organizer.params["CN"] == PROGRAMME.name
    attendees = attendees_of(event)
    assert [str(a) for a in attendees] == [f"mailto:{LAWYER.email}", f"mailto:{CONTACT.email}"]
    for attendee, party in zip(attendees, (LAWYER, CONTACT), strict=True):
        assert attendee.params["CN"] == party.name
        assert attendee.params["CUTYPE"] == "INDIVIDUAL"
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert "法律咨询 Consultation · trademark" in str(alarm["DESCRIPTION"])

    other_calendar, other = vevent_of(ics)
    assert other_calendar.prodid.value == "-//probono-hours//iTIP 1.0//EN"
    assert other_calendar.vtimezone.tzid.value == "Asia/Shanghai"
    assert other.dtstart.value.utcoffset() == timedelta(hours=8)
    assert other.dtstart.value.astimezone(UTC) == datetime(2027, 4, 6, 6, 30, tzinfo=UTC)
    assert other.summary.value == "法律咨询 Consultation · trademark"
    assert other.organizer.params["CN"] == [PROGRAMME.name]
    assert [(a.value, a.params["CN"][0]) for a in other.attendee_list] == [
        (f"mailto:{LAWYER.email}", "王芳"),
        (f"mailto:{CONTACT.email}", "李明"),
    ]
    assert all(a.params["RSVP"] == ["TRUE"] for a in other.attendee_list)
    assert other.status.value == "CONFIRMED"
    assert other.valarm.trigger.value == timedelta(minutes=-30)
    assert other.valarm.action.value == "DISPLAY"


def test_a_cancel_keeps_the_attendees_but_asks_nothing_and_rings_no_alarm():
    confirmed = session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI), sequence=4)
    ics = cancel(confirmed, NOW)  # STATUS is CANCELLED whatever the session said
    calendar, event = event_of(ics)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 4
    assert event.walk("VALARM") == []
    attendees = attendees_of(event)
    assert [a.params["CN"] for a in attendees] == ["王芳", "李明"]
    assert all("RSVP" not in a.params and "PARTSTAT" not in a.params for a in attendees)
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert b"RSVP" not in ics and b"VALARM" not in ics

    other_calendar, other = vevent_of(ics)
    assert other_calendar.method.value == "CANCEL"
    assert other.status.value == "CANCELLED"
    assert len(other.attendee_list) == 2 and not hasattr(other, "valarm")


def test_a_publish_for_download_is_the_same_event_with_nobody_to_answer():
    booked = session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI), sequence=2)
    invited, published = event_of(request(booked, NOW))[1], event_of(publish(booked, NOW))
    calendar, event = published
    assert calendar["METHOD"] == "PUBLISH"
    for name in ("UID", "SEQUENCE", "SUMMARY", "LOCATION", "STATUS", "TRANSP", "ORGANIZER"):
        assert event[name] == invited[name], name
    assert event["DTSTART"].to_ical() == invited["DTSTART"].to_ical()
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    # RFC 5546 3.2.1: a PUBLISH has no attendees, so no client offers to reply
    assert "ATTENDEE" not in event and b"RSVP" not in publish(booked, NOW)
    assert len(event.walk("VALARM")) == 1
    other = vevent_of(publish(booked, NOW))[1]
    assert other.uid.value == UID and not hasattr(other, "attendee")
    assert other.valarm.trigger.value == timedelta(minutes=-30)

    gone = event_of(publish(dataclasses.replace(booked, status="CANCELLED"), NOW))[1]
    assert gone["STATUS"] == "CANCELLED" and gone.walk("VALARM") == []


def test_a_group_session_invites_everyone_once_with_the_lawyer_first():
    contacts = tuple(
        Party(f"contact{n}@enterprise{n}.example.cn", f"联系人{n}号") for n in range(6)
    )
    seminar = session(
        datetime(2027, 5, 12, 14, 0, tzinfo=SHANGHAI),
        minutes=90,
        uid="7d1e7a52-5d0c-4f4e-9a6b-0e3f0d4b2c10@probono-hours",
        service="seminar",
        practice_area="labor",
        attendees=(LAWYER, *contacts, Party("CONTACT0@Enterprise0.example.cn", "重复")),
        location="https://meeting.tencent.com/dm/AbCdEf?pwd=1;x=2",
    )
    ics = request(seminar, NOW)
    event = event_of(ics)[1]
    assert str(event["SUMMARY"]) == "专题讲座 Seminar · labor"
    assert str(event["LOCATION"]) == "https://meeting.tencent.com/dm/AbCdEf?pwd=1;x=2"
    expected = [f"mailto:{party.email}" for party in (LAWYER, *contacts)]
    assert [str(a) for a in attendees_of(event)] == expected
    assert [a.params["CN"] for a in attendees_of(event)][:2] == ["王芳", "联系人0号"]
    other = vevent_of(ics)[1]
    assert [a.value for a in other.attendee_list] == expected
    assert other.location.value == "https://meeting.tencent.com/dm/AbCdEf?pwd=1;x=2"
    assert len(event_of(cancel(dataclasses.replace(seminar, sequence=1), NOW))[1]["ATTENDEE"]) == 7


@pytest.mark.parametrize("shift", ["", "a", "ab"])
def test_long_chinese_names_and_places_are_folded_without_splitting_a_character(shift):
    long_contact = Party("ouyang@example-enterprise.cn", shift + LONG_NAME)
    booked = session(
        datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI),
        organizer=Party(PROGRAMME.email, shift + PROGRAMME.name * 4),
        attendees=(LAWYER, long_contact),
        location=shift + LONG_PLACE,
        practice_area=shift + "知识产权与商标争议解决" * 4,
    )
    for ics in (request(booked, NOW), cancel(booked, NOW), publish(booked, NOW)):
        assert_well_folded(ics)
        assert any(line.startswith(b" ") for line in ics.split(b"\r\n"))
        event = event_of(ics)[1]
        assert str(event["LOCATION"]) == shift + LONG_PLACE
        assert event["ORGANIZER"].params["CN"] == shift + PROGRAMME.name * 4
        other = vevent_of(ics)[1]
        assert other.location.value == shift + LONG_PLACE
        assert other.summary.value.endswith(shift + "知识产权与商标争议解决" * 4)
        if b"ATTENDEE" in ics:
            assert attendees_of(event)[1].params["CN"] == shift + LONG_NAME
            assert other.attendee_list[1].params["CN"] == [shift + LONG_NAME]


def test_the_summary_names_the_service_and_area_and_nothing_of_the_matter():
    assert {field.name for field in dataclasses.fields(Session)}.isdisjoint(
        {"topic", "notes", "description"}
    )
    for service, title in (
        ("consultation", "法律咨询 Consultation · trademark"),
        ("health_check", "企业法律体检 Legal health check · trademark"),
        ("case_sharing", "案例分享 Case sharing · trademark"),
    ):
        ics = request(session(NOW + timedelta(days=3), service=service), NOW)
        assert str(event_of(ics)[1]["SUMMARY"]) == title
        # the only DESCRIPTION is the alarm's, which repeats the summary
        (alarm,) = event_of(ics)[1].walk("VALARM")
        assert str(alarm["DESCRIPTION"]).endswith(title)
        assert ics.count(b"DESCRIPTION") == 1


def test_quotes_and_line_breaks_in_a_name_cannot_break_the_line():
    odd = Party("MAILTO:Odd@Example.cn", 'Zhang "Tony"\r\nSan')
    ics = request(session(NOW + timedelta(days=3), attendees=(odd,)), NOW)
    attendee = attendees_of(event_of(ics)[1])[0]
    assert attendee.params["CN"] == "Zhang 'Tony' San"
    assert str(attendee) == "mailto:Odd@Example.cn"
    assert vevent_of(ics)[1].attendee.params["CN"] == ["Zhang 'Tony' San"]


def test_the_second_of_a_doubled_autumn_hour_is_written_in_utc():
    # 2027-10-31 01:30 happens twice in London; a TZID time would mean the first (BST) one
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    ics = request(session(second, timezone="Europe/London"), NOW)
    assert b"DTSTART:20271031T013000Z" in ics
    assert b"DTEND;TZID=Europe/London:20271031T023000" in ics
    assert vevent_of(ics)[1].dtstart.value.astimezone(UTC) == second


def test_the_same_session_gives_the_same_bytes():
    booked = session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI))
    for build in (request, cancel, publish):
        assert build(booked, NOW) == build(booked, NOW)


@pytest.mark.parametrize(
    ("build", "change", "message"),
    [
        (request, {"start": datetime(2027, 4, 6, 14, 30)}, "aware"),
        (cancel, {"end": datetime(2027, 4, 6, 13, 0, tzinfo=SHANGHAI)}, "end after"),
        (request, {"status": "CANCELLED"}, "confirmed session"),
        (publish, {"status": "cancelled"}, "STATUS"),
        (request, {"attendees": ()}, "at least one attendee"),
        (request, {"attendees": (Party("not an address", "某人"),)}, "email"),
        (cancel, {"sequence": -1}, "negative"),
        (request, {"uid": "a\r\nb"}, "UID"),
    ],
)
def test_a_session_that_cannot_be_written_is_refused(build, change, message):
    booked = session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI), minutes=60)
    with pytest.raises(ValueError, match=message):
        build(dataclasses.replace(booked, **change), NOW)


# -- replies -----------------------------------------------------------------------------

OUTLOOK_DECLINE = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "METHOD:REPLY",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
        "BEGIN:VTIMEZONE",
        "TZID:China Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "ATTENDEE;PARTSTAT=DECLINED;CN=李明:MAILTO:Li.Ming@Example-Enterprise.CN",
        "COMMENT;LANGUAGE=zh-CN:抱歉，那天我们在外地出差，能否改到下周？\\n谢谢",
        "SUMMARY;LANGUAGE=zh-CN:拒绝: 法律咨询 Consultation · trademark",
        'DTSTART;TZID="China Standard Time":20270406T143000',
        'DTEND;TZID="China Standard Time":20270406T163000',
        f"UID:{UID}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20270401T020304Z",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        "SEQUENCE:1",
        "LOCATION;LANGUAGE=zh-CN:北京市朝阳区某某律师事务所",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:1",
        "X-MICROSOFT-CDO-OWNERAPPTID:-1325094791",
        "X-MICROSOFT-CDO-CRITICAL-CHANGE:20270401T020304Z",
        "X-MICROSOFT-CDO-ATTENDEE-CRITICAL-CHANGE:20270401T020304Z",
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
).encode("utf-8")

GOOGLE_ACCEPT = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        "DTSTART:20270406T063000Z",
        "DTEND:20270406T083000Z",
        "DTSTAMP:20270401T031500Z",
        "ORGANIZER;CN=朝阳区律师协会公益法律服务:mailto:probono@lawyers-assoc.example.cn",
        f"UID:{UID}",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=王芳;X-N",
        " UM-GUESTS=0:mailto:wang.fang@junhe-law.example.cn",
        "CREATED:20270320T080000Z",
        "LAST-MODIFIED:20270401T031500Z",
        "LOCATION:北京市朝阳区某某律师事务所",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "SUMMARY:法律咨询 Consultation · trademark",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
).encode("utf-8")


def test_an_outlook_decline_with_an_upper_case_mailto_and_a_comment():
    assert parse_reply(OUTLOOK_DECLINE) == [
        Reply(
            uid=UID,
            attendee_email="li.ming@example-enterprise.cn",
            partstat="DECLINED",
            sequence=1,
            comment="抱歉，那天我们在外地出差，能否改到下周？\n谢谢",
        )
    ]


def test_a_google_accept_folded_and_without_a_comment():
    assert parse_reply(GOOGLE_ACCEPT) == [
        Reply(UID, "wang.fang@junhe-law.example.cn", "ACCEPTED", 0, None)
    ]
    # a byte-order mark or bare LF line ends, as some mail clients leave them, are no bar
    assert parse_reply(b"\xef\xbb\xbf" + GOOGLE_ACCEPT.replace(b"\r\n", b"\n"))[0].partstat == (
        "ACCEPTED"
    )


def test_a_reply_made_from_our_own_request_reads_back():
    booked = session(datetime(2027, 4, 6, 14, 30, tzinfo=SHANGHAI), sequence=3)
    calendar = Calendar.from_ical(request(booked, NOW))
    calendar["METHOD"] = "REPLY"
    (event,) = calendar.walk("VEVENT")
    lawyer = attendees_of(event)[0]
    lawyer.params["PARTSTAT"] = "tentative"
    del lawyer.params["RSVP"]
    event["ATTENDEE"] = lawyer
    event.add("COMMENT", "可能迟到十分钟")
    assert parse_reply(calendar.to_ical()) == [
        Reply(UID, LAWYER.email, "TENTATIVE", 3, "可能迟到十分钟")
    ]


def test_every_answering_event_counts_and_an_unknown_partstat_means_needs_action():
    second = GOOGLE_ACCEPT.replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=X-MAYBE").replace(
        f"UID:{UID}".encode(), b"UID:other@probono-hours"
    )
    event = second[second.index(b"BEGIN:VEVENT") : second.index(b"END:VCALENDAR")]
    both = GOOGLE_ACCEPT.replace(b"END:VCALENDAR", event + b"END:VCALENDAR")
    assert [(r.uid, r.partstat) for r in parse_reply(both)] == [
        (UID, "ACCEPTED"),
        ("other@probono-hours", "NEEDS-ACTION"),
    ]
    # one VEVENT that answers is enough; the one that does not is passed over
    broken = both.replace(b";PARTSTAT=X-MAYBE", b"")
    assert [r.uid for r in parse_reply(broken)] == [UID]


@pytest.mark.parametrize(
    ("ics", "detail"),
    [
        (GOOGLE_ACCEPT.replace(b"METHOD:REPLY", b"METHOD:REQUEST"), "METHOD:REQUEST"),
        (GOOGLE_ACCEPT.replace(b"METHOD:REPLY\r\n", b""), "no METHOD"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8"),
        (b"hello, I will come on Tuesday", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n", "not valid iCalendar"),
        (b"", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n", "no VEVENT"),
        (GOOGLE_ACCEPT.replace(f"UID:{UID}\r\n".encode(), b""), "no UID"),
        (
            GOOGLE_ACCEPT.replace(b"ATTENDEE;", b"X-GONE;"),
            f"the VEVENT {UID} has no ATTENDEE",
        ),
        (GOOGLE_ACCEPT.replace(b"PARTSTAT=ACCEPTED;", b""), "a PARTSTAT"),
        (GOOGLE_ACCEPT.replace(b"SEQUENCE:0", b"SEQUENCE:two"), "SEQUENCE"),
    ],
    ids=[
        "request",
        "no-method",
        "binary",
        "prose",
        "truncated",
        "empty",
        "no-vevent",
        "no-uid",
        "no-attendee",
        "no-partstat",
        "bad-sequence",
    ],
)
def test_what_is_not_a_usable_reply_is_refused_with_the_reason(ics, detail):
    with pytest.raises(Unprocessable) as refused:
        parse_reply(ics)
    assert detail in refused.value.detail


def test_our_own_request_is_not_a_reply():
    with pytest.raises(Unprocessable, match="METHOD:REQUEST"):
        parse_reply(request(session(NOW + timedelta(days=3)), NOW))


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300)
    | st.lists(
        st.sampled_from(GOOGLE_ACCEPT.split(b"\r\n")) | st.binary(max_size=40), max_size=30
    ).map(b"\r\n".join)
)
def test_any_bytes_give_replies_or_unprocessable_and_nothing_else(ics):
    try:
        replies = parse_reply(ics)
    except Unprocessable as refused:
        assert refused.detail
    else:
        assert replies and all(r.uid and r.partstat for r in replies)
