from tests.api.helpers import (
    VALID_CREDIT_CODES,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
    create_program,
)


async def enrol(client, admin, program_id, enterprise_id):
    return await client.post(
        f"/api/v1/programs/{program_id}/enrolments",
        json={"enterprise_id": enterprise_id},
        headers=admin,
    )


async def test_program_defaults_and_listing(client, admin):
    program = await create_program(client, admin)
    assert program["timezone"] == "Asia/Shanghai"
    assert program["minutes_per_enterprise"] == 600
    assert (program["min_notice_hours"], program["horizon_days"]) == (24, 60)
    listed = await client.get("/api/v1/programs", headers=admin)
    assert [p["id"] for p in listed.json()] == [program["id"]]


async def test_program_input_is_checked(client, admin):
    base = {"name": "P", "mailbox": "p@bar.test"}
    cases = [
        ({"starts_on": "2027-02-30", "ends_on": "2027-12-31"}, "starts_on"),
        ({"starts_on": "2027-12-31", "ends_on": "2027-01-01"}, "ends"),
        (
            {"starts_on": "2027-01-01", "ends_on": "2027-12-31", "timezone": "Mars/Base"},
            "Mars/Base",
        ),
        ({"starts_on": "2027-01-01", "ends_on": "2027-12-31", "minutes_per_enterprise": 45}, "30"),
    ]
    for fields, word in cases:
        response = await client.post("/api/v1/programs", json=base | fields, headers=admin)
        assert_problem(response, 422, word)


async def test_enrolment_grants_600_minutes_in_the_ledger(client, admin):
    program = await create_program(client, admin)
    enterprise = await create_enterprise(client, admin)
    response = await enrol(client, admin, program["id"], enterprise["id"])
    assert response.status_code == 201
    assert response.json()["granted_minutes"] == 600

    owner = await create_enterprise_user(client, admin, enterprise["id"])
    hours = await client.get(
        f"/api/v1/enterprises/{enterprise['id']}/hours",
        params={"program_id": program["id"]},
        headers=owner,
    )
    body = hours.json()
    assert body["granted_minutes"] == body["remaining_minutes"] == 600
    assert body["held_minutes"] == body["used_minutes"] == body["topped_up_minutes"] == 0
    assert [(line["kind"], line["minutes"], line["actor"]) for line in body["ledger"]] == [
        ("grant", 600, "admin@bar.test")
    ]


async def test_enrolling_twice_is_409(client, admin):
    program = await create_program(client, admin)
    enterprise = await create_enterprise(client, admin)
    assert (await enrol(client, admin, program["id"], enterprise["id"])).status_code == 201
    assert_problem(
        await enrol(client, admin, program["id"], enterprise["id"]), 409, "already enrolled"
    )


async def test_district_eligibility(client, admin):
    program = await create_program(client, admin, eligible_districts=["Chaoyang", "Haidian"])
    inside = await create_enterprise(client, admin, district="Haidian")
    outside = await create_enterprise(
        client, admin, credit_code=VALID_CREDIT_CODES[1], district="Pudong"
    )
    assert (await enrol(client, admin, program["id"], inside["id"])).status_code == 201
    response = await enrol(client, admin, program["id"], outside["id"])
    assert_problem(response, 422, "Pudong", "Chaoyang, Haidian")


async def test_ended_programme_refuses_enrolment(client, admin):
    program = await create_program(client, admin, starts_on="2020-01-01", ends_on="2020-12-31")
    enterprise = await create_enterprise(client, admin)
    assert_problem(await enrol(client, admin, program["id"], enterprise["id"]), 422, "ended")


async def test_hours_of_an_unenrolled_enterprise_is_404(client, admin):
    enterprise = await create_enterprise(client, admin)
    response = await client.get(f"/api/v1/enterprises/{enterprise['id']}/hours", headers=admin)
    assert_problem(response, 404, "not enrolled")


async def test_user_binding_is_checked(client, admin):
    response = await client.post(
        "/api/v1/users",
        json={"email": "e@e.test", "password": "longenough", "role": "enterprise"},
        headers=admin,
    )
    assert_problem(response, 422, "enterprise_id")
    duplicate = await client.post(
        "/api/v1/users",
        json={"email": "ADMIN@bar.test", "password": "longenough", "role": "bar_admin"},
        headers=admin,
    )
    assert_problem(duplicate, 409, "admin@bar.test")
