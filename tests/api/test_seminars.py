"""Group sessions: seats hold minutes, capacity is enforced under concurrency, seats settle."""

import asyncio
from datetime import UTC, datetime, timedelta

from models.tables import Seminar
from tests.api.booking_setup import stage
from tests.api.helpers import VALID_CREDIT_CODES, assert_problem, create_enterprise, enrol


async def create_seminar(client, admin, st, **fields) -> dict:
    body = {
        "lawyer_id": st.lawyers[0]["id"],
        "title": "数据合规实务讲座",
        "practice_area": "contract",
        "start": st.at(14),
        "end": st.at(16),
        "capacity": 2,
        "minutes_per_attendee": 60,
    } | fields
    response = await client.post("/api/v1/seminars", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def another_enterprise(client, admin, st, number: int) -> dict:
    enterprise = await create_enterprise(
        client, admin, credit_code=VALID_CREDIT_CODES[number], contact_email=f"e{number}@e.test"
    )
    await enrol(client, admin, st.program["id"], enterprise["id"])
    return enterprise


async def remaining(client, admin, st, enterprise_id) -> int:
    response = await client.get(
        f"/api/v1/enterprises/{enterprise_id}/hours",
        params={"program_id": st.program["id"]},
        headers=admin,
    )
    return response.json()["remaining_minutes"]


async def test_registration_holds_minutes_and_a_full_seminar_says_so(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    seminar = await create_seminar(client, admin, st, capacity=1)
    assert seminar["program_id"] == st.program["id"]  # found by date
    url = f"/api/v1/seminars/{seminar['id']}/registrations"
    seat = await client.post(url, json={"enterprise_id": st.enterprise["id"]}, headers=st.owner)
    assert seat.status_code == 201, seat.text
    assert await remaining(client, admin, st, st.enterprise["id"]) == 540
    again = await client.post(url, json={"enterprise_id": st.enterprise["id"]}, headers=st.owner)
    assert_problem(again, 409, "already registered")
    other = await another_enterprise(client, admin, st, 1)
    assert_problem(
        await client.post(url, json={"enterprise_id": other["id"]}, headers=admin), 409, "full"
    )

    cancel = f"{url}/{seat.json()['id']}/cancel"
    assert (await client.post(cancel, headers=st.owner)).json()["status"] == "cancelled"
    assert await remaining(client, admin, st, st.enterprise["id"]) == 600
    assert (
        await client.post(url, json={"enterprise_id": other["id"]}, headers=admin)
    ).status_code == 201


async def test_the_lawyers_seminar_time_is_not_offered_for_consultations(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    await create_seminar(client, admin, st)
    clash = await client.post("/api/v1/bookings", json=st.booking(hour=15), headers=st.owner)
    assert_problem(clash, 422, "seminar")
    twice = await client.post(
        "/api/v1/seminars",
        json={
            "lawyer_id": st.lawyers[0]["id"],
            "title": "again",
            "practice_area": "contract",
            "start": st.at(15),
            "end": st.at(16),
            "capacity": 5,
            "minutes_per_attendee": 60,
        },
        headers=admin,
    )
    assert_problem(twice, 422, "not available")


async def test_concurrent_registrations_never_exceed_capacity(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    seminar = await create_seminar(client, admin, st, capacity=2)
    enterprises = [st.enterprise] + [await another_enterprise(client, admin, st, n) for n in (1, 2)]
    url = f"/api/v1/seminars/{seminar['id']}/registrations"
    responses = await asyncio.gather(
        *(client.post(url, json={"enterprise_id": e["id"]}, headers=admin) for e in enterprises)
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 409]
    read = await client.get(f"/api/v1/seminars/{seminar['id']}", headers=admin)
    assert read.json()["registered"] == 2


async def test_completing_a_seminar_uses_the_seats_minutes(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    seminar = await create_seminar(client, admin, st)
    url = f"/api/v1/seminars/{seminar['id']}"
    await client.post(
        f"{url}/registrations", json={"enterprise_id": st.enterprise["id"]}, headers=st.owner
    )
    assert_problem(
        await client.post(f"{url}/complete", headers=st.lawyer_logins[0]), 422, "not started"
    )
    past = datetime.now(UTC) - timedelta(hours=1)
    await Seminar.update(
        {Seminar.starts_at: past, Seminar.ends_at: past + timedelta(minutes=30)}
    ).where(Seminar.id == seminar["id"])
    assert (await client.post(f"{url}/complete", headers=st.lawyer_logins[0])).status_code == 200
    hours = await client.get(
        f"/api/v1/enterprises/{st.enterprise['id']}/hours",
        params={"program_id": st.program["id"]},
        headers=st.owner,
    )
    assert (hours.json()["used_minutes"], hours.json()["held_minutes"]) == (60, 0)
