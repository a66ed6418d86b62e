from tests.api.booking_setup import session_has_started, stage


async def test_certificate_lists_completed_sessions_in_json_and_html(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    done = (await client.post("/api/v1/bookings", json=st.booking(hour=9), headers=st.owner)).json()
    await client.post("/api/v1/bookings", json=st.booking(hour=11), headers=st.owner)  # still ahead
    await session_has_started(done["id"])
    await client.post(
        f"/api/v1/bookings/{done['id']}/complete",
        json={"minutes_used": 30},
        headers=st.lawyer_logins[0],
    )
    url = f"/api/v1/lawyers/{st.lawyers[0]['id']}/certificate"
    params = {"program_id": st.program["id"]}
    body = (await client.get(url, params=params, headers=st.lawyer_logins[0])).json()
    assert body["total_minutes"] == 30
    assert [(s["kind"], s["id"], s["minutes"]) for s in body["sessions"]] == [
        ("booking", done["id"], 30)
    ]
    page = await client.get(
        url, params=params, headers=st.lawyer_logins[0] | {"Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "王律师" in page.text and "30" in page.text and "<script" not in page.text
    other = await client.get(url, params=params, headers=st.owner)
    assert other.status_code == 403
