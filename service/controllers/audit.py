from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from service.auth import BAR_ADMIN, requires_role
from service.controllers.access import provide_page
from service.domain.instants import Instant, plain
from service.schemas import AuditEntryOut
from service.usecases.audit_trail import AuditFilter, audit_entries
from service.usecases.paging import Page


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["reports"]
    guards = [requires_role(BAR_ADMIN)]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @get("/")
    async def list(
        self,
        page: NamedDependency[Page],
        entity_id: Annotated[
            UUID | None, QueryParameter(description="a booking, enrolment, …")
        ] = None,
        window_start: Annotated[Instant | None, QueryParameter(name="from")] = None,
        window_end: Annotated[Instant | None, QueryParameter(name="to")] = None,
    ) -> list[AuditEntryOut]:
        """Who changed what, when: state before and after each change, oldest first."""
        return await audit_entries(
            AuditFilter(entity_id, plain(window_start), plain(window_end)), page
        )
