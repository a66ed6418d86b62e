"""Slot search through the API: only truly free, correctly zoned, ranked slots."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.helpers import (
    VALID_CREDIT_CODES,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
    create_lawyer,
    enrolled_enterprise,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "09:00", "end": "12:00"}


def next_monday() -> datetime:
    """Local midnight of a Monday at least three days ahead (past the 24 h notice)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=3)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


@pytest.fixture
async def setting(client, admin):
    return await enrolled_enterprise(client, admin)


async def publish(client, admin, lawyer, *rules):
    response = await client.put(
        f"/api/v1/lawyers/{lawyer['id']}/availability",
        json={"rules": list(rules or [WEEKDAYS])},
        headers=admin,
    )
    assert response.status_code == 200, response.text


async def search(client, headers, program, enterprise, day, **params):
    query = {
        "program_id": program["id"],
        "enterprise_id": enterprise["id"],
        "service": "consultation",
        "practice_area": "trademark",
        "from": day.isoformat(),
        "to": (day + timedelta(days=1)).isoformat(),
    } | params
    return await client.get("/api/v1/slots", params=query, headers=headers)


def local_starts(slots) -> list[str]:
    return [slot["start"][11:16] for slot in slots]


async def test_slots_follow_the_rules_in_the_lawyers_zone(client, admin, setting):
    program, enterprise = setting
    lawyer = await create_lawyer(client, admin)
    await publish(client, admin, lawyer)
    monday = next_monday()
    slots = (await search(client, admin, program, enterprise, monday)).json()
    assert local_starts(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert all(
        slot["start"].endswith("+08:00") and slot["lawyer_id"] == lawyer["id"] for slot in slots
    )
    health_check = await search(client, admin, program, enterprise, monday, service="health_check")
    assert local_starts(health_check.json()) == ["09:00", "09:30", "10:00"]
    sunday = await search(client, admin, program, enterprise, monday - timedelta(days=1))
    assert sunday.json() == []


async def test_busy_time_and_time_off_are_never_offered(client, admin, setting):
    program, enterprise = setting
    lawyer = await create_lawyer(client, admin)
    await publish(client, admin, lawyer)
    monday = next_monday()
    court = monday + timedelta(hours=10)
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:c@t\r\n"
        f"DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Asia/Shanghai:{court:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Asia/Shanghai:{court + timedelta(hours=1):%Y%m%dT%H%M%S}\r\n"
        "SUMMARY:开庭\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    uploaded = await client.post(
        f"/api/v1/lawyers/{lawyer['id']}/busy-calendars",
        content=ics,
        headers=admin | {"content-type": "text/calendar"},
    )
    assert uploaded.status_code == 201
    slots = (await search(client, admin, program, enterprise, monday)).json()
    assert local_starts(slots) == ["09:00", "11:00"]

    tuesday = monday + timedelta(days=1)
    await client.post(
        f"/api/v1/lawyers/{lawyer['id']}/time-off",
        json={"start": tuesday.isoformat(), "end": (tuesday + timedelta(days=1)).isoformat()},
        headers=admin,
    )
    assert (await search(client, admin, program, enterprise, tuesday)).json() == []


async def test_ranking_prefers_an_exact_practice_area_and_explains_itself(client, admin, setting):
    program, enterprise = setting
    exact = await create_lawyer(client, admin, practice_areas=["trademark"])
    broader = await create_lawyer(
        client, admin, email="ip@law.test", license_no="2", practice_areas=["intellectual_property"]
    )
    unrelated = await create_lawyer(
        client, admin, email="tax@law.test", license_no="3", practice_areas=["tax"]
    )
    for lawyer in (exact, broader, unrelated):
        await publish(client, admin, lawyer)
    slots = (await search(client, admin, program, enterprise, next_monday())).json()
    assert {slot["lawyer_id"] for slot in slots} == {exact["id"], broader["id"]}
    assert slots[0]["lawyer_id"] == exact["id"] and "exact" in slots[0]["reason"]
    first_broader = next(slot for slot in slots if slot["lawyer_id"] == broader["id"])
    assert "broader" in first_broader["reason"]
    assert first_broader["score"] < slots[0]["score"]
    assert [slot["score"] for slot in slots] == sorted(
        (slot["score"] for slot in slots), reverse=True
    )


async def test_conflicts_and_language_filter_lawyers_out(client, admin, setting):
    program, enterprise = setting
    conflicted = await create_lawyer(client, admin)
    chinese_only = await create_lawyer(
        client, admin, email="zh@law.test", license_no="2", languages=["zh"]
    )
    for lawyer in (conflicted, chinese_only):
        await publish(client, admin, lawyer)
    await client.post(
        f"/api/v1/lawyers/{conflicted['id']}/conflicts",
        json={"credit_code": enterprise["credit_code"], "reason": "acts for its landlord"},
        headers=admin,
    )
    monday = next_monday()
    slots = (await search(client, admin, program, enterprise, monday)).json()
    assert {slot["lawyer_id"] for slot in slots} == {chinese_only["id"]}
    english = await search(client, admin, program, enterprise, monday, language="en")
    assert english.json() == []


async def test_a_london_lawyer_keeps_london_hours(client, admin, setting):
    program, enterprise = setting
    lawyer = await create_lawyer(client, admin, timezone="Europe/London")
    await publish(client, admin, lawyer)
    monday = next_monday()
    slots = (
        await search(
            client,
            admin,
            program,
            enterprise,
            monday,
            **{"to": (monday + timedelta(days=2)).isoformat()},
        )
    ).json()
    london = [
        datetime.fromisoformat(slot["start"]).astimezone(ZoneInfo("Europe/London"))
        for slot in slots
    ]
    assert {(start.hour, start.minute) for start in london} == {
        (9, 0),
        (9, 30),
        (10, 0),
        (10, 30),
        (11, 0),
    }


async def test_search_input_and_scope(client, admin, setting):
    program, enterprise = setting
    monday = next_monday()
    naive = await search(
        client, admin, program, enterprise, monday, **{"from": "2027-03-01T09:00:00"}
    )
    assert_problem(naive, 422, "offset")
    assert_problem(
        await search(client, admin, program, enterprise, monday, service="seminar"), 422, "seminars"
    )
    assert_problem(await search(client, admin, program, enterprise, monday, practice_area="x"), 422)
    other = await create_enterprise(client, admin, credit_code=VALID_CREDIT_CODES[1])
    owner = await create_enterprise_user(client, admin, other["id"])
    assert_problem(await search(client, owner, program, enterprise, monday), 403)
    now = datetime.now(SHANGHAI)
    too_soon = await search(
        client, admin, program, enterprise, now, to=(now + timedelta(hours=20)).isoformat()
    )
    assert too_soon.json() == []


async def test_a_remembered_calendar_never_offers_time_taken_since(client, admin, setting):
    """Searches keep calendars in memory; every kind of change shows in the very next search."""
    program, enterprise = setting
    lawyer = await create_lawyer(client, admin)
    await publish(client, admin, lawyer)
    monday = next_monday()
    lawyer_url = f"/api/v1/lawyers/{lawyer['id']}"

    async def starts() -> list[str]:
        response = await search(client, admin, program, enterprise, monday)
        assert response.status_code == 200, response.text
        return local_starts(response.json())

    assert await starts() == ["09:00", "09:30", "10:00", "10:30", "11:00"]

    booked = await client.post(
        "/api/v1/bookings",
        json={
            "program_id": program["id"],
            "enterprise_id": enterprise["id"],
            "lawyer_id": lawyer["id"],
            "service": "consultation",
            "practice_area": "trademark",
            "start": (monday + timedelta(hours=9)).isoformat(),
            "topic": "contract review",
        },
        headers=admin,
    )
    assert booked.status_code == 201, booked.text
    assert await starts() == ["10:00", "10:30", "11:00"]

    patched = await client.patch(lawyer_url, json={"buffer_minutes": 30}, headers=admin)
    assert patched.status_code == 200, patched.text
    assert await starts() == ["10:30", "11:00"]

    cancelled = await client.post(
        f"/api/v1/bookings/{booked.json()['id']}/cancel",
        json={"reason": "the enterprise found an in-house answer"},
        headers=admin,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await starts() == ["09:00", "09:30", "10:00", "10:30", "11:00"]

    time_off = await client.post(
        f"{lawyer_url}/time-off",
        json={
            "start": (monday + timedelta(hours=10)).isoformat(),
            "end": (monday + timedelta(hours=12)).isoformat(),
        },
        headers=admin,
    )
    assert time_off.status_code == 201, time_off.text
    assert await starts() == ["09:00"]

    await publish(client, admin, lawyer, WEEKDAYS | {"start": "08:00", "end": "10:00"})
    assert await starts() == ["08:00", "08:30", "09:00"]
