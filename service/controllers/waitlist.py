from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from service.auth import BAR_ADMIN, ENTERPRISE, requires_role
from service.controllers.access import ensure_enterprise_access
from service.controllers.bookings import now
from service.schemas import BookingOut, WaitlistCreate, WaitlistOut
from service.usecases import waitlist


class WaitlistController(Controller):
    path = "/api/v1/waitlist"
    tags = ["bookings"]
    guards = [requires_role(BAR_ADMIN, ENTERPRISE)]

    @post("/")
    async def join(self, request: Request, data: JSONBody[WaitlistCreate]) -> WaitlistOut:
        """Wait for a time in [from, to); the first matching freed slot is held for you."""
        ensure_enterprise_access(request.user, data.enterprise_id)
        return await waitlist.join(request.user.email, data, now())

    @get("/{entry_id:uuid}")
    async def read(self, request: Request, entry_id: FromPath[UUID]) -> WaitlistOut:
        entry = await waitlist.get_entry(entry_id)
        ensure_enterprise_access(request.user, entry.enterprise_id)
        return entry

    @post("/{entry_id:uuid}/accept", status_code=200)
    async def accept(self, request: Request, entry_id: FromPath[UUID]) -> BookingOut:
        """Take the slot held for you: it becomes a confirmed booking."""
        ensure_enterprise_access(request.user, (await waitlist.get_entry(entry_id)).enterprise_id)
        return await waitlist.accept(request.user.email, entry_id, now())
