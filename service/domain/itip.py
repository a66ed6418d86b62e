"""iTIP (RFC 5546) invitations for a session, and the replies that come back.

Pure: the caller says which session, who takes part and what time it is, and gets the bytes
of a text/calendar part; or hands over the bytes of a reply and gets back who said what.
An invitation carries what the parties need to turn up (when, where, which service and
practice area, who else comes) and nothing of the matter itself: no topic, no notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from service.domain.errors import Unprocessable
from service.domain.lawyer_feed import wall_clock
from service.domain.notices import SERVICE_NAMES
from service.domain.vtimezone import vtimezone

PRODID = "-//probono-hours//iTIP 1.0//EN"
REMINDER = timedelta(minutes=30)
STATUSES = frozenset({"CONFIRMED", "CANCELLED"})
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "NEEDS-ACTION"})

_MAILTO = re.compile(r"^\s*mailto:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Party:
    email: str
    name: str  # CN, may be Chinese


@dataclass(frozen=True)
class Session:
    uid: str  # "<booking_id>@probono-hours" or "<seminar_id>@probono-hours"
    sequence: int  # bumped by the caller on every change
    start: datetime  # aware
    end: datetime  # aware
    timezone: str  # IANA zone of DTSTART/DTEND (the programme's zone)
    service: str  # consultation | health_check | seminar | case_sharing
    practice_area: str
    organizer: Party  # the programme's mailbox
    attendees: tuple[Party, ...]  # lawyer first, then the enterprise contact(s)
    location: str | None = None  # the law firm, or a meeting link
    status: str = "CONFIRMED"  # CONFIRMED | CANCELLED


@dataclass(frozen=True)
class Reply:
    uid: str
    attendee_email: str  # lower-cased, without "mailto:"
    partstat: str  # ACCEPTED | DECLINED | TENTATIVE | DELEGATED | NEEDS-ACTION
    sequence: int
    comment: str | None


def summary(session: Session) -> str:
    """Service and practice area, e.g. "法律咨询 Consultation · trademark"; never the topic."""
    chinese, english = SERVICE_NAMES.get(session.service, (session.service, session.service))
    return f"{chinese} {english[:1].upper()}{english[1:]} · {session.practice_area}"


def request(session: Session, now: datetime) -> bytes:
    """METHOD:REQUEST, for a new session and for every change to it (same UID, higher SEQUENCE)."""
    if session.status != "CONFIRMED":
        raise ValueError(f"a REQUEST is for a confirmed session, not {session.status!r}")
    if not session.attendees:
        raise ValueError("a REQUEST needs at least one attendee")
    return _build("REQUEST", session, now, status="CONFIRMED", rsvp=True, alarm=True)


def cancel(session: Session, now: datetime) -> bytes:
    """METHOD:CANCEL of the whole session to every attendee, with the (already bumped) SEQUENCE."""
    return _build("CANCEL", session, now, status="CANCELLED", rsvp=False, alarm=False)


def publish(session: Session, now: datetime) -> bytes:
    """METHOD:PUBLISH, for an invite.ics download: the same event, but nothing to answer.

    RFC 5546 3.2.1 says a PUBLISH must not have attendees (a client that sees them offers to
    reply), so they are left out; the organizer stays. A cancelled session gets no alarm.
    """
    confirmed = session.status == "CONFIRMED"
    return _build(
        "PUBLISH", session, now, status=session.status, rsvp=False, alarm=confirmed, attendees=False
    )


def parse_reply(ics: bytes) -> list[Reply]:
    """The answers in an attendee's METHOD:REPLY, one per VEVENT and answering ATTENDEE.

    Raises Unprocessable, saying what is wrong, unless the bytes are an iCalendar object with
    METHOD:REPLY and at least one VEVENT that has a UID and an ATTENDEE with a PARTSTAT.
    """
    calendar = _read_calendar(ics)
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method != "REPLY":
        raise Unprocessable(
            f"The calendar object is METHOD:{method} where METHOD:REPLY was expected."
            if method
            else "The calendar object has no METHOD; a reply must be METHOD:REPLY."
        )
    events = calendar.walk("VEVENT")
    if not events:
        raise Unprocessable("The reply has no VEVENT.")
    replies: list[Reply] = []
    problems: list[str] = []
    for event in events:
        uid = str(event.get("UID", "")).strip()
        if not uid:
            problems.append("a VEVENT has no UID")
            continue
        sequence = _sequence(event, uid)
        comment = _comment(event)
        attendees = event.get("ATTENDEE")
        if attendees is None:
            problems.append(f"the VEVENT {uid} has no ATTENDEE")
            continue
        if not isinstance(attendees, list):
            attendees = [attendees]
        answered = False
        for attendee in attendees:
            partstat = str(attendee.params.get("PARTSTAT", "")).strip().upper()
            email = _MAILTO.sub("", str(attendee)).strip().lower()
            if not partstat or not email:
                continue
            # RFC 5545 3.2.12: a value one does not know is taken as NEEDS-ACTION
            partstat = partstat if partstat in PARTSTATS else "NEEDS-ACTION"
            replies.append(Reply(uid, email, partstat, sequence, comment))
            answered = True
        if not answered:
            problems.append(f"no ATTENDEE of the VEVENT {uid} has an address and a PARTSTAT")
    if not replies:
        raise Unprocessable(f"The reply answers nothing: {'; '.join(problems)}.")
    return replies


def _build(
    method: str,
    session: Session,
    now: datetime,
    *,
    status: str,
    rsvp: bool,
    alarm: bool,
    attendees: bool = True,
) -> bytes:
    _check(session, now)
    zone = ZoneInfo(session.timezone)
    calendar = Calendar.new(prodid=PRODID, calscale="GREGORIAN", method=method)
    # Calendar.new gives the calendar a random UID (RFC 7986): an invitation has one UID,
    # the event's, and bytes that change on every call are no use to anyone.
    calendar.pop("UID", None)
    start, end = wall_clock(session.start, zone), wall_clock(session.end, zone)
    # whole years, so that a reschedule within the year sends the same VTIMEZONE
    calendar.add_component(
        vtimezone(
            session.timezone, session.start.astimezone(zone).year, session.end.astimezone(zone).year
        )
    )
    title = summary(session)
    event = Event.new(
        uid=session.uid,
        sequence=session.sequence,
        stamp=now.astimezone(UTC),
        start=start,
        end=end,
        summary=title,
        status=status,
        transparency="OPAQUE",
        location=session.location or None,
        organizer=_address(session.organizer),
    )
    if attendees:
        # a REQUEST asks each attendee to answer; a CANCEL only says who it was for
        answer = {"partstat": "NEEDS-ACTION", "rsvp": True} if rsvp else {}
        for party in _distinct(session.attendees):
            event.add(
                "ATTENDEE",
                _address(party, cutype="INDIVIDUAL", role="REQ-PARTICIPANT", **answer),
            )
    if alarm:
        reminder = Alarm()
        reminder.add("ACTION", "DISPLAY")
        reminder.add("TRIGGER", -REMINDER)
        reminder.add("DESCRIPTION", f"30 分钟后开始 / Starts in 30 minutes: {title}")
        event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()


def _check(session: Session, now: datetime) -> None:
    for name, moment in (("start", session.start), ("end", session.end), ("now", now)):
        if moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime")
    if session.end <= session.start:
        raise ValueError("a session must end after it starts")
    if session.sequence < 0:
        raise ValueError("SEQUENCE cannot be negative")
    if not session.uid.strip() or _CONTROL.search(session.uid):
        raise ValueError(f"not a usable UID: {session.uid!r}")
    if session.status not in STATUSES:
        raise ValueError(f"STATUS is one of {sorted(STATUSES)}, not {session.status!r}")


def _email(address: str) -> str:
    email = _MAILTO.sub("", address).strip()
    if "@" not in email or any(c.isspace() or c in '"<>:;,' for c in email):
        raise ValueError(f"not an email address: {address!r}")
    return email


def _address(party: Party, **params) -> vCalAddress:
    # A DQUOTE cannot stand in a parameter value; icalendar would write RFC 6868 "^'", which
    # Outlook and vobject show as is, so it becomes an apostrophe. Line breaks become spaces.
    name = " ".join(_CONTROL.sub(" ", party.name).replace('"', "'").split())
    return vCalAddress.new(_email(party.email), cn=name or None, **params)


def _distinct(parties: tuple[Party, ...]) -> list[Party]:
    """Each address once, at its first place (the lawyer stays first)."""
    seen: set[str] = set()
    kept = []
    for party in parties:
        key = _email(party.email).lower()
        if key not in seen:
            seen.add(key)
            kept.append(party)
    return kept


def _read_calendar(ics: bytes) -> Calendar:
    try:
        text = ics.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unprocessable(f"The reply is not UTF-8 text: {error.reason}.") from None
    if "BEGIN:VCALENDAR" not in text.upper():
        raise Unprocessable("The reply is not an iCalendar object (no BEGIN:VCALENDAR).")
    try:
        calendar = Calendar.from_ical(text)
    except Exception as error:  # the parser's many ways of saying no: any is the sender's fault
        raise Unprocessable(f"The reply is not valid iCalendar: {error}.") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise Unprocessable("The reply is not an iCalendar object (no VCALENDAR).")
    return calendar


def _sequence(event: Event, uid: str) -> int:
    value = event.get("SEQUENCE")
    if value is None:
        return 0  # RFC 5546: SEQUENCE may be left out while it is 0
    try:
        sequence = int(str(value).strip())
    except ValueError:
        raise Unprocessable(f"The VEVENT {uid} has a SEQUENCE that is not a number.") from None
    if sequence < 0:
        raise Unprocessable(f"The VEVENT {uid} has a negative SEQUENCE.")
    return sequence


def _comment(event: Event) -> str | None:
    comments = event.get("COMMENT")
    if comments is None:
        return None
    if not isinstance(comments, list):
        comments = [comments]
    text = "\n".join(str(comment).strip() for comment in comments if str(comment).strip())
    return text or None
