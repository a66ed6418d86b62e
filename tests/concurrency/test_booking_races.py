"""Races against a real server process with many real connections: the database decides."""

import asyncio

from models.database import build_engine, connected
from models.tables import Booking
from tests.api.booking_setup import stage


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
