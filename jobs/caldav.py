"""A lawyer's CalDAV calendar: read as one iCalendar file, and our sessions written into it.

One calendar-query REPORT (RFC 4791 §7.8) asks for the events touching a time window; the
server answers with one VCALENDAR per stored event (a recurring series stays one unexpanded
resource). They are merged into a single VCALENDAR so the same parser that reads uploads and
feeds expands and filters them (it leaves out our own sessions, "…@probono-hours", written
back here or accepted from an invite: the service counts those itself).

Write-back (`put_event`, `delete_event`) stores a session as `<booking id>.ics` in the
calendar collection; both are idempotent, so a retried delivery does no harm.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
from icalendar import Calendar

from jobs.feeds import FETCH_TIMEOUT_SECONDS
from models.tables import BusySource, OutboxMessage
from service.domain.busy_import import MAX_CALENDAR_BYTES, CalendarImportError
from service.secret_box import SealedSecretError, open_sealed
from service.usecases.busy_calendars import KEEP_AHEAD, KEEP_BEFORE
from service.usecases.invites import CALDAV_DELETE, CALDAV_PUT, caldav_rows, newer_rows

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
# The XML envelope, escaping and a VTIMEZONE per event make the answer larger than the
# merged calendar, which the parser still holds to MAX_CALENDAR_BYTES.
MAX_CALDAV_RESPONSE_BYTES = 2 * MAX_CALENDAR_BYTES
# UIDs of the events this service makes (sessions and seminars): never the lawyer's busy time
# Answers worth trying again soon: the server is busy, locked or briefly broken.
TRANSIENT_STATUSES = frozenset({408, 423, 425, 429})

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


class CalDavWriteError(Exception):
    """The calendar did not take a write. `transient` ones (network, 5xx, 423, 429) are worth
    trying again soon; the others need the lawyer to act (password, address, permissions)."""

    def __init__(self, detail: str, transient: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.transient = transient


async def write_back(row: dict[str, Any], secret_key: str) -> str:
    """Carry out one `caldav.put` / `caldav.delete` outbox row; says what happened, or raises
    CalDavWriteError.

    Rows for one booking and calendar can arrive out of order (a retried PUT after the
    cancel's DELETE went through): a row that a newer one for the same calendar supersedes is
    not carried out, since the newer one alone decides what the calendar shows.
    """
    payload = row["payload"]
    if newer_rows(row, await caldav_rows(row["subject_id"])):
        return "superseded by a later change to the session"
    source = (
        await BusySource.select()
        .where((BusySource.id == UUID(payload["source_id"])) & (BusySource.kind == "caldav"))
        .first()
    )
    if source is None:
        return "the calendar was unlinked: nothing to write"
    try:
        password = open_sealed(secret_key, source["secret"] or "")
    except SealedSecretError:
        raise CalDavWriteError(
            "the stored CalDAV password can no longer be read (the service's key changed): "
            "connect the calendar again",
            transient=False,
        ) from None
    url, username = source["url"], source["username"] or ""
    if row["kind"] == CALDAV_PUT:
        outcome = await put_event(url, username, password, payload["href_name"], payload["ics"])
    elif row["kind"] == CALDAV_DELETE:
        outcome = await delete_event(url, username, password, payload["href_name"])
    else:
        raise CalDavWriteError(f"unknown CalDAV write {row['kind']!r}", transient=False)
    if await reapply_overtaking(row, datetime.now(UTC)):
        outcome += "; a later change was delivered meanwhile and is written again"
    return outcome


async def reapply_overtaking(row: dict[str, Any], now: datetime) -> bool:
    """After `row` was written: if a newer row for the same calendar was delivered while this
    one was on its way, the server may have applied them in the wrong order; make the newest
    one due again so that it is applied last. True when one was."""
    delivered = [
        other
        for other in newer_rows(row, await caldav_rows(row["subject_id"]))
        if other["delivered_at"] is not None
    ]
    if not delivered:
        return False
    newest = delivered[-1]
    await OutboxMessage.update(
        {OutboxMessage.delivered_at: None, OutboxMessage.next_attempt_at: now}
    ).where(OutboxMessage.id == newest["id"])
    return True


def resource_url(calendar_url: str, href_name: str) -> str:
    """The resource `href_name` inside the calendar collection at `calendar_url`."""
    return f"{calendar_url.rstrip('/')}/{quote(href_name, safe='@')}"


async def put_event(
    calendar_url: str, username: str, password: str, href_name: str, ics: bytes | str
) -> str:
    """Store (or overwrite) the calendar object `href_name`; "stored", or "kept" when the
    calendar already holds an event with this UID under another name (the lawyer added the
    invitation from the e-mail, and their calendar application keeps that copy current)."""
    url = resource_url(calendar_url, href_name)
    body = ics.encode() if isinstance(ics, str) else ics
    headers = {"Content-Type": "text/calendar; charset=utf-8"}
    response = await _write("PUT", url, username, password, body, headers)
    if response.status_code in (200, 201, 204):
        return "stored"
    if response.status_code in (403, 409) and b"no-uid-conflict" in response.content:
        # RFC 4791 5.3.2.1: one UID per calendar; the one already there is the same session
        return "kept"
    raise _write_error("PUT", url, username, response.status_code, href_name)


async def delete_event(calendar_url: str, username: str, password: str, href_name: str) -> str:
    """Remove the calendar object `href_name`; "deleted", or "absent" when it is not there
    (deleted before, or never written): the outcome wanted either way."""
    url = resource_url(calendar_url, href_name)
    response = await _write("DELETE", url, username, password, None, {})
    if response.status_code in (200, 202, 204):
        return "deleted"
    if response.status_code in (404, 410):
        return "absent"
    raise _write_error("DELETE", url, username, response.status_code, href_name)


async def _write(
    method: str,
    url: str,
    username: str,
    password: str,
    body: bytes | None,
    headers: dict[str, str],
) -> httpx.Response:
    try:
        async with httpx.AsyncClient(
            timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True
        ) as client:
            return await client.request(
                method, url, content=body, headers=headers, auth=(username, password)
            )
    except httpx.HTTPError as error:
        raise CalDavWriteError(
            f"could not reach the CalDAV server at {url}: {error!r}", transient=True
        ) from None


def _write_error(
    method: str, url: str, username: str, status: int, href_name: str
) -> CalDavWriteError:
    if status >= 500 or status in TRANSIENT_STATUSES:
        return CalDavWriteError(
            f"the CalDAV server answered {status} to {method} {url}; trying again later",
            transient=True,
        )
    if status == 401:
        detail = (
            f"the CalDAV server refused the user name or password for {username}: "
            "connect the calendar again with the current password (or an app password)"
        )
    elif status == 403:
        detail = f"the CalDAV server does not let {username} write {href_name} into the calendar"
    elif status in (404, 409) and method == "PUT":
        detail = (
            f"there is no calendar at {url.rsplit('/', 1)[0]}/ to write into: "
            "connect the calendar again with its current address"
        )
    elif status == 412:
        detail = f"the CalDAV server refused {href_name} ({status}): too large, or not allowed"
    else:
        detail = f"the CalDAV server answered {status} to {method} {url}"
    return CalDavWriteError(detail, transient=False)
