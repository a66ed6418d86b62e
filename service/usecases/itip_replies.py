"""Attendees' answers to our invites (iTIP REPLY, relayed by the mail gateway)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import Booking
from service.auth import Principal
from service.domain import itip
from service.domain.booking_rules import CONFIRMED
from service.schemas import ItipOutcome
from service.usecases.booking_lifecycle import decline

UID_SUFFIX = "@probono-hours"


def _booking_id(uid: str) -> UUID | None:
    try:
        return UUID(uid.removesuffix(UID_SUFFIX)) if uid.endswith(UID_SUFFIX) else None
    except ValueError:
        return None


async def apply_replies(
    principal: Principal, ics: bytes, now: datetime, waitlist_hold: timedelta
) -> list[ItipOutcome]:
    return [await _apply(principal, reply, now, waitlist_hold) for reply in itip.parse_reply(ics)]


async def _apply(
    principal: Principal, reply: itip.Reply, now: datetime, waitlist_hold: timedelta
) -> ItipOutcome:
    def outcome(kind: str, detail: str, booking_id: UUID | None = None) -> ItipOutcome:
        return ItipOutcome(
            reply.uid, reply.attendee_email, reply.partstat, kind, detail, booking_id
        )

    booking_id = _booking_id(reply.uid)
    booking = (
        await Booking.select(
            Booking.id,
            Booking.status,
            Booking.sequence,
            Booking.lawyer.email,
            Booking.enterprise.contact_email,
        )
        .where(Booking.id == booking_id)
        .first()
        if booking_id
        else None
    )
    if booking is None:
        return outcome("ignored", "no booking has this UID (a seminar or another system's event)")
    if reply.sequence < booking["sequence"]:
        return outcome("ignored", "the answer is to an older version of the invite", booking_id)
    if reply.attendee_email == booking["lawyer.email"].lower():
        if reply.partstat == "DECLINED" and booking["status"] == CONFIRMED:
            reason = reply.comment or "declined in the lawyer's calendar"
            await decline(principal.email, booking_id, reason, now, waitlist_hold)
            return outcome("declined", "the lawyer declined: minutes returned", booking_id)
        column = Booking.lawyer_partstat
    elif reply.attendee_email == booking["enterprise.contact_email"].lower():
        column = Booking.enterprise_partstat
    else:
        return outcome("ignored", "the answer is from someone not invited", booking_id)
    async with write_transaction(current_engine()):
        await Booking.update({column: reply.partstat}).where(Booking.id == booking_id)
        await audit_log.record(
            principal.email,
            "booking.partstat",
            "booking",
            booking_id,
            after={"attendee": reply.attendee_email, "partstat": reply.partstat},
        )
    return outcome("recorded", f"{reply.attendee_email} answered {reply.partstat}", booking_id)
