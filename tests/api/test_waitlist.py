"""Waitlist: a cancellation offers the freed slot to the first in line and holds it for them."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.relay import expire_waitlist_offers
from models.tables import Booking, OutboxMessage
from tests.api.booking_setup import stage
from tests.api.helpers import (
    VALID_CREDIT_CODES,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
    enrol,
)


async def second_enterprise(client, admin, st, number=1):
    enterprise = await create_enterprise(
        client, admin, credit_code=VALID_CREDIT_CODES[number], contact_email=f"w{number}@w.test"
    )
    await enrol(client, admin, st.program["id"], enterprise["id"])
    login = await create_enterprise_user(
        client, admin, enterprise["id"], email=f"login{number}@w.test"
    )
    return enterprise, login


async def join(client, st, enterprise, headers):
    response = await client.post(
        "/api/v1/waitlist",
        json={
            "program_id": st.program["id"],
            "enterprise_id": enterprise["id"],
            "service": "consultation",
            "practice_area": "trademark",
            "from": st.at(9),
            "to": st.at(12),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_cancelled_slot_is_held_for_the_first_waiting_and_accepted(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    for hour in (9, 10, 11):
        assert (
            await client.post("/api/v1/bookings", json=st.booking(hour=hour), headers=st.owner)
        ).status_code == 201
    waiting, waiting_login = await second_enterprise(client, admin, st)
    later, later_login = await second_enterprise(client, admin, st, 2)
    first = await join(client, st, waiting, waiting_login)
    second = await join(client, st, later, later_login)
    assert first["status"] == "waiting"

    booking = (await client.get("/api/v1/bookings", headers=st.owner)).json()[1]
    await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "x"}, headers=st.owner
    )
    offered = (await client.get(f"/api/v1/waitlist/{first['id']}", headers=waiting_login)).json()
    assert offered["status"] == "offered"
    assert (await client.get(f"/api/v1/waitlist/{second['id']}", headers=later_login)).json()[
        "status"
    ] == "waiting"
    assert await OutboxMessage.exists().where(
        (OutboxMessage.kind == "waitlist.offered")
        & (OutboxMessage.recipient == waiting["contact_email"])
    )
    # the held slot is not offered to anyone else
    taken = await client.post("/api/v1/bookings", json=st.booking(hour=10), headers=st.owner)
    assert_problem(taken, 409, "already booked")

    accepted = await client.post(f"/api/v1/waitlist/{first['id']}/accept", headers=waiting_login)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["enterprise_id"]) == (
        "confirmed",
        waiting["id"],
    )
    assert accepted.json()["start"] == booking["start"]
    hours = await client.get(f"/api/v1/enterprises/{waiting['id']}/hours", headers=waiting_login)
    assert hours.json()["held_minutes"] == 60
    assert_problem(
        await client.post(f"/api/v1/waitlist/{first['id']}/accept", headers=waiting_login), 409
    )


async def test_an_unaccepted_hold_lapses_and_passes_to_the_next(client, admin, settings):
    st = await stage(client, admin, lawyer_count=1)
    booking = (
        await client.post("/api/v1/bookings", json=st.booking(hour=10), headers=st.owner)
    ).json()
    waiting, waiting_login = await second_enterprise(client, admin, st)
    later, later_login = await second_enterprise(client, admin, st, 2)
    first = await join(client, st, waiting, waiting_login)
    second = await join(client, st, later, later_login)
    await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "x"}, headers=admin
    )
    held = (await client.get(f"/api/v1/waitlist/{first['id']}", headers=waiting_login)).json()
    await Booking.update({Booking.hold_expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Booking.id == held["offered_booking_id"]
    )
    assert await expire_waitlist_offers({"settings": replace(settings)}) == 1
    assert (await client.get(f"/api/v1/waitlist/{first['id']}", headers=waiting_login)).json()[
        "status"
    ] == "expired"
    assert_problem(
        await client.post(f"/api/v1/waitlist/{first['id']}/accept", headers=waiting_login), 409
    )
    assert (await client.get(f"/api/v1/waitlist/{second['id']}", headers=later_login)).json()[
        "status"
    ] == "offered"
