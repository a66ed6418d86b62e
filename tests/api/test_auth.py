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


async def test_health_and_schema_are_open(client):
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "up", "queue": "in-process"}
    schema = await client.get("/schema/openapi.json")
    assert "/api/v1/enterprises/{enterprise_id}/hours" in schema.json()["paths"]


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
