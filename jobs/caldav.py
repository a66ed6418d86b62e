"""Reading a lawyer's CalDAV calendar as one iCalendar file.

One calendar-query REPORT (RFC 4791 §7.8) asks for the events touching a time window; the
server answers with one VCALENDAR per stored event (a recurring series stays one unexpanded
resource). They are merged into a single VCALENDAR so the same parser that reads uploads and
feeds expands and filters them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from typing import Any

import httpx
from icalendar import Calendar

from jobs.feeds import FETCH_TIMEOUT_SECONDS
from service.domain.busy_import import MAX_CALENDAR_BYTES, CalendarImportError
from service.secret_box import SealedSecretError, open_sealed
from service.usecases.busy_calendars import KEEP_AHEAD, KEEP_BEFORE

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
# The XML envelope, escaping and a VTIMEZONE per event make the answer larger than the
# merged calendar, which the parser still holds to MAX_CALENDAR_BYTES.
MAX_CALDAV_RESPONSE_BYTES = 2 * MAX_CALENDAR_BYTES

_CALENDAR_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start}" end="{end}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"""


async def fetch_caldav_source(source: dict[str, Any], secret_key: str, now: datetime) -> bytes:
    """A stored CalDAV source's events over the window the busy blocks are kept for."""
    try:
        password = open_sealed(secret_key, source["secret"] or "")
    except SealedSecretError:
        raise CalendarImportError(
            "the stored CalDAV password can no longer be read (the service's key changed): "
            "connect the calendar again"
        ) from None
    return await fetch_caldav(
        source["url"], source["username"] or "", password, now - KEEP_BEFORE, now + KEEP_AHEAD
    )


async def fetch_caldav(
    url: str, username: str, password: str, window_start: datetime, window_end: datetime
) -> bytes:
    """The events of the calendar at `url` that touch [window_start, window_end), as .ics bytes."""
    query = _CALENDAR_QUERY.format(start=_caldav_time(window_start), end=_caldav_time(window_end))
    answer = await _report(url, username, password, query.encode())
    return _merged_calendar(url, _calendar_data(url, answer))


def _caldav_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


async def _report(url: str, username: str, password: str, query: bytes) -> bytes:
    headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True) as client,
            client.stream(
                "REPORT", url, content=query, headers=headers, auth=(username, password)
            ) as response,
        ):
            _check_status(url, username, response.status_code)
            return await _limited_body(url, response)
    except httpx.HTTPError as error:
        raise CalendarImportError(
            f"could not reach the CalDAV server at {url}: {error!r}; is the address right?"
        ) from None


def _check_status(url: str, username: str, status: int) -> None:
    if status == 401:
        raise CalendarImportError(
            f"the CalDAV server refused the user name or password for {username}: "
            "connect the calendar again with the current password (or an app password)"
        )
    if status == 403:
        raise CalendarImportError(f"the CalDAV server does not let {username} read {url}")
    if status == 404:
        raise CalendarImportError(
            f"there is no calendar at {url}: use the calendar's own address, "
            "as the calendar application shows it"
        )
    if status >= 400:
        raise CalendarImportError(
            f"the CalDAV server at {url} answered {status}: is it a CalDAV calendar address?"
        )


async def _limited_body(url: str, response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_CALDAV_RESPONSE_BYTES:
            raise CalendarImportError(
                f"the calendar at {url} sent more than {MAX_CALDAV_RESPONSE_BYTES // 2**20} MB "
                "of events; link a calendar that holds only appointments"
            )
    return bytes(body)


def _calendar_data(url: str, answer: bytes) -> list[str]:
    """Every calendar-data text in a DAV multistatus answer."""
    # A multistatus never needs a DTD; refusing one rules out entity tricks in the parser.
    if b"<!DOCTYPE" in answer.upper():
        raise _not_caldav(url)
    try:
        root = ElementTree.fromstring(answer)
    except ElementTree.ParseError:
        raise _not_caldav(url) from None
    if root.tag != f"{DAV}multistatus":
        raise _not_caldav(url)
    return [
        element.text
        for element in root.iter(f"{CALDAV}calendar-data")
        if element.text and element.text.strip()
    ]


def _not_caldav(url: str) -> CalendarImportError:
    return CalendarImportError(
        f"the server at {url} did not answer like a CalDAV calendar: is the address right?"
    )


def _merged_calendar(url: str, texts: list[str]) -> bytes:
    """One VCALENDAR with every event, and each time zone definition once."""
    merged = Calendar()
    merged.add("PRODID", "-//probono-hours//CalDAV busy time//EN")
    merged.add("VERSION", "2.0")
    zone_ids: set[str] = set()
    for text in texts:
        for component in _resource(url, text).subcomponents:
            if component.name == "VEVENT":
                merged.add_component(component)
            elif component.name == "VTIMEZONE" and str(component.get("TZID")) not in zone_ids:
                zone_ids.add(str(component.get("TZID")))
                merged.add_component(component)
    return merged.to_ical()


def _resource(url: str, text: str) -> Calendar:
    # icalendar reports malformed input with several exception types.
    try:
        return Calendar.from_ical(text)
    except Exception:
        raise CalendarImportError(
            f"the calendar at {url} holds an event that is not valid iCalendar; "
            "open and save it again in the calendar application"
        ) from None
