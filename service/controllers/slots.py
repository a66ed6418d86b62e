from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Request, get
from litestar.params import QueryParameter

from service.auth import BAR_ADMIN, ENTERPRISE, requires_role
from service.controllers.access import ensure_enterprise_access
from service.domain.instants import Instant, plain
from service.schemas import SlotOut
from service.usecases.paging import MAX_LIMIT
from service.usecases.slot_search import SlotQuery, search_slots


@get("/api/v1/slots", guards=[requires_role(BAR_ADMIN, ENTERPRISE)], tags=["slots"])
async def slots(
    request: Request,
    program_id: Annotated[UUID, QueryParameter()],
    enterprise_id: Annotated[UUID, QueryParameter()],
    service: Annotated[str, QueryParameter(description="consultation or health_check")],
    practice_area: Annotated[str, QueryParameter(description="see /api/v1/practice-areas")],
    window_start: Annotated[Instant, QueryParameter(name="from")],
    window_end: Annotated[Instant, QueryParameter(name="to")],
    language: Annotated[str | None, QueryParameter()] = None,
    lawyer_id: Annotated[UUID | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
) -> list[SlotOut]:
    """Ranked slots the enterprise could book now, each with a score and the reason for it."""
    ensure_enterprise_access(request.user, enterprise_id)
    query = SlotQuery(
        program_id,
        enterprise_id,
        service,
        practice_area,
        plain(window_start),
        plain(window_end),
        language,
        lawyer_id,
        limit,
    )
    return await search_slots(query, datetime.now(UTC), request.app.state.calendar_cache)
