import os
import subprocess
import sys

import httpx
import pytest

from tests.api.helpers import ADMIN, free_port, login, wait_until_healthy


@pytest.fixture
def live_server(database_url, tmp_path):
    """The real service in its own process, on the test's clean database."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SMTP_URL")}
    env |= {
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "VAR_DIR": str(tmp_path / "var"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "ADMIN_EMAIL": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        "OUTBOX_RELAY_SECONDS": "0",
    }
    log = tmp_path / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base, server, lambda: log.read_text()[-2000:])
    yield base
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
async def remote(live_server):
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=live_server, timeout=120, limits=limits) as client:
        yield client


@pytest.fixture
async def remote_admin(remote):
    return await login(remote, *ADMIN)
