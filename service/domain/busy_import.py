"""Busy time from a lawyer's calendar export or feed: iCalendar bytes in, UTC intervals out.

Only times leave this module. Summaries, descriptions, locations and attendees are read by
the parser but never copied into the result, because they are the lawyer's clients' secrets.

Time zones are resolved per file, not through icalendar's TZID cache: that cache is
process-wide and keeps the first VTIMEZONE it sees under a name, so one uploaded file could
otherwise decide how every later file's "Eastern Standard Time" or "Customized Time Zone"
is read.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component, Event, vDDDLists, vDDDTypes, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from service.domain.errors import Unprocessable

MAX_CALENDAR_BYTES = 2 * 1024 * 1024

_ZONED_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")
_TIME_PROPERTIES = {*_ZONED_PROPERTIES, "DURATION", "RRULE"}
# What expansion and the busy/free decision read; recurring-ical-events pairs overrides with
# their series by UID and prefers the higher SEQUENCE.
OWN_UID_SUFFIX = "@probono-hours"
_KEPT_PROPERTIES = {*_TIME_PROPERTIES, "UID", "SEQUENCE", "STATUS", "TRANSP"}
# dateutil walks every candidate instant from DTSTART on; per-second or per-minute rules
# from years back keep a worker busy for minutes, and no calendar application offers them.
_TOO_FREQUENT = {"SECONDLY", "MINUTELY"}
_BUSY_FREEBUSY_TYPES = {"BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"}
# recurring-ical-events compares floating and all-day times with the window by wall clock,
# which can be up to 14 hours away from UTC; ask for more and clip exactly afterwards.
_QUERY_MARGIN = timedelta(days=1)
_REASON_LENGTH = 120
# A folded line continues after CRLF and one space or tab (RFC 5545 3.1).
_LINE_FOLD = re.compile(rb"\r?\n[ \t]")

Interval = tuple[datetime, datetime]


class CalendarImportError(Unprocessable):
    """The file cannot be used; detail says what was wrong (a sentence a person can act on)."""

    title = "Calendar cannot be imported"


@dataclass(frozen=True)
class BusyBlock:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, > start


def busy_blocks(
    ics: bytes, window_start: datetime, window_end: datetime, default_timezone: str
) -> list[BusyBlock]:
    """Busy time in [window_start, window_end) (aware datetimes), sorted by start, overlapping or
    touching blocks merged, clipped to the window.

    Floating times and all-day events are read in `default_timezone`, the lawyer's own zone.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window_start and window_end must be timezone-aware")
    window = (window_start.astimezone(UTC), window_end.astimezone(UTC))
    home = zoneinfo.ZoneInfo(default_timezone)
    calendar = _parse(ics)
    _check_event_times(calendar)
    _keep_only_times(calendar)
    google_zone = _calendar_zone(calendar)
    _resolve_time_zones(calendar, fallback=google_zone or home)
    calendar = _without_x_wr_timezone(calendar, google_zone)
    intervals = [*_event_intervals(calendar, window, home), *_freebusy_intervals(calendar, home)]
    return _merged(_clipped(intervals, window))


def _parse(ics: bytes) -> Calendar:
    if len(ics) > MAX_CALENDAR_BYTES:
        raise CalendarImportError(
            f"the calendar file is {len(ics) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_CALENDAR_BYTES // 1024 // 1024} MB (export a shorter date range)"
        )
    try:
        # Some exporters fold lines inside a multi-byte character, so unfold before decoding.
        text = _LINE_FOLD.sub(b"", ics).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarImportError(
            "the calendar file is not UTF-8 text; export it again as an .ics file"
        ) from None
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarImportError(
            "the file holds no calendar (no BEGIN:VCALENDAR); export the calendar as an .ics file"
        )
    try:
        component = Calendar.from_ical(text)
    # icalendar reports malformed input with several exception types, depending on where
    # parsing gives up.
    except Exception as error:
        raise CalendarImportError(
            f"the file is not a valid iCalendar (.ics) file: {_reason(error)}"
        ) from None
    if component.name != "VCALENDAR":
        raise CalendarImportError(f"the file holds a {component.name}, not a calendar (VCALENDAR)")
    return component


def _reason(error: Exception) -> str:
    """The parser's message up to its first colon; after it, icalendar quotes the file."""
    return str(error).split(": ", 1)[0][:_REASON_LENGTH]


def _check_event_times(calendar: Calendar) -> None:
    """Refuse events whose times cannot be read: skipping them would hide busy time."""
    for event in calendar.walk("VEVENT"):
        for name, message in event.errors:
            if name in _TIME_PROPERTIES:
                raise CalendarImportError(
                    f"an event's {name} cannot be read ({message[:_REASON_LENGTH]})"
                )
        for rule in _as_list(event.get("RRULE")):
            _check_repetition(rule)


def _check_repetition(rule: vRecur) -> None:
    frequency = rule.get("FREQ", [None])[0]
    if frequency is None:
        raise CalendarImportError("a repeating event's RRULE has no FREQ, so it cannot be expanded")
    if frequency in _TOO_FREQUENT:
        raise CalendarImportError(
            f"a repeating event repeats {frequency.lower()}; only hourly or slower repetition "
            "can be imported"
        )
    if rule.get("INTERVAL", [1])[0] < 1:
        raise CalendarImportError("a repeating event's RRULE has an INTERVAL below 1")


def _keep_only_times(calendar: Calendar) -> None:
    """Forget what events are about, and events without DTSTART (nothing to block).

    Dropping the text early also makes expansion cheaper: every occurrence is a copy.
    """
    calendar.subcomponents = [
        component
        for component in calendar.subcomponents
        if component.name != "VEVENT" or "DTSTART" in component
    ]
    for event in calendar.walk("VEVENT"):
        for name in set(event) - _KEPT_PROPERTIES:
            del event[name]
        event.subcomponents = []  # alarms


def _calendar_zone(calendar: Calendar) -> tzinfo | None:
    """The zone Google names in X-WR-TIMEZONE, if it is one we know."""
    name = calendar.get("X-WR-TIMEZONE")
    return None if name is None else _named_zone(str(name))


@functools.cache
def _iana_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _named_zone(name: str) -> tzinfo | None:
    """The IANA zone for an IANA name, or for the Windows name Outlook writes as TZID.

    Evolution and Lightning prefix IANA names with a vendor path
    ("/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"), so suffixes count too.
    """
    key = name.strip().strip("/")
    parts = WINDOWS_TO_OLSON.get(key, key).split("/")
    for first in range(len(parts)):
        candidate = "/".join(parts[first:])
        if candidate in _iana_zone_names():
            return zoneinfo.ZoneInfo(candidate)
    return None


def _resolve_time_zones(calendar: Calendar, fallback: tzinfo) -> None:
    """Put every TZID-tagged event time into the zone this file means by that TZID.

    A name the tz database knows wins over the file's VTIMEZONE, which is a snapshot of
    current rules only; a VTIMEZONE decides custom names; an unknown name without one is
    read like a floating time.
    """
    definitions = {str(vtimezone["TZID"]): vtimezone for vtimezone in calendar.walk("VTIMEZONE")}

    @functools.cache
    def zone_for(tzid: str) -> tzinfo:
        zone = _named_zone(tzid)
        if zone is None and tzid in definitions:
            zone = _defined_zone(definitions[tzid])
        return zone or fallback

    for event in calendar.walk("VEVENT"):
        for prop in _zoned_properties(event):
            tzid = prop.params.get("TZID")
            if not tzid:
                continue
            if str(prop.params.get("VALUE", "")).upper() == "DATE":
                # icalendar reads a DATE with a TZID as local midnight; it still means whole days
                change = _as_day
            else:
                change = functools.partial(_in_zone, zone=zone_for(str(tzid)))
            for value in prop.dts:
                value.dt = _per_period_end(change, value.dt)


def _defined_zone(vtimezone: Component) -> tzinfo:
    try:
        return vtimezone.to_tz(lookup_tzid=False)
    except ValueError as error:
        raise CalendarImportError(
            f"the time zone {vtimezone['TZID']!r} defined in the file cannot be read "
            f"({_reason(error)})"
        ) from None


def _zoned_properties(event: Event) -> Iterator[vDDDTypes | vDDDLists]:
    for name in _ZONED_PROPERTIES:
        yield from _as_list(event.get(name))


def _per_period_end(change: Callable, value):
    """Apply `change` to a date or datetime, or to both ends of a period (RDATE;VALUE=PERIOD)."""
    if isinstance(value, tuple):
        return tuple(change(part) for part in value)
    return change(value)


def _in_zone(value, zone: tzinfo):
    """The same wall-clock time in `zone`."""
    return value.replace(tzinfo=zone) if isinstance(value, datetime) else value


def _as_day(value):
    return value.date() if isinstance(value, datetime) else value


def _without_x_wr_timezone(calendar: Calendar, zone: tzinfo | None) -> Calendar:
    """Apply Google's X-WR-TIMEZONE (resolved to `zone`) to UTC and floating times, then drop it.

    recurring_ical_events.of() applies it again by itself, and fails on a name that is not
    an IANA zone.
    """
    if zone is not None:
        calendar = x_wr_timezone.to_standard(calendar, timezone=zone)
    calendar.pop("X-WR-TIMEZONE", None)
    return calendar


def _event_intervals(calendar: Calendar, window: Interval, home: tzinfo) -> Iterator[Interval]:
    try:  # rules are compiled in of(), expanded in between()
        occurrences = recurring_ical_events.of(calendar).between(
            window[0] - _QUERY_MARGIN, window[1] + _QUERY_MARGIN
        )
    except ValueError as error:  # recurring-ical-events' InvalidCalendar, or dateutil's own
        raise CalendarImportError(
            f"a repeating event cannot be expanded ({_expansion_problem(error)[:_REASON_LENGTH]})"
        ) from None
    for occurrence in occurrences:
        if not _not_busy_elsewhere(occurrence):
            yield _instant(occurrence.start, home), _instant(occurrence.end, home)


def _expansion_problem(error: ValueError) -> str:
    if isinstance(error, recurring_ical_events.BadRuleStringFormat):
        return f"RRULE:{error.rule}"  # its message blames UNTIL whatever dateutil refused
    return str(error)


def _not_busy_elsewhere(event: Event) -> bool:
    """Free or cancelled time, or one of our own sessions mirrored into the lawyer's calendar
    (by CalDAV write-back or an accepted invite): the service already counts those itself."""
    return (
        str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
        or str(event.get("STATUS", "")).upper() == "CANCELLED"
        or str(event.get("UID", "")).strip().lower().endswith(OWN_UID_SUFFIX)
    )


def _freebusy_intervals(calendar: Calendar, home: tzinfo) -> Iterator[Interval]:
    for freebusy in calendar.walk("VFREEBUSY"):
        for period in _as_list(freebusy.get("FREEBUSY")):
            if str(period.params.get("FBTYPE", "BUSY")).upper() in _BUSY_FREEBUSY_TYPES:
                yield _instant(period.start, home), _instant(period.end, home)


def _instant(value: date | datetime, home: tzinfo) -> datetime:
    if not isinstance(value, datetime):  # all-day: from the lawyer's local midnight
        value = datetime.combine(value, time(), tzinfo=home)
    elif value.tzinfo is None:  # floating: the lawyer's wall clock
        value = value.replace(tzinfo=home)
    return value.astimezone(UTC)


def _clipped(intervals: Iterable[Interval], window: Interval) -> Iterator[Interval]:
    for start, end in intervals:
        start, end = max(start, window[0]), min(end, window[1])
        if start < end:
            yield start, end


def _merged(intervals: Iterable[Interval]) -> list[BusyBlock]:
    blocks: list[BusyBlock] = []
    for start, end in sorted(intervals):
        if blocks and start <= blocks[-1].end:
            if end > blocks[-1].end:
                blocks[-1] = BusyBlock(blocks[-1].start, end)
        else:
            blocks.append(BusyBlock(start, end))
    return blocks


def _as_list(value) -> list:
    """icalendar gives a repeated property as a list and a single one as itself."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
