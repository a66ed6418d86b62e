"""The operator's command, as a newcomer runs it: a real process on a free port."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest

from tests.api.helpers import free_port, wait_until_healthy


def probono(*args: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SMTP_URL", "SECRET_KEY"}
    }
    return clean | {
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3",
    }


def test_a_bad_setting_stops_start_up_with_one_line(env):
    result = probono("migrate", env=env | {"PORT": "eighty"})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "probono: configuration error: PORT must be a whole number, got 'eighty'"
    ]


@contextlib.contextmanager
def demo_server(env: dict[str, str], **settings: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`probono serve` with demo data on a free port: its base URL and process."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        env=env | {"PORT": str(port), "DEMO_DATA": "1"} | settings,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, lambda: "see the output below")
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.communicate(timeout=30)


def admin_headers(base: str) -> dict[str, str]:
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"email": "admin@probono.demo", "password": "demo-admin-2027"},
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def demo_enterprise_hours(base: str, headers: dict[str, str]) -> tuple[dict, dict]:
    enterprise = httpx.get(f"{base}/api/v1/enterprises", headers=headers).json()[0]
    hours = httpx.get(f"{base}/api/v1/enterprises/{enterprise['id']}/hours", headers=headers)
    return enterprise, hours.json()


def monday_slots(base: str, headers: dict[str, str], enterprise: dict, program_id: str) -> list:
    """Contract-law slots on the Monday after next (a new connection each time)."""
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    slots = httpx.get(
        f"{base}/api/v1/slots",
        params={
            "program_id": program_id,
            "enterprise_id": enterprise["id"],
            "service": "consultation",
            "practice_area": "contract",
            "from": f"{monday}T00:00:00+08:00",
            "to": f"{monday}T23:59:00+08:00",
        },
        headers=headers,
    )
    assert slots.status_code == 200, slots.text
    return slots.json()


def test_serve_with_demo_data_lets_the_admin_read_600_minutes(env):
    with demo_server(env) as (base, server):
        assert httpx.get(f"{base}/schema/openapi.json").status_code == 200
        headers = admin_headers(base)
        enterprise, hours = demo_enterprise_hours(base, headers)
        assert hours["remaining_minutes"] == 600
        # the demo lawyers have published hours: the enterprise finds slots to book
        assert len(monday_slots(base, headers, enterprise, hours["program_id"])) == 5
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "admin@probono.demo" in output  # the demo logins are printed


def test_worker_processes_never_offer_a_slot_another_one_booked(env):
    """WORKERS=2: each process keeps calendars in memory; the database version keeps them true."""
    with demo_server(env, WORKERS="2") as (base, _):
        headers = admin_headers(base)
        enterprise, hours = demo_enterprise_hours(base, headers)
        program_id = hours["program_id"]
        for _ in range(12):  # new connections, spread over both processes: both caches warm
            first, *_ = monday_slots(base, headers, enterprise, program_id)
        booked = httpx.post(
            f"{base}/api/v1/bookings",
            json={
                "program_id": program_id,
                "enterprise_id": enterprise["id"],
                "lawyer_id": first["lawyer_id"],
                "service": "consultation",
                "practice_area": "contract",
                "start": first["start"],
                "topic": "supplier contract",
            },
            headers=headers,
        )
        assert booked.status_code == 201, booked.text
        taken = (first["lawyer_id"], first["start"])
        for _ in range(12):
            offered = monday_slots(base, headers, enterprise, program_id)
            assert taken not in {(slot["lawyer_id"], slot["start"]) for slot in offered}
