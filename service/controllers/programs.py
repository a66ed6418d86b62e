from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from service.auth import requires_admin, requires_any_role
from service.controllers.access import provide_page
from service.schemas import EnrolmentCreate, EnrolmentOut, ProgramCreate, ProgramOut
from service.usecases.enrolments import enrol
from service.usecases.paging import Page
from service.usecases.programs import create_program, get_program, list_programs


class ProgramController(Controller):
    path = "/api/v1/programs"
    tags = ["programmes"]
    guards = [requires_any_role]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @post("/", guards=[requires_admin])
    async def create(self, request: Request, data: JSONBody[ProgramCreate]) -> ProgramOut:
        return await create_program(request.user.email, data)

    @get("/")
    async def list(self, page: NamedDependency[Page]) -> list[ProgramOut]:
        return await list_programs(page)

    @get("/{program_id:uuid}")
    async def read(self, program_id: FromPath[UUID]) -> ProgramOut:
        return await get_program(program_id)

    @post("/{program_id:uuid}/enrolments", guards=[requires_admin])
    async def enrol(
        self, request: Request, program_id: FromPath[UUID], data: JSONBody[EnrolmentCreate]
    ) -> EnrolmentOut:
        """Enrol an enterprise: it is granted the programme's minutes."""
        return await enrol(request.user.email, program_id, data.enterprise_id)
