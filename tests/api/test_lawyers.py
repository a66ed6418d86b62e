from tests.api.helpers import assert_problem, create_lawyer, create_lawyer_user


async def test_practice_areas_vocabulary(client, admin):
    areas = (await client.get("/api/v1/practice-areas", headers=admin)).json()
    codes = {area["code"] for area in areas}
    assert {"intellectual_property", "trademark", "labour", "data_compliance"} <= codes
    assert next(a for a in areas if a["code"] == "patent")["broader"] == "intellectual_property"


async def test_lawyer_edits_only_their_own_profile(client, admin):
    mine = await create_lawyer(client, admin)
    other = await create_lawyer(client, admin, email="li@law.test", license_no="2")
    lawyer = await create_lawyer_user(client, admin, mine["id"])
    response = await client.patch(
        f"/api/v1/lawyers/{mine['id']}",
        json={"buffer_minutes": 15, "languages": ["zh"]},
        headers=lawyer,
    )
    assert response.status_code == 200
    assert (response.json()["buffer_minutes"], response.json()["languages"]) == (15, ["zh"])
    assert response.json()["license_no"] == mine["license_no"]
    assert_problem(
        await client.patch(
            f"/api/v1/lawyers/{other['id']}", json={"buffer_minutes": 5}, headers=lawyer
        ),
        403,
    )
    assert_problem(await client.get(f"/api/v1/lawyers/{other['id']}", headers=lawyer), 403)


async def test_profile_input_is_checked(client, admin):
    await create_lawyer(client, admin)
    duplicate = await client.post(
        "/api/v1/lawyers",
        json={
            "name": "X",
            "email": "x@law.test",
            "license_no": "11101200810123456",
            "firm": "F",
            "practice_areas": ["tax"],
        },
        headers=admin,
    )
    assert_problem(duplicate, 409, "11101200810123456")
    unknown = await client.post(
        "/api/v1/lawyers",
        json={
            "name": "X",
            "email": "y@law.test",
            "license_no": "9",
            "firm": "F",
            "practice_areas": ["maritime"],
        },
        headers=admin,
    )
    assert_problem(unknown, 422, "maritime")


async def test_availability_is_replaced_atomically_and_checked(client, admin):
    lawyer = await create_lawyer(client, admin)
    url = f"/api/v1/lawyers/{lawyer['id']}/availability"
    first = {
        "rules": [
            {
                "rrule": "FREQ=WEEKLY;BYDAY=MO,WE",
                "start": "09:00",
                "end": "12:00",
                "valid_from": "2026-01-05",
            }
        ]
    }
    response = await client.put(url, json=first, headers=admin)
    assert response.status_code == 200
    assert response.json()["rules"][0] | {} == {
        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE",
        "start": "09:00",
        "end": "12:00",
        "valid_from": "2026-01-05",
        "valid_until": None,
    }
    bad_rules = [
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO", "start": "12:00", "end": "09:00"}, "rule 2"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX", "start": "09:00", "end": "12:00"}, "BYDAY=XX"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO", "start": "9am", "end": "12:00"}, "start"),
    ]
    for rule, word in bad_rules:
        response = await client.put(url, json={"rules": [first["rules"][0], rule]}, headers=admin)
        assert_problem(response, 422, word)
    assert (await client.get(url, headers=admin)).json()["rules"] == (
        await client.put(url, json=first, headers=admin)
    ).json()["rules"]


async def test_time_off_needs_offsets_and_order(client, admin):
    lawyer = await create_lawyer(client, admin)
    url = f"/api/v1/lawyers/{lawyer['id']}/time-off"
    naive = await client.post(
        url, json={"start": "2027-03-01T09:00:00", "end": "2027-03-02T09:00:00"}, headers=admin
    )
    assert_problem(naive, 422, "offset")
    backwards = await client.post(
        url,
        json={"start": "2027-03-02T09:00:00+08:00", "end": "2027-03-01T09:00:00+08:00"},
        headers=admin,
    )
    assert_problem(backwards, 422, "end after")
    ok = await client.post(
        url,
        json={
            "start": "2027-03-01T09:00:00+08:00",
            "end": "2027-03-02T09:00:00+08:00",
            "reason": "court",
        },
        headers=admin,
    )
    assert ok.status_code == 201


async def test_conflict_declaration(client, admin):
    lawyer = await create_lawyer(client, admin)
    url = f"/api/v1/lawyers/{lawyer['id']}/conflicts"
    body = {"credit_code": "91350100M000100Y43", "reason": "represents its competitor"}
    assert (await client.post(url, json=body, headers=admin)).status_code == 201
    assert_problem(await client.post(url, json=body, headers=admin), 409, "already declared")
    assert_problem(
        await client.post(url, json=body | {"credit_code": "91350100M000100Y44"}, headers=admin),
        422,
    )
