"""The lawyer's subscribable feed: a secret link instead of a bearer token, rotatable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar

from models.tables import AuditEntry
from tests.api.booking_setup import stage
from tests.api.helpers import assert_problem

NOTES = "对方法定代表人张某的手机号 13800000000，合同编号 HT-2027-001"


async def feed_link(client, headers, lawyer_id) -> str:
    response = await client.get(f"/api/v1/lawyers/{lawyer_id}/calendar-token", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["feed_url"]


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def book(client, st, **fields) -> dict:
    response = await client.post("/api/v1/bookings", json=st.booking(**fields), headers=st.owner)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_feed_lists_live_sessions_with_the_topic_only(client, admin):
    st = await stage(client, admin)
    lawyer_id = st.lawyers[0]["id"]
    kept = await book(client, st, hour=9, notes=NOTES)
    dropped = await book(client, st, hour=13, topic="合同审查")
    await book(client, st, hour=9, lawyer=1, topic="别人的会话")
    link = await feed_link(client, st.lawyer_logins[0], lawyer_id)
    assert link.startswith(f"/api/v1/lawyers/{lawyer_id}/calendar.ics?token=")

    response = await client.get(link)  # no bearer token
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["cache-control"]
    body = response.content
    text = body.decode("utf-8")
    assert f"UID:{kept['id']}@probono-hours" in text
    assert f"UID:{dropped['id']}@probono-hours" in text
    assert "商标被抢注" in text.replace("\r\n ", "")
    assert "别人的会话" not in text.replace("\r\n ", "")
    for secret in (NOTES, "13800000000", "HT-2027-001", st.enterprise["name"], "li@spark.test"):
        assert secret not in text.replace("\r\n ", "")
    calendar = Calendar.from_ical(body)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    event = events[f"{kept['id']}@probono-hours"]
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("DTSTART").isoformat()[:16] == st.at(9)[:16]
    assert event["STATUS"] == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]

    cancelled = await client.post(
        f"/api/v1/bookings/{dropped['id']}/cancel", json={"reason": "x"}, headers=st.owner
    )
    assert cancelled.status_code == 200, cancelled.text
    text = (await client.get(link)).text
    assert f"UID:{kept['id']}@probono-hours" in text
    assert dropped["id"] not in text


async def test_a_wrong_or_missing_token_or_unknown_lawyer_is_not_found(client, admin):
    st = await stage(client, admin, lawyer_count=2)
    first, second = (lawyer["id"] for lawyer in st.lawyers)
    token = token_of(await feed_link(client, admin, first))
    other_token = token_of(await feed_link(client, admin, second))
    for path, params in (
        (first, {"token": token[:-1] + ("A" if token[-1] != "A" else "B")}),
        (first, {"token": other_token}),
        (first, {"token": "商标" + token}),
        (first, {}),
        (first, {"token": ""}),
        ("00000000-0000-0000-0000-000000000000", {"token": token}),
    ):
        response = await client.get(f"/api/v1/lawyers/{path}/calendar.ics", params=params)
        assert_problem(response, 404, "no calendar feed")
    # a bearer token is no substitute for the feed token
    assert_problem(await client.get(f"/api/v1/lawyers/{first}/calendar.ics", headers=admin), 404)


async def test_rotating_retires_the_old_link_and_is_audited(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    lawyer_id = st.lawyers[0]["id"]
    login = st.lawyer_logins[0]
    old = await feed_link(client, login, lawyer_id)
    assert (await client.get(old)).status_code == 200

    response = await client.post(f"/api/v1/lawyers/{lawyer_id}/calendar-token", headers=login)
    assert response.status_code == 200, response.text
    new = response.json()["feed_url"]
    assert new != old and len(token_of(new)) >= 43
    assert_problem(await client.get(old), 404)
    assert (await client.get(new)).status_code == 200
    assert await feed_link(client, login, lawyer_id) == new

    entries = await AuditEntry.select().where(AuditEntry.action == "calendar_token.rotated")
    assert len(entries) == 1
    assert entries[0]["actor"] == "login0@law.test"
    assert str(entries[0]["entity_id"]) == lawyer_id
    assert token_of(new) not in str(entries[0]) and token_of(old) not in str(entries[0])

    # the administrator may rotate too, e.g. when a lawyer reports the link leaked
    by_admin = await client.post(f"/api/v1/lawyers/{lawyer_id}/calendar-token", headers=admin)
    assert by_admin.status_code == 200, by_admin.text
    assert_problem(await client.get(new), 404)


async def test_only_the_lawyer_and_the_administrator_see_or_rotate_the_link(client, admin):
    st = await stage(client, admin, lawyer_count=2)
    lawyer_id = st.lawyers[0]["id"]
    path = f"/api/v1/lawyers/{lawyer_id}/calendar-token"
    before = await feed_link(client, admin, lawyer_id)
    for headers in (st.lawyer_logins[1], st.owner):
        assert_problem(await client.get(path, headers=headers), 403)
        assert_problem(await client.post(path, headers=headers), 403)
    assert_problem(await client.get(path), 401)
    assert_problem(await client.post(path), 401)
    assert await feed_link(client, st.lawyer_logins[0], lawyer_id) == before
    unknown = "/api/v1/lawyers/00000000-0000-0000-0000-000000000000/calendar-token"
    assert_problem(await client.get(unknown, headers=admin), 404)
    assert_problem(await client.post(unknown, headers=admin), 404)
