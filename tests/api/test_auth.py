from dataclasses import replace

from tests.api.helpers import (
    ADMIN,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
    serving,
)


async def test_token_carries_role_and_expiry(client, admin):
    response = await client.post(
        "/api/v1/auth/token", json={"email": ADMIN[0], "password": ADMIN[1]}
    )
    body = response.json()
    assert body["token_type"] == "bearer" and body["role"] == "bar_admin"
    assert body["expires_at"].endswith("Z") or "+" in body["expires_at"]


async def test_wrong_password_is_401_problem(client, admin):
    response = await client.post("/api/v1/auth/token", json={"email": ADMIN[0], "password": "nope"})
    assert_problem(response, 401, "wrong")


async def test_routes_need_a_bearer_token(client):
    assert_problem(await client.get("/api/v1/programs"), 401)
    garbage = {"Authorization": "Bearer not.a.token"}
    assert (await client.get("/api/v1/programs", headers=garbage)).status_code == 401


async def test_options_names_the_methods_without_a_token(client):
    response = await client.options("/api/v1/programs")
    assert response.status_code == 204, response.text
    assert "POST" in response.headers["allow"]


async def test_health_and_schema_are_open(client):
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "up", "queue": "in-process"}
    schema = await client.get("/schema/openapi.json")
    assert "/api/v1/enterprises/{enterprise_id}/hours" in schema.json()["paths"]


async def test_the_schema_tells_which_routes_are_open_and_how_each_fails(client):
    document = (await client.get("/schema/openapi.json")).json()
    paths = document["paths"]
    components = document["components"]["schemas"]
    # request bodies refuse unknown fields, and say so; responses may grow fields
    assert components["BookingCreate"]["additionalProperties"] is False
    assert "additionalProperties" not in components["BookingOut"]
    languages = components["LawyerCreate"]["properties"]["languages"]["items"]
    assert languages["pattern"] == "^[a-z]{2,3}(-[A-Za-z]{2,4})?$"
    open_routes = {("/health", "get"), ("/api/v1/auth/token", "post")}
    open_routes.add(("/api/v1/lawyers/{lawyer_id}/calendar.ics", "get"))
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "422", "500"} | (
                set() if (path, method) in open_routes else {"401", "403"}
            )
            assert expected <= set(responses), (method, path)
            assert "application/problem+json" in responses["422"]["content"], (method, path)
            assert (operation.get("security") == []) == ((path, method) in open_routes), path
    report = paths["/api/v1/reports/usage"]["get"]["responses"]["200"]["content"]
    certificate = paths["/api/v1/lawyers/{lawyer_id}/certificate"]["get"]["responses"]["200"]
    assert {"text/csv", "text/html"} <= set(report) | set(certificate["content"])


async def test_enterprise_cannot_use_admin_routes(client, admin):
    enterprise = await create_enterprise(client, admin)
    owner = await create_enterprise_user(client, admin, enterprise["id"])
    response = await client.post("/api/v1/enterprises", json={}, headers=owner)
    assert_problem(response, 403, "bar_admin")


async def test_login_attempts_are_rate_limited(settings):
    wrong = {"email": "x@y.z", "password": "p"}
    async with serving(replace(settings, login_attempts_per_minute=3)) as client:
        codes = [
            (await client.post("/api/v1/auth/token", json=wrong)).status_code for _ in range(5)
        ]
    assert codes == [401, 401, 401, 429, 429]
