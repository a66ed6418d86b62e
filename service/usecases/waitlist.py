"""The waitlist: when a session is cancelled, the first enterprise waiting for such a time is
offered it, and the slot is held for them (a `held` booking) until they accept or it expires."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from models import audit_log, outbox
from models.database import current_engine, write_transaction
from models.ledger_store import move_minutes
from models.tables import Booking, Enterprise, Program, WaitlistEntry
from service.domain.booking_rules import CONFIRMED, EXPIRED, HELD, check_transition
from service.domain.booking_window import ProgramRules, bookable_window, service_minutes
from service.domain.errors import Conflict, DomainError, NotFound, Unprocessable
from service.domain.ledger import EntryKind
from service.domain.notices import SessionFacts, booking_notice
from service.domain.practice_areas import PRACTICE_AREAS
from service.schemas import BookingOut, WaitlistCreate, WaitlistOut
from service.usecases.bookings import (
    check_free,
    check_lawyer_can_take,
    check_no_conflict,
    check_qualified,
    get_booking,
    lock_for_change,
    lock_lawyer,
)
from service.usecases.invites import invite_parties
from service.usecases.rows import one_row
from service.usecases.slot_search import check_remaining, enrolment_of

WAITLIST_COLUMNS = (
    WaitlistEntry.id,
    WaitlistEntry.program.as_alias("program_id"),
    WaitlistEntry.enterprise.as_alias("enterprise_id"),
    WaitlistEntry.service,
    WaitlistEntry.practice_area,
    WaitlistEntry.window_start.as_alias("from"),
    WaitlistEntry.window_end.as_alias("to"),
    WaitlistEntry.status,
    WaitlistEntry.offered_booking.as_alias("offered_booking_id"),
    WaitlistEntry.created_at,
)


async def get_entry(entry_id: UUID) -> WaitlistOut:
    row = await WaitlistEntry.select(*WAITLIST_COLUMNS).where(WaitlistEntry.id == entry_id).first()
    if row is None:
        raise NotFound(f"no waitlist entry {entry_id}")
    return msgspec.convert(row, WaitlistOut)


async def join(actor: str, data: WaitlistCreate, now: datetime) -> WaitlistOut:
    if data.practice_area not in PRACTICE_AREAS:
        raise Unprocessable(f"unknown practice area {data.practice_area!r}")
    program = await one_row(Program, data.program_id, "programme")
    enterprise = await one_row(Enterprise, data.enterprise_id, "enterprise")
    check_remaining(
        await enrolment_of(data.program_id, enterprise), data.service, service_minutes(data.service)
    )
    if bookable_window(now, data.start, data.end, ProgramRules.of(program)) is None:
        raise Unprocessable("no part of that window can be booked: it is past, too soon or too far")
    entry = WaitlistEntry(
        program=data.program_id,
        enterprise=data.enterprise_id,
        service=data.service,
        practice_area=data.practice_area,
        window_start=data.start,
        window_end=data.end,
    )
    async with write_transaction(current_engine()):
        await entry.save()
        created = await get_entry(entry.id)
        await audit_log.record(actor, "waitlist.joined", "waitlist_entry", entry.id, after=created)
    return created


async def _try_offer(
    entry: dict, lawyer: dict, start: datetime, now: datetime, hold: timedelta
) -> bool:
    """Hold [start, start + the entry's service) for the entry's enterprise if it fits them."""
    end = start + timedelta(minutes=service_minutes(entry["service"]))
    if end > entry["window_end"]:
        return False
    enterprise = await Enterprise.select().where(Enterprise.id == entry["enterprise"]).first()
    try:
        check_qualified(lawyer, entry["practice_area"])
        await check_no_conflict(lawyer, enterprise["credit_code"])
        check_remaining(
            await enrolment_of(entry["program"], enterprise),
            entry["service"],
            service_minutes(entry["service"]),
        )
        await check_free(lawyer, start, end)
    except DomainError:
        return False
    program = await Program.select().where(Program.id == entry["program"]).first()
    enrolment = await enrolment_of(entry["program"], enterprise)
    booking_id = uuid4()
    await Booking.insert(
        Booking(
            id=booking_id,
            program=entry["program"],
            enterprise=enterprise["id"],
            enrolment=enrolment["id"],
            lawyer=lawyer["id"],
            service=entry["service"],
            practice_area=entry["practice_area"],
            starts_at=start,
            ends_at=end,
            blocked_until=end + timedelta(minutes=lawyer["buffer_minutes"]),
            duration_minutes=service_minutes(entry["service"]),
            status=HELD,
            hold_expires_at=now + hold,
            topic="waitlist offer",
            created_by="waitlist",
        )
    )
    await WaitlistEntry.update(
        {WaitlistEntry.status: "offered", WaitlistEntry.offered_booking: booking_id}
    ).where(WaitlistEntry.id == entry["id"])
    facts = SessionFacts(entry["service"], entry["practice_area"], start, end)
    await outbox.enqueue(
        "waitlist.offered",
        enterprise["contact_email"],
        entry["id"],
        booking_notice("waitlist.offered", facts, program["mailbox"], program["timezone"]),
    )
    await audit_log.record(
        "waitlist",
        "waitlist.offered",
        "waitlist_entry",
        entry["id"],
        after={"booking_id": booking_id, "until": now + hold},
    )
    return True


async def offer_freed_slot(
    program_id: UUID, lawyer_id: UUID, start: datetime, now: datetime, hold: timedelta
) -> None:
    """Inside the transaction that freed the time: offer it to the first one waiting for it."""
    if start < now:
        return
    lawyer = await lock_lawyer(lawyer_id)
    waiting = (
        await WaitlistEntry.select()
        .where(
            (WaitlistEntry.program == program_id)
            & (WaitlistEntry.status == "waiting")
            & (WaitlistEntry.window_start <= start)
            & (WaitlistEntry.window_end > start)
        )
        .order_by(WaitlistEntry.created_at)
    )
    for entry in waiting:
        if await _try_offer(entry, lawyer, start, now, hold):
            return


async def accept(actor: str, entry_id: UUID, now: datetime) -> BookingOut:
    """The enterprise takes the held slot: it becomes a confirmed booking holding its minutes."""
    async with write_transaction(current_engine()):
        entry = await WaitlistEntry.select().where(WaitlistEntry.id == entry_id).first()
        if entry is None:
            raise NotFound(f"no waitlist entry {entry_id}")
        if entry["status"] != "offered":
            raise Conflict(f"the waitlist entry is {entry['status']}; there is no offer to accept")
        booking = await lock_for_change(entry["offered_booking"])
        entry = await one_row(WaitlistEntry, entry_id, "waitlist entry", lock=True)
        if booking["status"] != HELD or booking["hold_expires_at"] <= now:
            raise Conflict("the offer has expired")
        check_transition(booking["status"], CONFIRMED)
        lawyer = await lock_lawyer(booking["lawyer"])
        enterprise = await Enterprise.select().where(Enterprise.id == entry["enterprise"]).first()
        await check_lawyer_can_take(
            lawyer,
            booking["practice_area"],
            enterprise["credit_code"],
            booking["starts_at"],
            booking["ends_at"],
            ignore_booking=booking["id"],
        )
        await move_minutes(
            booking["enrolment"], EntryKind.HOLD, booking["duration_minutes"], actor, booking["id"]
        )
        await Booking.update(
            {
                Booking.status: CONFIRMED,
                Booking.hold_expires_at: None,
                Booking.topic: "waitlist",
                Booking.created_by: actor,
                Booking.updated_at: now,
            }
        ).where(Booking.id == booking["id"])
        await WaitlistEntry.update({WaitlistEntry.status: "accepted"}).where(
            WaitlistEntry.id == entry_id
        )
        confirmed = await get_booking(booking["id"])
        await audit_log.record(
            actor, "waitlist.accepted", "booking", booking["id"], after=confirmed
        )
        program = await Program.select().where(Program.id == booking["program"]).first()
        await invite_parties("booking.confirmed", confirmed, program, enterprise, lawyer)
    return confirmed


async def expire_offers(now: datetime, hold: timedelta) -> int:
    """Lapse holds nobody accepted in time and offer the time to the next one waiting."""
    lapsed = await Booking.select(Booking.id).where(
        (Booking.status == HELD) & (Booking.hold_expires_at <= now)
    )
    for row in lapsed:
        async with write_transaction(current_engine()):
            booking = await lock_for_change(row["id"])
            if booking["status"] != HELD:
                continue
            await Booking.update({Booking.status: EXPIRED, Booking.updated_at: now}).where(
                Booking.id == booking["id"]
            )
            await WaitlistEntry.update({WaitlistEntry.status: "expired"}).where(
                WaitlistEntry.offered_booking == booking["id"]
            )
            await audit_log.record("waitlist", "waitlist.expired", "booking", booking["id"])
            await offer_freed_slot(
                booking["program"], booking["lawyer"], booking["starts_at"], now, hold
            )
    return len(lapsed)
