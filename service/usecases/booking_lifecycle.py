"""After booking: cancel, decline, complete, no-show, reschedule, feedback. Each change moves
the ledger, bumps the invite SEQUENCE where the calendar shows it, and is audited, at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from models import audit_log
from models.database import current_engine, write_transaction
from models.ledger_store import move_minutes
from models.tables import Booking, Enterprise, Lawyer, Program
from service.auth import ENTERPRISE, Principal
from service.domain.booking_rules import (
    CANCELLED,
    COMPLETED,
    DECLINED,
    NO_SHOW,
    cancellation_entry,
    check_transition,
    completion_entries,
)
from service.domain.booking_window import ProgramRules, start_problem
from service.domain.errors import Conflict, Unprocessable
from service.domain.ledger import EntryKind
from service.schemas import BookingOut, FeedbackIn, RescheduleIn
from service.usecases.bookings import (
    OVERLAP_REFUSED,
    check_lawyer_can_take,
    get_booking,
    lock_for_change,
    lock_lawyer,
    locked_booking,
)
from service.usecases.invites import invite_parties
from service.usecases.slot_search import next_best_slots
from service.usecases.waitlist import offer_freed_slot


async def _context(booking: dict) -> tuple[dict, dict, dict]:
    program = await Program.select().where(Program.id == booking["program"]).first()
    enterprise = await Enterprise.select().where(Enterprise.id == booking["enterprise"]).first()
    lawyer = await Lawyer.select().where(Lawyer.id == booking["lawyer"]).first()
    return program, enterprise, lawyer


async def _settle(
    actor: str,
    booking_id: UUID,
    target: str,
    entries,
    changes: dict,
    notice: str | None = None,
    extra_for_enterprise: tuple[str, ...] = (),
) -> BookingOut:
    """Move a locked booking to `target`, write its ledger entries, audit and notify."""
    booking = await locked_booking(booking_id)
    before = await get_booking(booking_id)
    check_transition(booking["status"], target)
    for kind, minutes in entries(booking):
        await move_minutes(booking["enrolment"], kind, minutes, actor, booking_id)
    await Booking.update(
        {Booking.status: target, Booking.updated_at: datetime.now(UTC)}
        | {getattr(Booking, name): value for name, value in changes.items()}
    ).where(Booking.id == booking_id)
    after = await get_booking(booking_id)
    await audit_log.record(actor, f"booking.{target}", "booking", booking_id, before, after)
    if notice:
        await invite_parties(
            notice, after, *await _context(booking), extra_for_enterprise=extra_for_enterprise
        )
    return after


def _require_started(booking: dict, now: datetime, what: str) -> None:
    if now < booking["starts_at"]:
        raise Unprocessable(
            f"the session starts at {booking['starts_at']:%Y-%m-%d %H:%M} UTC; {what} after it"
        )


async def cancel(
    principal: Principal, booking_id: UUID, reason: str, now: datetime, waitlist_hold: timedelta
) -> BookingOut:
    async with write_transaction(current_engine()):
        program = (
            await Program.select(Program.cancellation_notice_hours)
            .where(Program.id == (await lock_for_change(booking_id))["program"])
            .first()
        )

        def entries(booking: dict):
            kind = cancellation_entry(
                principal.role == ENTERPRISE,
                now,
                booking["starts_at"],
                program["cancellation_notice_hours"],
            )
            return [(kind, booking["duration_minutes"])]

        cancelled = await _settle(
            principal.email,
            booking_id,
            CANCELLED,
            entries,
            {"status_reason": reason, "sequence": Booking.sequence + 1},
            "booking.cancelled",
        )
        await offer_to_waitlist(cancelled, now, waitlist_hold)
    return cancelled


async def decline(
    actor: str, booking_id: UUID, reason: str | None, now: datetime, waitlist_hold: timedelta
) -> BookingOut:
    async with write_transaction(current_engine()):
        booking = await lock_for_change(booking_id)
        program, enterprise, _ = await _context(booking)
        alternatives = await next_best_slots(
            program,
            enterprise,
            booking["service"],
            booking["practice_area"],
            now,
            exclude_lawyer=booking["lawyer"],
        )
        declined = await _settle(
            actor,
            booking_id,
            DECLINED,
            lambda booking: [(EntryKind.RELEASE, booking["duration_minutes"])],
            {
                "status_reason": reason,
                "sequence": Booking.sequence + 1,
                "lawyer_partstat": "DECLINED",
            },
            "booking.declined",
            alternatives_lines(alternatives, program["timezone"]),
        )
        await offer_to_waitlist(declined, now, waitlist_hold)
    return declined


def alternatives_lines(slots, zone: str) -> tuple[str, ...]:
    if not slots:
        return ()
    times = "; ".join(f"{slot.start.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" for slot in slots)
    return (f"其他可预约时段 / Other times you can book ({zone}): {times}",)


async def offer_to_waitlist(freed: BookingOut, now: datetime, hold: timedelta) -> None:
    await offer_freed_slot(freed.program_id, freed.lawyer_id, freed.start, now, hold)


async def complete(actor: str, booking_id: UUID, minutes_used: int, now: datetime) -> BookingOut:
    async with write_transaction(current_engine()):
        _require_started(await lock_for_change(booking_id), now, "log the time")
        return await _settle(
            actor,
            booking_id,
            COMPLETED,
            lambda booking: completion_entries(booking["duration_minutes"], minutes_used),
            {"minutes_used": minutes_used},
        )


async def no_show(actor: str, booking_id: UUID, now: datetime) -> BookingOut:
    async with write_transaction(current_engine()):
        _require_started(await lock_for_change(booking_id), now, "record a no-show")
        return await _settle(
            actor,
            booking_id,
            NO_SHOW,
            lambda booking: [(EntryKind.FORFEIT, booking["duration_minutes"])],
            {},
        )


async def leave_feedback(actor: str, booking_id: UUID, data: FeedbackIn) -> BookingOut:
    async with write_transaction(current_engine()):
        booking = await locked_booking(booking_id)
        if booking["status"] != COMPLETED:
            raise Conflict(f"the booking is {booking['status']}; feedback comes after completion")
        if booking["rating"] is not None:
            raise Conflict("feedback for this session was already given")
        await Booking.update({Booking.rating: data.rating, Booking.comment: data.comment}).where(
            Booking.id == booking_id
        )
        after = await get_booking(booking_id)
        await audit_log.record(
            actor, "booking.feedback", "booking", booking_id, after={"rating": data.rating}
        )
    return after


async def reschedule(actor: str, booking_id: UUID, data: RescheduleIn, now: datetime) -> BookingOut:
    """Move the same booking; the old time is only freed if the new one is taken."""
    async with write_transaction(current_engine()):
        booking = await lock_for_change(booking_id, data.lawyer_id)
        if booking["status"] != "confirmed":
            raise Conflict(f"the booking is {booking['status']}; only a confirmed one can move")
        program, enterprise, _ = await _context(booking)
        start = data.start.astimezone(UTC)
        end = start + timedelta(minutes=booking["duration_minutes"])
        if problem := start_problem(now, start, end, ProgramRules.of(program)):
            raise Unprocessable(problem)
        lawyer = await lock_lawyer(data.lawyer_id or booking["lawyer"])
        await check_lawyer_can_take(
            lawyer,
            booking["practice_area"],
            enterprise["credit_code"],
            start,
            end,
            ignore_booking=booking_id,
        )
        before = await get_booking(booking_id)
        try:
            await Booking.update(
                {
                    Booking.lawyer: lawyer["id"],
                    Booking.starts_at: start,
                    Booking.ends_at: end,
                    Booking.blocked_until: end + timedelta(minutes=lawyer["buffer_minutes"]),
                    Booking.sequence: Booking.sequence + 1,
                    Booking.lawyer_partstat: "NEEDS-ACTION",
                    Booking.updated_at: datetime.now(UTC),
                }
            ).where(Booking.id == booking_id)
        except OVERLAP_REFUSED:
            raise Conflict(f"lawyer {lawyer['name']} is already booked at that time") from None
        after = await get_booking(booking_id)
        await audit_log.record(actor, "booking.rescheduled", "booking", booking_id, before, after)
        await invite_parties("booking.rescheduled", after, program, enterprise, lawyer)
    return after
