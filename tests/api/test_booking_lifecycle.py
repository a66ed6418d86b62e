"""Every lifecycle path moves the ledger as stated; illegal moves answer 409 with the status."""

import pytest

from tests.api.booking_setup import session_has_started, stage
from tests.api.helpers import assert_problem


async def book(client, st, **fields) -> dict:
    response = await client.post("/api/v1/bookings", json=st.booking(**fields), headers=st.owner)
    assert response.status_code == 201, response.text
    return response.json()


async def balance(client, st) -> tuple[int, int, int, int]:
    body = (
        await client.get(
            f"/api/v1/enterprises/{st.enterprise['id']}/hours",
            params={"program_id": st.program["id"]},
            headers=st.owner,
        )
    ).json()
    return (
        body["held_minutes"],
        body["used_minutes"],
        body["forfeited_minutes"],
        body["remaining_minutes"],
    )


def lawyer_of(st):
    return st.lawyer_logins[0]


PATHS = [
    # who acts, action, body, session started?, expected (held, used, forfeited, remaining)
    ("owner", "cancel", {"reason": "solved it ourselves"}, False, (0, 0, 0, 600)),
    ("lawyer", "cancel", {"reason": "ill"}, False, (0, 0, 0, 600)),
    ("admin", "cancel", {"reason": "programme closed"}, False, (0, 0, 0, 600)),
    ("lawyer", "decline", {"reason": "conflict found"}, False, (0, 0, 0, 600)),
    ("lawyer", "complete", {"minutes_used": 60}, True, (0, 60, 0, 540)),
    ("lawyer", "complete", {"minutes_used": 30}, True, (0, 30, 0, 570)),
    ("admin", "no-show", None, True, (0, 0, 60, 540)),
]


@pytest.mark.parametrize(("who", "action", "body", "started", "expected"), PATHS)
async def test_lifecycle_paths_move_the_ledger(client, admin, who, action, body, started, expected):
    st = await stage(client, admin, lawyer_count=1)
    booking = await book(client, st)
    assert await balance(client, st) == (60, 0, 0, 540)
    if started:
        await session_has_started(booking["id"])
    headers = {"owner": st.owner, "lawyer": lawyer_of(st), "admin": admin}[who]
    response = await client.post(
        f"/api/v1/bookings/{booking['id']}/{action}", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    assert await balance(client, st) == expected
    again = await client.post(
        f"/api/v1/bookings/{booking['id']}/{action}", json=body, headers=headers
    )
    assert_problem(again, 409, response.json()["status"])


async def test_late_cancellation_by_the_enterprise_forfeits(client, admin):
    st = await stage(
        client, admin, lawyer_count=1, min_notice_hours=1, cancellation_notice_hours=24 * 30
    )
    booking = await book(client, st)
    response = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "busy"}, headers=st.owner
    )
    assert response.json()["status"] == "cancelled"
    assert await balance(client, st) == (0, 0, 60, 540)


async def test_only_the_lawyer_or_admin_completes_and_not_before_the_session(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    booking = await book(client, st)
    url = f"/api/v1/bookings/{booking['id']}/complete"
    assert_problem(await client.post(url, json={"minutes_used": 60}, headers=st.owner), 403)
    assert_problem(
        await client.post(url, json={"minutes_used": 60}, headers=lawyer_of(st)), 422, "starts at"
    )
    await session_has_started(booking["id"])
    assert_problem(
        await client.post(url, json={"minutes_used": 90}, headers=lawyer_of(st)), 422, "between"
    )


async def test_feedback_once_after_completion(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    booking = await book(client, st)
    url = f"/api/v1/bookings/{booking['id']}/feedback"
    assert_problem(
        await client.post(url, json={"rating": 5}, headers=st.owner), 409, "after completion"
    )
    await session_has_started(booking["id"])
    await client.post(
        f"/api/v1/bookings/{booking['id']}/complete", json={"minutes_used": 60}, headers=admin
    )
    assert_problem(await client.post(url, json={"rating": 6}, headers=st.owner), 422)
    assert_problem(await client.post(url, json={"rating": 5}, headers=lawyer_of(st)), 403)
    rated = await client.post(url, json={"rating": 5, "comment": "很有帮助"}, headers=st.owner)
    assert (rated.status_code, rated.json()["rating"]) == (200, 5)
    assert_problem(await client.post(url, json={"rating": 4}, headers=st.owner), 409, "already")


async def test_reschedule_moves_the_same_booking_and_frees_the_old_time(client, admin):
    st = await stage(client, admin, lawyer_count=2)
    booking = await book(client, st, hour=9)
    blocker = await book(client, st, hour=11)
    url = f"/api/v1/bookings/{booking['id']}/reschedule"
    clash = await client.post(url, json={"start": st.at(11)}, headers=st.owner)
    assert_problem(clash, 409, "already booked")
    assert (await client.get(f"/api/v1/bookings/{booking['id']}", headers=st.owner)).json()[
        "start"
    ] == booking["start"]

    moved = await client.post(url, json={"start": st.at(14)}, headers=st.owner)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["id"], moved.json()["sequence"]) == (booking["id"], 1)
    assert moved.json()["start"].startswith(st.at(14)[:16])
    # the old time is free again
    assert (
        await client.post("/api/v1/bookings", json=st.booking(hour=9), headers=st.owner)
    ).status_code == 201
    other_lawyer = await client.post(
        url, json={"start": st.at(11), "lawyer_id": st.lawyers[1]["id"]}, headers=st.owner
    )
    assert (other_lawyer.json()["lawyer_id"], other_lawyer.json()["sequence"]) == (
        st.lawyers[1]["id"],
        2,
    )
    assert await balance(client, st) == (180, 0, 0, 420)
    assert blocker["status"] == "confirmed"
