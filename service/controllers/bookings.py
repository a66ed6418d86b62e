from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from models import outbox
from models.idempotency import Replay
from service.auth import BAR_ADMIN, ENTERPRISE, requires_any_role, requires_role
from service.controllers.access import ensure_enterprise_access, provide_page
from service.domain.instants import Instant, plain
from service.schemas import (
    BookingCreate,
    BookingOut,
    BookingStatus,
    CancelIn,
    CompleteIn,
    FeedbackIn,
    MessageOut,
    RescheduleIn,
)
from service.usecases import booking_lifecycle as lifecycle
from service.usecases.booking_queries import BookingFilter, booking_for, list_bookings
from service.usecases.bookings import IdempotencyClaim, create_booking
from service.usecases.invites import current_invite
from service.usecases.paging import Page

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key", max_length=200, description="replays return the first response"
    ),
]


def now() -> datetime:
    return datetime.now(UTC)


def waitlist_hold(request: Request) -> timedelta:
    """How long a freed slot is kept for the first enterprise on the waitlist."""
    return timedelta(minutes=request.app.state.settings.waitlist_hold_minutes)


def idempotency_claim(
    request: Request, key: str | None, data: msgspec.Struct
) -> IdempotencyClaim | None:
    if key is None:
        return None
    body_hash = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    return IdempotencyClaim(f"{request.user.id}:{key}", body_hash)


class BookingController(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    guards = [requires_any_role]
    dependencies = {"page": Provide(provide_page, sync_to_thread=False)}

    @post("/", guards=[requires_role(BAR_ADMIN, ENTERPRISE)])
    async def create(
        self,
        request: Request,
        data: JSONBody[BookingCreate],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[BookingOut]:
        """Book a consultation or health check; without lawyer_id the best free lawyer is chosen."""
        ensure_enterprise_access(request.user, data.enterprise_id)
        claim = idempotency_claim(request, idempotency_key, data)
        try:
            booking = await create_booking(request.user.email, data, now(), claim)
        except Replay as replay:
            return Response(replay.body, status_code=replay.status)
        return Response(booking, status_code=201)

    @get("/")
    async def list(
        self,
        request: Request,
        page: NamedDependency[Page],
        enterprise_id: Annotated[UUID | None, QueryParameter()] = None,
        lawyer_id: Annotated[UUID | None, QueryParameter()] = None,
        window_start: Annotated[Instant | None, QueryParameter(name="from")] = None,
        window_end: Annotated[Instant | None, QueryParameter(name="to")] = None,
        status: Annotated[BookingStatus | None, QueryParameter()] = None,
    ) -> list[BookingOut]:
        """Bookings the caller may see: an enterprise its own, a lawyer theirs, an admin all."""
        where = BookingFilter(
            enterprise_id, lawyer_id, plain(window_start), plain(window_end), status
        )
        return await list_bookings(request.user, where, page)

    @get("/{booking_id:uuid}")
    async def read(self, request: Request, booking_id: FromPath[UUID]) -> BookingOut:
        return await booking_for(request.user, booking_id)

    @get("/{booking_id:uuid}/invite.ics", media_type="text/calendar")
    async def invite(self, request: Request, booking_id: FromPath[UUID]) -> Response[bytes]:
        """The booking's current iCalendar object (UID stable, SEQUENCE current)."""
        booking = await booking_for(request.user, booking_id)
        return Response(
            await current_invite(booking),
            media_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'},
        )

    @get("/{booking_id:uuid}/messages", guards=[requires_role(BAR_ADMIN)])
    async def messages(self, booking_id: FromPath[UUID]) -> list[MessageOut]:
        """Every notice about the booking: recipient, kind, attempts, last error, delivery."""
        return msgspec.convert(await outbox.messages_about(booking_id), list[MessageOut])

    @post("/{booking_id:uuid}/cancel", status_code=200)
    async def cancel(
        self, request: Request, booking_id: FromPath[UUID], data: JSONBody[CancelIn]
    ) -> BookingOut:
        """Minutes come back unless the enterprise cancels inside the programme's notice period."""
        await booking_for(request.user, booking_id)
        return await lifecycle.cancel(
            request.user, booking_id, data.reason, now(), waitlist_hold(request)
        )

    @post("/{booking_id:uuid}/decline", status_code=200)
    async def decline(
        self, request: Request, booking_id: FromPath[UUID], data: JSONBody[CancelIn]
    ) -> BookingOut:
        """The lawyer cannot take the session: it is declined and the minutes come back."""
        await booking_for(request.user, booking_id, "lawyer", "admin")
        return await lifecycle.decline(
            request.user.email, booking_id, data.reason, now(), waitlist_hold(request)
        )

    @post("/{booking_id:uuid}/reschedule", status_code=200)
    async def reschedule(
        self, request: Request, booking_id: FromPath[UUID], data: JSONBody[RescheduleIn]
    ) -> BookingOut:
        await booking_for(request.user, booking_id)
        return await lifecycle.reschedule(request.user.email, booking_id, data, now())

    @post("/{booking_id:uuid}/complete", status_code=200)
    async def complete(
        self, request: Request, booking_id: FromPath[UUID], data: JSONBody[CompleteIn]
    ) -> BookingOut:
        """The lawyer logs the minutes given; unused minutes go back to the enterprise."""
        await booking_for(request.user, booking_id, "lawyer", "admin")
        return await lifecycle.complete(request.user.email, booking_id, data.minutes_used, now())

    @post("/{booking_id:uuid}/no-show", status_code=200)
    async def no_show(self, request: Request, booking_id: FromPath[UUID]) -> BookingOut:
        await booking_for(request.user, booking_id, "lawyer", "admin")
        return await lifecycle.no_show(request.user.email, booking_id, now())

    @post("/{booking_id:uuid}/feedback", status_code=200)
    async def feedback(
        self, request: Request, booking_id: FromPath[UUID], data: JSONBody[FeedbackIn]
    ) -> BookingOut:
        await booking_for(request.user, booking_id, "enterprise")
        return await lifecycle.leave_feedback(request.user.email, booking_id, data)
