"""Fetching a lawyer's ICS feed over HTTP, refusing anything over the size limit."""

from __future__ import annotations

import httpx

from service.domain.busy_import import MAX_CALENDAR_BYTES, CalendarImportError

FETCH_TIMEOUT_SECONDS = 20


async def fetch_feed(url: str) -> bytes:
    if url.startswith("webcal://"):
        url = "https://" + url.removeprefix("webcal://")
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True) as client,
            client.stream("GET", url, headers={"Accept": "text/calendar"}) as response,
        ):
            response.raise_for_status()
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_CALENDAR_BYTES:
                    raise CalendarImportError(
                        f"the feed at {url} is larger than {MAX_CALENDAR_BYTES // 2**20} MB"
                    )
            return bytes(body)
    except httpx.HTTPStatusError as error:
        raise CalendarImportError(
            f"the feed at {url} answered {error.response.status_code}: is the link still valid?"
        ) from None
    except httpx.HTTPError as error:
        raise CalendarImportError(f"could not fetch {url}: {error!r}") from None
