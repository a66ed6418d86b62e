import pytest

from service.usecases.bootstrap import ensure_admin
from tests.api.helpers import ADMIN, login


@pytest.fixture
async def admin(client) -> dict[str, str]:
    await ensure_admin(*ADMIN)
    return await login(client, *ADMIN)
