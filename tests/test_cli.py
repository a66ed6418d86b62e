"""The operator's command, as a newcomer runs it: a real process on a free port."""

import os
import subprocess
import sys
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


def test_serve_with_demo_data_lets_the_admin_read_600_minutes(env, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        env=env | {"PORT": str(port), "DEMO_DATA": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, lambda: "see the output below")
        assert httpx.get(f"{base}/schema/openapi.json").status_code == 200
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"email": "admin@probono.demo", "password": "demo-admin-2027"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        enterprise = httpx.get(f"{base}/api/v1/enterprises", headers=headers).json()[0]
        hours = httpx.get(f"{base}/api/v1/enterprises/{enterprise['id']}/hours", headers=headers)
        assert hours.json()["remaining_minutes"] == 600
        # the demo lawyers have published hours: the enterprise finds slots to book
        program_id = hours.json()["program_id"]
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
        assert slots.status_code == 200 and len(slots.json()) == 5, slots.text
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "admin@probono.demo" in output  # the demo logins are printed
