from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from service.app import create_app
from service.lifespan import lifespan
from service.settings import Settings

ADMIN = ("admin@bar.test", "admin-password-1")


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in the test's own event loop, lifespan included (it binds the tables)."""
    app = create_app(settings)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


VALID_CREDIT_CODES = ["91350100M000100Y43", "91110000802100433B", "911100007109288314"]


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def create_program(client, admin, **fields) -> dict:
    body = {
        "name": "2027 SME programme",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "mailbox": "programme@bar.test",
    } | fields
    response = await client.post("/api/v1/programs", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def create_enterprise(client, admin, credit_code=VALID_CREDIT_CODES[0], **fields) -> dict:
    body = {
        "name": "星火科技有限公司",
        "credit_code": credit_code,
        "contact_name": "Li Wei",
        "contact_email": "li@spark.test",
    } | fields
    response = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def enrol(client, admin, program_id, enterprise_id) -> None:
    response = await client.post(
        f"/api/v1/programs/{program_id}/enrolments",
        json={"enterprise_id": enterprise_id},
        headers=admin,
    )
    assert response.status_code == 201, response.text


async def enrolled_enterprise(client, admin, **program_fields) -> tuple[dict, dict]:
    """A programme and an enterprise enrolled in it."""
    program = await create_program(client, admin, **program_fields)
    enterprise = await create_enterprise(client, admin)
    await enrol(client, admin, program["id"], enterprise["id"])
    return program, enterprise


def wait_until_healthy(base: str, server: subprocess.Popen, problem: Callable[[], str]) -> None:
    """Poll /health of a server process we started; fail with `problem()` if it never answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"server did not start: {problem()}")
        time.sleep(0.2)


async def create_enterprise_user(client, admin, enterprise_id, email="owner@spark.test") -> dict:
    response = await client.post(
        "/api/v1/users",
        json={
            "email": email,
            "password": "owner-password",
            "role": "enterprise",
            "enterprise_id": enterprise_id,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return await login(client, email, "owner-password")


def assert_problem(response: httpx.Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    for word in words:
        assert word in body["detail"], body["detail"]
    return body


def missing_service(reason: str) -> None:
    """Skip on a developer's machine without the service; in CI its absence is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI requires it)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def create_lawyer(client, admin, **fields) -> dict:
    body = {
        "name": "王律师",
        "email": "wang@law.test",
        "license_no": "11101200810123456",
        "firm": "Beijing Pro Bono LLP",
        "practice_areas": ["trademark", "contract"],
        "languages": ["zh", "en"],
        "timezone": "Asia/Shanghai",
        "monthly_cap_minutes": 600,
        "buffer_minutes": 0,
    } | fields
    response = await client.post("/api/v1/lawyers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def create_lawyer_user(client, admin, lawyer_id, email="wang.login@law.test") -> dict:
    response = await client.post(
        "/api/v1/users",
        json={
            "email": email,
            "password": "lawyer-password",
            "role": "lawyer",
            "lawyer_id": lawyer_id,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return await login(client, email, "lawyer-password")
