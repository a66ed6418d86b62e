from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.params import Body, FromPath

from service.auth import requires_any_role
from service.controllers.access import ensure_lawyer_access
from service.domain.busy_import import MAX_CALENDAR_BYTES
from service.domain.errors import Unprocessable
from service.schemas import BusyCalendarOut, BusyFeedIn
from service.usecases.busy_calendars import import_upload, register_feed, request_refresh

ICS_OR_FEED = Body(
    media_type="text/calendar",
    description=(
        "An iCalendar file (Content-Type: text/calendar, at most 2 MB), or JSON "
        '{"url": "https://…/basic.ics"} (Content-Type: application/json) for a feed '
        "that is fetched by a job and refreshed hourly."
    ),
)


class BusyCalendarController(Controller):
    path = "/api/v1/lawyers/{lawyer_id:uuid}/busy-calendars"
    tags = ["lawyers"]
    guards = [requires_any_role]

    @post("/", request_max_body_size=MAX_CALENDAR_BYTES * 2)
    async def add(
        self,
        request: Request,
        lawyer_id: FromPath[UUID],
        data: Annotated[bytes, ICS_OR_FEED],
    ) -> BusyCalendarOut:
        """Upload a busy calendar, or link a feed; recurring events are expanded."""
        ensure_lawyer_access(request.user, lawyer_id)
        now = datetime.now(UTC)
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
