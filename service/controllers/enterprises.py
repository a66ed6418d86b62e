from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from service.auth import requires_admin, requires_any_role
from service.controllers.access import ensure_enterprise_access, provide_page
from service.schemas import EnterpriseCreate, EnterpriseOut, HoursOut
from service.usecases.enrolments import hours
from service.usecases.enterprises import create_enterprise, get_enterprise, list_enterprises
from service.usecases.paging import Page


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
