from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from models.idempotency import Replay
from service.auth import (
    BAR_ADMIN,
    ENTERPRISE,
    LAWYER,
    requires_admin,
    requires_any_role,
    requires_role,
)
from service.controllers.access import ensure_enterprise_access, ensure_lawyer_access, provide_page
from service.controllers.bookings import IdempotencyKeyHeader, idempotency_claim, now
from service.schemas import RegistrationCreate, RegistrationOut, SeminarCreate, SeminarOut
from service.usecases import seminars
from service.usecases.paging import Page


class SeminarController(Controller):
    path = "/api/v1/seminars"
    tags = ["seminars"]
    guards = [requires_any_role]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @post("/", guards=[requires_admin])
    async def create(self, request: Request, data: JSONBody[SeminarCreate]) -> SeminarOut:
        """A group session (seminar or case sharing) with a number of seats."""
        return await seminars.create_seminar(request.user.email, data, now())

    @get("/")
    async def list(self, page: NamedDependency[Page]) -> list[SeminarOut]:
        """Seminars that have not ended yet, soonest first."""
        return await seminars.list_seminars(now(), page)

    @get("/{seminar_id:uuid}")
    async def read(self, seminar_id: FromPath[UUID]) -> SeminarOut:
        return await seminars.get_seminar(seminar_id)

    @post("/{seminar_id:uuid}/registrations", guards=[requires_role(BAR_ADMIN, ENTERPRISE)])
    async def register(
        self,
        request: Request,
        seminar_id: FromPath[UUID],
        data: JSONBody[RegistrationCreate],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[RegistrationOut]:
        """Take a seat: holds the seminar's minutes from the enterprise's hours; 409 when full."""
        ensure_enterprise_access(request.user, data.enterprise_id)
        claim = idempotency_claim(request, idempotency_key, data)
        try:
            registration = await seminars.register(
                request.user.email, seminar_id, data.enterprise_id, now(), claim
            )
        except Replay as replay:
            return Response(replay.body, status_code=replay.status)
        return Response(registration, status_code=201)

    @post(
        "/{seminar_id:uuid}/registrations/{registration_id:uuid}/cancel",
        guards=[requires_role(BAR_ADMIN, ENTERPRISE)],
        status_code=200,
    )
    async def cancel_registration(
        self, request: Request, seminar_id: FromPath[UUID], registration_id: FromPath[UUID]
    ) -> RegistrationOut:
        registration = await seminars.get_registration(registration_id)
        ensure_enterprise_access(request.user, registration.enterprise_id)
        return await seminars.cancel_registration(
            request.user.email, request.user.role == ENTERPRISE, seminar_id, registration_id, now()
        )

    @post("/{seminar_id:uuid}/complete", guards=[requires_role(BAR_ADMIN, LAWYER)], status_code=200)
    async def complete(self, request: Request, seminar_id: FromPath[UUID]) -> SeminarOut:
        """After the session: every seat's minutes count as used."""
        ensure_lawyer_access(request.user, (await seminars.get_seminar(seminar_id)).lawyer_id)
        return await seminars.complete_seminar(request.user.email, seminar_id, now())
