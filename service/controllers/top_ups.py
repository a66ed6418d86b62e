from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from service.auth import BAR_ADMIN, ENTERPRISE, requires_role
from service.controllers.access import ensure_enterprise_access, provide_page
from service.schemas import TopUpRejection, TopUpRequestOut, TopUpStatus
from service.usecases.paging import Page
from service.usecases.top_ups import decide, get_top_up, list_top_ups


class TopUpController(Controller):
    path = "/api/v1/top-up-requests"
    tags = ["hours"]
    guards = [requires_role(BAR_ADMIN, ENTERPRISE)]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @get("/")
    async def list(
        self,
        request: Request,
        page: NamedDependency[Page],
        status: Annotated[TopUpStatus | None, QueryParameter()] = None,
    ) -> list[TopUpRequestOut]:
        """Requests oldest first: all for the bar association, its own for an enterprise."""
        return await list_top_ups(request.user, status, page)

    @get("/{request_id:uuid}")
    async def read(self, request: Request, request_id: FromPath[UUID]) -> TopUpRequestOut:
        top_up = await get_top_up(request_id)
        ensure_enterprise_access(request.user, top_up.enterprise_id)
        return top_up

    @post("/{request_id:uuid}/approve", status_code=200, guards=[requires_role(BAR_ADMIN)])
    async def approve(self, request: Request, request_id: FromPath[UUID]) -> TopUpRequestOut:
        """Add the requested minutes to the enterprise's allocation (a ledger top_up)."""
        return await decide(request.user.email, request_id, "approved", None, datetime.now(UTC))

    @post("/{request_id:uuid}/reject", status_code=200, guards=[requires_role(BAR_ADMIN)])
    async def reject(
        self, request: Request, request_id: FromPath[UUID], data: JSONBody[TopUpRejection]
    ) -> TopUpRequestOut:
        """Turn the request down; the enterprise is told why."""
        return await decide(
            request.user.email, request_id, "rejected", data.reason, datetime.now(UTC)
        )
