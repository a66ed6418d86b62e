"""Calendar invites by e-mail (iMIP): for every change a calendar shows, one outbox notice per
party carrying the iTIP object, written in the transaction of the change."""

from __future__ import annotations

from datetime import UTC, datetime

from models import outbox
from models.tables import Enterprise, Lawyer, Program
from service.domain import itip
from service.domain.notices import SessionFacts, booking_notice, preferred_language

REQUESTS = ("booking.confirmed", "booking.rescheduled")
CANCELS = ("booking.cancelled", "booking.declined")


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
