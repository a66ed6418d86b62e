"""A lawyer's sessions as a calendar their own calendar app subscribes to, behind a secret
link (`?token=`): no bearer token, since Google, Apple and Outlook cannot send one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from msgspec import Struct

from service.auth import requires_any_role
from service.controllers.access import ensure_lawyer_access
from service.openapi_docs import PublicOperation
from service.usecases.calendar_feed import (
    calendar_token,
    feed_path,
    lawyer_feed,
    rotate_calendar_token,
)

# Litestar appends "; charset=utf-8" to text/* itself (and would append it twice)
FEED_MEDIA_TYPE = "text/calendar"


class CalendarFeedLink(Struct):
    feed_url: str


class CalendarFeedController(Controller):
    path = "/api/v1/lawyers"
    tags = ["lawyers"]

    @get(
        "/{lawyer_id:uuid}/calendar.ics",
        exclude_from_auth=True,
        media_type=FEED_MEDIA_TYPE,
        operation_class=PublicOperation,
    )
    async def feed(
        self,
        lawyer_id: FromPath[UUID],
        token: Annotated[str | None, QueryParameter(description="the secret from the link")] = None,
    ) -> Response[bytes]:
        """The lawyer's confirmed sessions (and held ones, as tentative) from 30 days ago on,
        as RFC 5545 for calendar subscriptions; only service, practice area and topic, never
        notes or the enterprise. An unknown lawyer and a wrong token both answer 404."""
        body = await lawyer_feed(lawyer_id, token, datetime.now(UTC))
        return Response(
            body,
            media_type=FEED_MEDIA_TYPE,
            headers={
                # the link is a secret and the feed changes: nobody keeps a copy
                "Cache-Control": "no-store, private",
                "Content-Disposition": f'inline; filename="probono-{lawyer_id}.ics"',
                "X-Robots-Tag": "noindex",
            },
        )

    @get("/{lawyer_id:uuid}/calendar-token", guards=[requires_any_role])
    async def link(self, request: Request, lawyer_id: FromPath[UUID]) -> CalendarFeedLink:
        """The lawyer's current feed link, to paste into a calendar app (a path on this host)."""
        ensure_lawyer_access(request.user, lawyer_id)
        return CalendarFeedLink(feed_path(lawyer_id, await calendar_token(lawyer_id)))

    @post("/{lawyer_id:uuid}/calendar-token", guards=[requires_any_role], status_code=200)
    async def rotate(self, request: Request, lawyer_id: FromPath[UUID]) -> CalendarFeedLink:
        """A new feed link; the old one stops working at once."""
        ensure_lawyer_access(request.user, lawyer_id)
        token = await rotate_calendar_token(request.user.email, lawyer_id)
        return CalendarFeedLink(feed_path(lawyer_id, token))
