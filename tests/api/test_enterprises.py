from tests.api.helpers import (
    VALID_CREDIT_CODES,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
)


async def test_create_and_read_enterprise(client, admin):
    created = await create_enterprise(client, admin, credit_code=VALID_CREDIT_CODES[1].lower())
    assert created["credit_code"] == VALID_CREDIT_CODES[1]
    read = await client.get(f"/api/v1/enterprises/{created['id']}", headers=admin)
    assert read.json() == created


async def test_duplicate_credit_code_is_409(client, admin):
    await create_enterprise(client, admin)
    response = await client.post(
        "/api/v1/enterprises",
        json={
            "name": "Other",
            "credit_code": VALID_CREDIT_CODES[0],
            "contact_name": "X",
            "contact_email": "x@other.test",
        },
        headers=admin,
    )
    assert_problem(response, 409, VALID_CREDIT_CODES[0])


async def test_mistyped_credit_code_names_the_check_character(client, admin):
    body = {
        "name": "Typo Ltd",
        "credit_code": "91350100M000100Y44",
        "contact_name": "X",
        "contact_email": "x@typo.test",
    }
    response = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert_problem(response, 422, "check character", "'3'")


async def test_bad_input_is_422_with_the_field_named(client, admin):
    response = await client.post(
        "/api/v1/enterprises",
        json={"name": "X", "credit_code": "1", "contact_name": "X", "contact_email": "not-mail"},
        headers=admin,
    )
    assert_problem(response, 422, "contact_email")
    unknown = await client.post(
        "/api/v1/enterprises",
        json={
            "name": "X",
            "credit_code": VALID_CREDIT_CODES[2],
            "contact_name": "X",
            "contact_email": "x@x.test",
            "contact_phone": "123",
        },
        headers=admin,
    )
    assert_problem(unknown, 422, "contact_phone")
    broken = await client.post(
        "/api/v1/enterprises",
        content=b"{not json",
        headers=admin | {"content-type": "application/json"},
    )
    assert broken.status_code in (400, 422)


async def test_enterprise_sees_only_itself(client, admin):
    mine = await create_enterprise(client, admin)
    other = await create_enterprise(
        client, admin, credit_code=VALID_CREDIT_CODES[1], contact_email="o@o.test"
    )
    owner = await create_enterprise_user(client, admin, mine["id"])
    assert (await client.get(f"/api/v1/enterprises/{mine['id']}", headers=owner)).status_code == 200
    assert_problem(await client.get(f"/api/v1/enterprises/{other['id']}", headers=owner), 403)
    assert_problem(await client.get(f"/api/v1/enterprises/{other['id']}/hours", headers=owner), 403)


async def test_unknown_enterprise_is_404(client, admin):
    response = await client.get(
        "/api/v1/enterprises/00000000-0000-0000-0000-000000000000", headers=admin
    )
    assert_problem(response, 404, "no enterprise")
