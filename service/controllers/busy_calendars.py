from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath

from service.auth import requires_any_role
from service.controllers.access import ensure_lawyer_access
from service.domain.busy_import import MAX_CALENDAR_BYTES
from service.domain.errors import Unprocessable
from service.schemas import BusyCalendarOut, BusyFeedIn, CalDavIn
from service.usecases.busy_calendars import (
    import_upload,
    register_caldav,
    register_feed,
    request_refresh,
)

_FEED_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    title="ICS feed",
    description="A calendar feed link (https or webcal), fetched hourly.",
    properties={"url": Schema(type=OpenAPIType.STRING, format="uri", max_length=2000)},
    required=["url"],
    additional_properties=False,
)
_CALDAV_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    title="CalDAV calendar",
    description="A CalDAV calendar read hourly; the password is stored encrypted, never shown.",
    properties={
        "caldav_url": Schema(type=OpenAPIType.STRING, format="uri", max_length=2000),
        "username": Schema(type=OpenAPIType.STRING, min_length=1, max_length=200),
        "password": Schema(
            type=OpenAPIType.STRING,
            format="password",
            min_length=1,
            max_length=500,
            write_only=True,
        ),
    },
    required=["caldav_url", "username", "password"],
    additional_properties=False,
)
_LINK_SHAPES = (
    "send {'url': 'https://…'} for a feed link, or "
    "{'caldav_url': 'https://…', 'username': …, 'password': …} for a CalDAV calendar"
)


@dataclass
class IcsOrFeedOperation(Operation):
    """The body is read by hand, so tell OpenAPI about every shape it accepts."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=(
                "An iCalendar file (at most 2 MB), or a feed link or CalDAV calendar "
                "refreshed hourly."
            ),
            content={
                "text/calendar": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/json": OpenAPIMediaType(
                    schema=Schema(one_of=[_FEED_SCHEMA, _CALDAV_SCHEMA])
                ),
            },
        )


def _linked_calendar(body: bytes) -> BusyFeedIn | CalDavIn:
    """Which calendar a JSON body links: the keys present decide the shape."""
    try:
        fields = msgspec.json.decode(body, type=dict[str, Any])
    except msgspec.DecodeError:
        raise Unprocessable(f"the body is not a JSON object: {_LINK_SHAPES}") from None
    if "caldav_url" in fields:
        shape, needs = CalDavIn, "a CalDAV calendar needs caldav_url, username and password"
    elif "url" in fields:
        shape, needs = BusyFeedIn, "a feed link needs {'url': 'https://…'}"
    else:
        raise Unprocessable(_LINK_SHAPES)
    try:
        return msgspec.convert(fields, type=shape)
    except msgspec.ValidationError as error:
        # msgspec names the field and the rule, never the value, so no password is echoed.
        raise Unprocessable(f"{needs}: {error}") from None


class BusyCalendarController(Controller):
    path = "/api/v1/lawyers/{lawyer_id:uuid}/busy-calendars"
    tags = ["lawyers"]
    guards = [requires_any_role]

    @post("/", request_max_body_size=MAX_CALENDAR_BYTES * 2, operation_class=IcsOrFeedOperation)
    async def add(self, request: Request, lawyer_id: FromPath[UUID]) -> BusyCalendarOut:
        """Upload a busy calendar, or link a feed or CalDAV calendar; recurring events are
        expanded."""
        ensure_lawyer_access(request.user, lawyer_id)
        now = datetime.now(UTC)
        data = await request.body()
        if request.content_type[0] != "application/json":
            return await import_upload(request.user.email, lawyer_id, data, now)
        link = _linked_calendar(data)
        if isinstance(link, CalDavIn):
            secret_key = request.app.state.settings.secret_key
            return await register_caldav(request.user.email, lawyer_id, link, secret_key, now)
        return await register_feed(request.user.email, lawyer_id, link.url, now)

    @post("/{source_id:uuid}/refresh", status_code=202)
    async def refresh(
        self, request: Request, lawyer_id: FromPath[UUID], source_id: FromPath[UUID]
    ) -> BusyCalendarOut:
        """Fetch a linked feed or CalDAV calendar again now (asynchronously)."""
        ensure_lawyer_access(request.user, lawyer_id)
        return await request_refresh(lawyer_id, source_id, datetime.now(UTC))
