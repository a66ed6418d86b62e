from __future__ import annotations

from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from models.database import current_engine
from service.openapi_docs import PublicOperation
from service.schemas import Health


async def _database_up() -> bool:
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


async def _queue_state(request: Request) -> str:
    redis = request.app.state.redis
    if redis is None:
        return "in-process"
    try:
        await redis.ping()
    except Exception:
        return "down"
    return "up"


@get(
    "/health",
    exclude_from_auth=True,
    tags=["health"],
    operation_class=PublicOperation,
    responses={503: ResponseSpec(Health, description="the database is down")},
)
async def health(request: Request) -> Response[Health]:
    """Liveness of the service, its database and its job queue; 503 when the database is down."""
    database_up = await _database_up()
    queue = await _queue_state(request)
    report = Health(
        status="ok" if database_up and queue != "down" else "degraded",
        database="up" if database_up else "down",
        queue=queue,
    )
    return Response(report, status_code=200 if database_up else 503)
