"""Races against a real server process with many real connections: the database decides."""

import asyncio

from models.database import build_engine, connected
from models.tables import Booking
from tests.api.booking_setup import session_has_started, stage


async def live_bookings(database_url: str) -> list[dict]:
    async with connected(build_engine(database_url)):
        return await Booking.select(Booking.lawyer, Booking.starts_at).where(
            Booking.status == "confirmed"
        )


async def test_hundred_clients_one_slot_exactly_one_wins(remote, remote_admin, database_url):
    st = await stage(remote, remote_admin, lawyer_count=1)
    body = st.booking(hour=10)
    responses = await asyncio.gather(
        *(remote.post("/api/v1/bookings", json=body, headers=st.owner) for _ in range(100))
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * 99, codes
    assert len(await live_bookings(database_url)) == 1


async def test_thirty_bookings_on_600_minutes_exactly_ten_succeed(
    remote, remote_admin, database_url
):
    st = await stage(remote, remote_admin, lawyer_count=30)
    responses = await asyncio.gather(
        *(
            remote.post("/api/v1/bookings", json=st.booking(hour=10, lawyer=n), headers=st.owner)
            for n in range(30)
        )
    )
    codes = [response.status_code for response in responses]
    assert (codes.count(201), codes.count(422)) == (10, 20), codes
    hours = await remote.get(
        f"/api/v1/enterprises/{st.enterprise['id']}/hours",
        params={"program_id": st.program["id"]},
        headers=st.owner,
    )
    assert (hours.json()["held_minutes"], hours.json()["remaining_minutes"]) == (600, 0)
    assert len(await live_bookings(database_url)) == 10


async def test_twenty_concurrent_replays_of_one_key_make_one_booking(
    remote, remote_admin, database_url
):
    st = await stage(remote, remote_admin, lawyer_count=1)
    headers = st.owner | {"Idempotency-Key": "portal-request-42"}
    responses = await asyncio.gather(
        *(remote.post("/api/v1/bookings", json=st.booking(), headers=headers) for _ in range(20))
    )
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    assert len(await live_bookings(database_url)) == 1


async def test_completing_sessions_while_the_same_enterprise_books_never_deadlocks(
    remote, remote_admin, database_url
):
    """Both take the lawyer, the booking and the allocation: in the same order, or they deadlock."""
    st = await stage(remote, remote_admin, lawyer_count=1)
    given = []
    for hour in (9, 10, 11, 12):
        response = await remote.post("/api/v1/bookings", json=st.booking(hour), headers=st.owner)
        assert response.status_code == 201, response.text
        given.append(response.json()["id"])
    async with connected(build_engine(database_url)):
        for number, booking_id in enumerate(given):
            await session_has_started(booking_id, hours_ago=2 + 2 * number)
    responses = await asyncio.gather(
        *(
            remote.post(
                f"/api/v1/bookings/{booking_id}/complete",
                json={"minutes_used": 60},
                headers=remote_admin,
            )
            for booking_id in given
        ),
        *(
            remote.post("/api/v1/bookings", json=st.booking(hour), headers=st.owner)
            for hour in (13, 14, 15, 16)
        ),
    )
    assert [response.status_code for response in responses] == [200] * 4 + [201] * 4, [
        response.text for response in responses if response.status_code >= 300
    ]
