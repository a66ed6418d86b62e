from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath

from service.auth import requires_any_role
from service.controllers.access import ensure_lawyer_access
from service.domain.busy_import import MAX_CALENDAR_BYTES
from service.domain.errors import Unprocessable
from service.schemas import BusyCalendarOut, BusyFeedIn
from service.usecases.busy_calendars import import_upload, register_feed, request_refresh


@dataclass
class IcsOrFeedOperation(Operation):
    """The body is read by hand, so tell OpenAPI about both shapes it accepts."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="An iCalendar file (at most 2 MB), or a feed link refreshed hourly.",
            content={
                "text/calendar": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/json": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties={"url": Schema(type=OpenAPIType.STRING, format="uri")},
                        required=["url"],
                    )
                ),
            },
        )


class BusyCalendarController(Controller):
    path = "/api/v1/lawyers/{lawyer_id:uuid}/busy-calendars"
    tags = ["lawyers"]
    guards = [requires_any_role]

    @post("/", request_max_body_size=MAX_CALENDAR_BYTES * 2, operation_class=IcsOrFeedOperation)
    async def add(self, request: Request, lawyer_id: FromPath[UUID]) -> BusyCalendarOut:
        """Upload a busy calendar, or link a feed; recurring events are expanded."""
        ensure_lawyer_access(request.user, lawyer_id)
        now = datetime.now(UTC)
        data = await request.body()
        if request.content_type[0] == "application/json":
            try:
                feed = msgspec.json.decode(data, type=BusyFeedIn)
            except msgspec.ValidationError as error:
                raise Unprocessable(f"a feed link needs {{'url': 'https://…'}}: {error}") from None
            return await register_feed(request.user.email, lawyer_id, feed.url, now)
        return await import_upload(request.user.email, lawyer_id, data, now)

    @post("/{source_id:uuid}/refresh", status_code=202)
    async def refresh(
        self, request: Request, lawyer_id: FromPath[UUID], source_id: FromPath[UUID]
    ) -> BusyCalendarOut:
        """Fetch a linked feed again now (asynchronously)."""
        ensure_lawyer_access(request.user, lawyer_id)
        return await request_refresh(lawyer_id, source_id, datetime.now(UTC))
