"""Calendar invites by e-mail (iMIP): for every change a calendar shows, one outbox notice per
party carrying the iTIP object, written in the transaction of the change.

A lawyer who connected a CalDAV calendar also gets the session written into it (`caldav.put`)
and taken out again when it falls (`caldav.delete`), queued in the same transaction. Each row
names the calendar (`source_id`), the resource (`href_name`) and the booking's SEQUENCE; rows
for one booking and calendar may be delivered out of order or retried late, so a row that a
newer one (higher SEQUENCE) for the same booking and calendar supersedes is not carried out
(see `newer_rows`), and both operations are idempotent: PUT overwrites, DELETE of a missing
resource is done.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from icalendar import Calendar

from models import outbox
from models.tables import BusySource, Enterprise, Lawyer, OutboxMessage, Program
from service.domain import itip
from service.domain.notices import SessionFacts, booking_notice, preferred_language

REQUESTS = ("booking.confirmed", "booking.rescheduled")
CANCELS = ("booking.cancelled", "booking.declined")
CALDAV_PUT = "caldav.put"
CALDAV_DELETE = "caldav.delete"
CALDAV_KINDS = (CALDAV_PUT, CALDAV_DELETE)


def uid_of(subject_id) -> str:
    return f"{subject_id}@probono-hours"


def session_of(
    subject_id,
    sequence: int,
    facts: SessionFacts,
    program: dict,
    lawyer: dict,
    attendees: tuple[itip.Party, ...],
    cancelled: bool = False,
) -> itip.Session:
    return itip.Session(
        uid=uid_of(subject_id),
        sequence=sequence,
        start=facts.start,
        end=facts.end,
        timezone=program["timezone"],
        service=facts.service,
        practice_area=facts.practice_area,
        organizer=itip.Party(program["mailbox"], program["name"]),
        attendees=(itip.Party(lawyer["email"], lawyer["name"]), *attendees),
        location=lawyer.get("firm"),
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def booking_session(booking, program: dict, enterprise: dict, lawyer: dict) -> itip.Session:
    facts = SessionFacts(booking.service, booking.practice_area, booking.start, booking.end)
    contact = itip.Party(enterprise["contact_email"], enterprise["contact_name"])
    return session_of(
        booking.id,
        booking.sequence,
        facts,
        program,
        lawyer,
        (contact,),
        cancelled=booking.status not in ("confirmed", "held", "completed"),
    )


async def invite(
    kind: str,
    subject_id,
    session: itip.Session,
    readers: list[tuple[str, str, str, tuple[str, ...]]],
    sender: str,
) -> None:
    """Queue `kind` to each reader (e-mail, zone, language, extra lines) with the iTIP object."""
    now = datetime.now(UTC)
    if kind in REQUESTS:
        ics, method = itip.request(session, now), "REQUEST"
    else:
        ics, method = itip.cancel(session, now), "CANCEL"
    facts = SessionFacts(session.service, session.practice_area, session.start, session.end)
    for email, zone, language, extra_lines in readers:
        notice = booking_notice(kind, facts, sender, zone, language, extra_lines)
        await outbox.enqueue(
            kind, email, subject_id, notice | {"ics": ics.decode(), "method": method}
        )


async def invite_parties(
    kind: str,
    booking,
    program: dict,
    enterprise: dict,
    lawyer: dict,
    extra_for_enterprise: tuple[str, ...] = (),
) -> None:
    """The lawyer (their zone and language) and the enterprise's contact (programme zone)."""
    readers = [
        (lawyer["email"], lawyer["timezone"], preferred_language(lawyer["languages"]), ()),
        (enterprise["contact_email"], program["timezone"], "zh", extra_for_enterprise),
    ]
    session = booking_session(booking, program, enterprise, lawyer)
    await invite(kind, booking.id, session, readers, program["mailbox"])
    await mirror_to_caldav(kind, booking, session)


def calendar_resource(session: itip.Session, now: datetime) -> bytes:
    """The session as a CalDAV calendar object resource: the PUBLISH object (no attendees, so a
    scheduling server does not take it for an invitation to send) without its METHOD, which
    RFC 4791 4.1 forbids in a stored resource."""
    calendar = Calendar.from_ical(itip.publish(session, now))
    calendar.pop("METHOD", None)
    return calendar.to_ical()


def href_name(booking_id) -> str:
    return f"{booking_id}.ics"


async def caldav_rows(booking_id: UUID) -> list[dict[str, Any]]:
    """Every CalDAV write queued for a booking, oldest first, with its payload."""
    return (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.subject_id,
            OutboxMessage.payload,
            OutboxMessage.created_at,
            OutboxMessage.delivered_at,
        )
        .where(
            (OutboxMessage.subject_id == booking_id) & OutboxMessage.kind.is_in(list(CALDAV_KINDS))
        )
        .order_by(OutboxMessage.created_at)
        .output(load_json=True)
    )


def _position(row: dict[str, Any]) -> tuple[int, datetime]:
    return (int(row["payload"].get("sequence", 0)), row["created_at"])


def newer_rows(row: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows among `rows` for the same calendar as `row` that were queued for a later state
    of the booking (higher SEQUENCE; the later one on a tie)."""
    source_id = row["payload"].get("source_id")
    return [
        other
        for other in rows
        if other["id"] != row["id"]
        and other["payload"].get("source_id") == source_id
        and _position(other) > _position(row)
    ]


async def mirror_to_caldav(kind: str, booking, session: itip.Session) -> None:
    """Queue the CalDAV writes for a booking change, inside the change's transaction.

    A standing session goes into its lawyer's first connected CalDAV calendar; it is taken out
    of every calendar it was written into before and is no longer meant for (the session fell,
    or moved to another lawyer). A calendar unlinked since can no longer be written.
    """
    if kind not in REQUESTS and kind not in CANCELS:
        return
    written = {
        row["payload"].get("source_id")
        for row in await caldav_rows(booking.id)
        if row["kind"] == CALDAV_PUT
    }
    mine = BusySource.lawyer == booking.lawyer_id
    if written_ids := [UUID(source_id) for source_id in written if source_id]:
        mine = mine | BusySource.id.is_in(written_ids)
    calendars = (
        await BusySource.select(BusySource.id, BusySource.lawyer, BusySource.lawyer.email)
        .where((BusySource.kind == "caldav") & mine)
        .order_by(BusySource.created_at, BusySource.id)
    )
    owner = {str(row["id"]): row["lawyer.email"] for row in calendars}
    ours = [str(row["id"]) for row in calendars if str(row["lawyer"]) == str(booking.lawyer_id)]
    leave = {source_id for source_id in written if source_id in owner}
    base = {
        "uid": uid_of(booking.id),
        "href_name": href_name(booking.id),
        "sequence": booking.sequence,
    }
    if ours and kind in REQUESTS:
        ics = calendar_resource(session, datetime.now(UTC)).decode()
        await _queue(CALDAV_PUT, booking, ours[0], owner[ours[0]], base | {"ics": ics})
        leave.discard(ours[0])
    elif ours:
        leave.add(ours[0])
    for source_id in sorted(leave):
        await _queue(CALDAV_DELETE, booking, source_id, owner[source_id], base)


async def _queue(op: str, booking, source_id: str, recipient: str, payload: dict) -> None:
    await outbox.enqueue(
        op,
        recipient,  # the calendar owner's e-mail: a calendar's address can outgrow the column
        booking.id,
        payload | {"source_id": source_id},
        dedup_key=f"{op}:{booking.id}:{source_id}:{booking.sequence}",
    )


async def current_invite(booking) -> bytes:
    """The booking as a calendar object today: PUBLISH while it stands, CANCEL once it fell."""
    program = await Program.select().where(Program.id == booking.program_id).first()
    enterprise = await Enterprise.select().where(Enterprise.id == booking.enterprise_id).first()
    lawyer = await Lawyer.select().where(Lawyer.id == booking.lawyer_id).first()
    session = booking_session(booking, program, enterprise, lawyer)
    now = datetime.now(UTC)
    return (
        itip.cancel(session, now) if session.status == "CANCELLED" else itip.publish(session, now)
    )
