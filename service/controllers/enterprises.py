from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from service.auth import BAR_ADMIN, ENTERPRISE, requires_admin, requires_any_role, requires_role
from service.controllers.access import ensure_enterprise_access, provide_page
from service.schemas import (
    EnterpriseCreate,
    EnterpriseOut,
    HoursOut,
    TopUpRequestCreate,
    TopUpRequestOut,
)
from service.usecases.enrolments import hours
from service.usecases.enterprises import create_enterprise, get_enterprise, list_enterprises
from service.usecases.paging import Page
from service.usecases.top_ups import request_top_up


class EnterpriseController(Controller):
    path = "/api/v1/enterprises"
    tags = ["enterprises"]
    guards = [requires_any_role]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @post("/", guards=[requires_admin])
    async def create(self, request: Request, data: JSONBody[EnterpriseCreate]) -> EnterpriseOut:
        return await create_enterprise(request.user.email, data)

    @get("/", guards=[requires_admin])
    async def list(self, page: NamedDependency[Page]) -> list[EnterpriseOut]:
        return await list_enterprises(page)

    @get("/{enterprise_id:uuid}")
    async def read(self, request: Request, enterprise_id: FromPath[UUID]) -> EnterpriseOut:
        ensure_enterprise_access(request.user, enterprise_id)
        return await get_enterprise(enterprise_id)

    @get("/{enterprise_id:uuid}/hours")
    async def hours(
        self,
        request: Request,
        enterprise_id: FromPath[UUID],
        program_id: FromQuery[UUID | None] = None,
    ) -> HoursOut:
        """Granted, topped-up, held, used and remaining minutes, with the ledger behind them."""
        ensure_enterprise_access(request.user, enterprise_id)
        return await hours(enterprise_id, program_id)

    @post("/{enterprise_id:uuid}/top-up-requests", guards=[requires_role(BAR_ADMIN, ENTERPRISE)])
    async def ask_for_top_up(
        self, request: Request, enterprise_id: FromPath[UUID], data: JSONBody[TopUpRequestCreate]
    ) -> TopUpRequestOut:
        """Ask the bar association for more minutes (staff may file one on the phone's behalf)."""
        ensure_enterprise_access(request.user, enterprise_id)
        return await request_top_up(request.user.email, enterprise_id, data)
