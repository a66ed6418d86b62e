from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from service.auth import requires_admin, requires_any_role
from service.controllers.access import ensure_lawyer_access, provide_page
from service.domain.certificate import certificate_html
from service.openapi_docs import also_answering_in
from service.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    CertificateOut,
    ConflictCreate,
    ConflictOut,
    LawyerCreate,
    LawyerOut,
    LawyerUpdate,
    TimeOffCreate,
    TimeOffOut,
)
from service.usecases.availability import add_time_off, get_rules, replace_rules
from service.usecases.certificates import certificate
from service.usecases.conflicts import declare_conflict
from service.usecases.lawyers import create_lawyer, get_lawyer, list_lawyers, update_lawyer
from service.usecases.paging import Page


class LawyerController(Controller):
    path = "/api/v1/lawyers"
    tags = ["lawyers"]
    guards = [requires_any_role]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @post("/", guards=[requires_admin])
    async def create(self, request: Request, data: JSONBody[LawyerCreate]) -> LawyerOut:
        return await create_lawyer(request.user.email, data)

    @get("/", guards=[requires_admin])
    async def list(self, page: NamedDependency[Page]) -> list[LawyerOut]:
        return await list_lawyers(page)

    @get("/{lawyer_id:uuid}")
    async def read(self, request: Request, lawyer_id: FromPath[UUID]) -> LawyerOut:
        ensure_lawyer_access(request.user, lawyer_id)
        return await get_lawyer(lawyer_id)

    @patch("/{lawyer_id:uuid}")
    async def update(
        self, request: Request, lawyer_id: FromPath[UUID], data: JSONBody[LawyerUpdate]
    ) -> LawyerOut:
        ensure_lawyer_access(request.user, lawyer_id)
        return await update_lawyer(request.user.email, lawyer_id, data)

    @put("/{lawyer_id:uuid}/availability")
    async def replace_availability(
        self, request: Request, lawyer_id: FromPath[UUID], data: JSONBody[AvailabilityIn]
    ) -> AvailabilityOut:
        """Replace the weekly rules at once; times are wall-clock in the lawyer's zone."""
        ensure_lawyer_access(request.user, lawyer_id)
        return await replace_rules(request.user.email, lawyer_id, data)

    @get("/{lawyer_id:uuid}/availability")
    async def availability(self, request: Request, lawyer_id: FromPath[UUID]) -> AvailabilityOut:
        ensure_lawyer_access(request.user, lawyer_id)
        return await get_rules(lawyer_id)

    @post("/{lawyer_id:uuid}/time-off")
    async def time_off(
        self, request: Request, lawyer_id: FromPath[UUID], data: JSONBody[TimeOffCreate]
    ) -> TimeOffOut:
        ensure_lawyer_access(request.user, lawyer_id)
        return await add_time_off(request.user.email, lawyer_id, data)

    @get(
        "/{lawyer_id:uuid}/certificate",
        media_type=MediaType.JSON,
        operation_class=also_answering_in(MediaType.HTML),
    )
    async def certificate(
        self, request: Request, lawyer_id: FromPath[UUID], program_id: FromQuery[UUID]
    ) -> Response[CertificateOut]:
        """Completed sessions and minutes given; `Accept: text/html` gives a printable page."""
        ensure_lawyer_access(request.user, lawyer_id)
        issued = await certificate(lawyer_id, program_id, datetime.now(UTC))
        if request.accept.best_match([MediaType.JSON, MediaType.HTML]) == MediaType.HTML:
            return Response(certificate_html(issued), media_type=MediaType.HTML)
        return Response(issued)

    @post("/{lawyer_id:uuid}/conflicts")
    async def conflict(
        self, request: Request, lawyer_id: FromPath[UUID], data: JSONBody[ConflictCreate]
    ) -> ConflictOut:
        """Declare an enterprise (by credit code) this lawyer must never be matched with."""
        ensure_lawyer_access(request.user, lawyer_id)
        return await declare_conflict(request.user.email, lawyer_id, data)
