from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from service.auth import requires_admin
from service.controllers.bookings import now, waitlist_hold
from service.schemas import ItipOutcome
from service.usecases.itip_replies import apply_replies

MAX_REPLY_BYTES = 256 * 1024


@dataclass
class CalendarBodyOperation(Operation):
    """The body is an iCalendar object read by hand: describe it to OpenAPI."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="An iTIP METHOD:REPLY object, as an attendee's calendar sent it.",
            content={"text/calendar": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
        )


@post(
    "/api/v1/itip",
    guards=[requires_admin],
    tags=["bookings"],
    status_code=200,
    operation_class=CalendarBodyOperation,
    request_max_body_size=MAX_REPLY_BYTES,
)
async def itip_reply(request: Request) -> list[ItipOutcome]:
    """Record attendees' answers; a lawyer's DECLINED declines the booking (minutes back)."""
    return await apply_replies(request.user, await request.body(), now(), waitlist_hold(request))
