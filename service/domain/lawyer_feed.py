"""A lawyer's sessions as a subscribable iCalendar feed (RFC 5545, RFC 7986 names).

Pure: the caller loads the sessions and says what time it is. The feed carries what a
lawyer needs to turn up (when, which service, the practice area, the topic) and nothing of
the matter itself: no notes, no enterprise, no contact data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from service.domain.notices import SERVICE_NAMES
from service.domain.vtimezone import vtimezone

PRODID = "-//probono-hours//lawyer calendar feed//ZH-EN"
UID_DOMAIN = "probono-hours"
REFRESH = timedelta(hours=1)
CALENDAR_TITLE = "公益法律服务 / Pro-bono sessions"
STATUS = {"confirmed": "CONFIRMED", "held": "TENTATIVE"}


@dataclass(frozen=True)
class FeedSession:
    booking_id: UUID
    status: str  # "confirmed" or "held"
    service: str
    practice_area: str
    topic: str
    start: datetime  # aware
    end: datetime  # aware
    sequence: int
    updated_at: datetime | None = None


def session_uid(booking_id: UUID) -> str:
    """The one UID of a booking, shared by the feed and the invitations."""
    return f"{booking_id}@{UID_DOMAIN}"


def session_summary(session: FeedSession) -> str:
    chinese, english = SERVICE_NAMES.get(session.service, (session.service, session.service))
    label = f"{chinese} {english[:1].upper()}{english[1:]}"
    summary = f"{label} · {session.practice_area} · {session.topic}"
    if session.status == "held":
        summary = f"[暂留 / on hold] {summary}"
    return summary


def _duration(value: timedelta) -> vDuration:
    duration = vDuration(value)
    duration.params["VALUE"] = "DURATION"
    return duration


def build_lawyer_feed(
    lawyer_name: str, timezone: str, sessions: Iterable[FeedSession], now: datetime
) -> bytes:
    """The VCALENDAR as bytes, times in the lawyer's zone with a matching VTIMEZONE."""
    zone = ZoneInfo(timezone)
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        name=f"{CALENDAR_TITLE} — {lawyer_name}",
    )
    # Calendar.new gives the calendar a random UID (RFC 7986); one per fetch would only
    # make clients think the calendar changed identity, so it goes.
    calendar.pop("UID", None)
    # icalendar 7.3 writes REFRESH-INTERVAL without the VALUE=DURATION that RFC 7986
    # requires, and a bare timedelta on an X- property as "1:00:00": both set by hand.
    calendar.add("REFRESH-INTERVAL", _duration(REFRESH))
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("X-WR-TIMEZONE", timezone)
    sessions = list(sessions)
    days = [now.astimezone(zone).date()]
    days += [moment.astimezone(zone).date() for s in sessions for moment in (s.start, s.end)]
    # Always one VTIMEZONE (a VCALENDAR needs at least one component, even with no
    # sessions), spanning whole years so it stays the same from one refresh to the next.
    calendar.add_component(vtimezone(timezone, min(days).year, max(days).year))
    stamp = now.astimezone(UTC)
    for session in sessions:
        event = Event.new(
            uid=session_uid(session.booking_id),
            stamp=stamp,
            start=wall_clock(session.start, zone),
            end=wall_clock(session.end, zone),
            sequence=session.sequence,
            status=STATUS.get(session.status, "CONFIRMED"),
            summary=session_summary(session),
            transparency="OPAQUE",
        )
        if session.updated_at is not None:
            event.add("LAST-MODIFIED", session.updated_at.astimezone(UTC))
        calendar.add_component(event)
    return calendar.to_ical()


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time in the lawyer's zone; in UTC when that wall-clock time is the second
    of an autumn hour that happens twice (a TZID time means the first one, RFC 5545 3.3.5)."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local
