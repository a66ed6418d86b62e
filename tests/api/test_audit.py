"""The audit trail through the API: who changed what, when; for the bar association only."""

from datetime import UTC, datetime, timedelta

from tests.api.booking_setup import stage
from tests.api.helpers import assert_problem


async def test_a_bookings_story_is_told_in_order_with_who_and_what(client, admin):
    world = await stage(client, admin)
    booked = await client.post("/api/v1/bookings", json=world.booking(), headers=world.owner)
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["id"]
    cancelled = await client.post(
        f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "solved"}, headers=admin
    )
    assert cancelled.status_code == 200, cancelled.text

    response = await client.get("/api/v1/audit", params={"entity_id": booking_id}, headers=admin)
    assert response.status_code == 200, response.text
    entries = response.json()
    assert [entry["action"] for entry in entries] == ["booking.created", "booking.cancelled"]
    created, cancel = entries
    assert created["actor"] == "owner@spark.test" and created["before"] is None
    assert created["after"]["status"] == "confirmed"
    assert cancel["actor"] == "admin@bar.test"
    assert (cancel["before"]["status"], cancel["after"]["status"]) == ("confirmed", "cancelled")
    assert all(entry["entity_id"] == booking_id for entry in entries)

    later = datetime.now(UTC) + timedelta(minutes=1)
    empty = await client.get("/api/v1/audit", params={"from": later.isoformat()}, headers=admin)
    assert empty.json() == []
    everything = await client.get("/api/v1/audit", params={"limit": 500}, headers=admin)
    assert {"enterprise.enrolled", "booking.created"} <= {e["action"] for e in everything.json()}


async def test_only_the_bar_association_reads_it_and_times_need_an_offset(client, admin):
    world = await stage(client, admin, lawyer_count=1)
    assert_problem(await client.get("/api/v1/audit", headers=world.owner), 403)
    assert_problem(await client.get("/api/v1/audit", headers=world.lawyer_logins[0]), 403)
    assert (await client.get("/api/v1/audit")).status_code == 401
    naive = await client.get("/api/v1/audit", params={"from": "2027-03-01T09:00:00"}, headers=admin)
    assert naive.status_code in (400, 422), naive.text
    far = await client.get("/api/v1/audit", params={"offset": 2**63}, headers=admin)
    assert_problem(far, 422, "offset")  # not a 500 from the database
