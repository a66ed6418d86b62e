"""Booking a session: every check with its own answer, then one transaction for the booking,
the ledger hold, the audit entry and the notices."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from models import audit_log, idempotency
from models.database import current_engine, for_update, retry_transient, write_transaction
from models.ledger_store import move_minutes
from models.tables import Booking, ConflictOfInterest, Enterprise, Lawyer, Program
from service.domain.booking_rules import cap_problem
from service.domain.booking_window import ProgramRules, service_minutes, start_problem
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.domain.ledger import EntryKind
from service.domain.practice_areas import PRACTICE_AREAS, area_match
from service.domain.slots import free_slots
from service.schemas import BookingCreate, BookingOut
from service.usecases.invites import invite_parties
from service.usecases.lawyer_calendars import load_calendars, month_of
from service.usecases.rows import one_row
from service.usecases.slot_search import (
    LAWYER_FIELDS,
    candidate_lawyers,
    enrolment_of,
    ranked_slots,
)

BOOKING_COLUMNS = (
    Booking.id,
    Booking.status,
    Booking.program.as_alias("program_id"),
    Booking.enterprise.as_alias("enterprise_id"),
    Booking.lawyer.as_alias("lawyer_id"),
    Booking.service,
    Booking.practice_area,
    Booking.starts_at.as_alias("start"),
    Booking.ends_at.as_alias("end"),
    Booking.duration_minutes,
    Booking.topic,
    Booking.notes,
    Booking.match_reason,
    Booking.sequence,
    Booking.minutes_used,
    Booking.status_reason,
    Booking.lawyer_partstat,
    Booking.enterprise_partstat,
    Booking.rating,
    Booking.comment,
    Booking.created_at,
    Booking.updated_at,
    Booking.program.timezone.as_alias("timezone"),
)
OVERLAP_REFUSED = (asyncpg.ExclusionViolationError, sqlite3.IntegrityError)


@dataclass(frozen=True)
class IdempotencyClaim:
    key: str
    request_hash: str


def booking_out(row: dict) -> BookingOut:
    """Times shown in the programme's zone, as the people booking think of them."""
    zone = ZoneInfo(row.pop("timezone"))
    row["start"] = row["start"].astimezone(zone)
    row["end"] = row["end"].astimezone(zone)
    return msgspec.convert(row, BookingOut)


async def get_booking(booking_id: UUID) -> BookingOut:
    row = await Booking.select(*BOOKING_COLUMNS).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound(f"no booking {booking_id}")
    return booking_out(row)


async def lock_lawyer(lawyer_id: UUID) -> dict:
    """Bookings of one lawyer take turns (PostgreSQL row lock; SQLite's write lock already
    serialises), so the monthly cap is checked against a total nobody else is changing."""
    query = Lawyer.select(
        *LAWYER_FIELDS, Lawyer.name, Lawyer.email, Lawyer.firm, Lawyer.active
    ).where(Lawyer.id == lawyer_id)
    lawyer = await for_update(query).first()
    if lawyer is None:
        raise NotFound(f"no lawyer {lawyer_id}")
    return lawyer


async def lock_for_change(booking_id: UUID, other_lawyer: UUID | None = None) -> dict:
    """Lock in the house order (lawyers by id, then the booking; the enrolment comes later in
    move_minutes), so concurrent changes queue instead of deadlocking."""
    row = await Booking.select(Booking.lawyer).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound(f"no booking {booking_id}")
    for lawyer_id in sorted({row["lawyer"], other_lawyer or row["lawyer"]}, key=str):
        await lock_lawyer(lawyer_id)
    return await locked_booking(booking_id)


async def locked_booking(booking_id: UUID) -> dict:
    return await one_row(Booking, booking_id, "booking", lock=True)


def check_qualified(lawyer: dict, practice_area: str) -> None:
    if not lawyer["active"]:
        raise Unprocessable(f"lawyer {lawyer['name']} is not taking sessions at the moment")
    if not area_match(practice_area, lawyer["practice_areas"]):
        raise Unprocessable(
            f"lawyer {lawyer['name']} does not practise {practice_area} "
            f"(practises {', '.join(lawyer['practice_areas'])})"
        )


async def check_no_conflict(lawyer: dict, credit_code: str) -> None:
    if await ConflictOfInterest.exists().where(
        (ConflictOfInterest.lawyer == lawyer["id"])
        & (ConflictOfInterest.credit_code == credit_code)
    ):
        raise Conflict(
            f"lawyer {lawyer['name']} has declared a conflict of interest with this enterprise"
        )


async def check_free(
    lawyer: dict,
    start: datetime,
    end: datetime,
    ignore_booking: UUID | None = None,
    within_monthly_offer: bool = True,
) -> None:
    """Free at [start, end) by rules, time off, busy time and sessions; within the month's offer."""
    duration = int((end - start).total_seconds() // 60)
    calendars, booked = await load_calendars(
        {lawyer["id"]: lawyer}, start, end, ignore_booking=ignore_booking
    )
    calendar = calendars[lawyer["id"]]
    if not free_slots(calendar, start, end, duration):
        if free_slots(replace(calendar, bookings=()), start, end, duration):
            raise Conflict(f"lawyer {lawyer['name']} is already booked at that time")
        raise Unprocessable(
            f"lawyer {lawyer['name']} is not available then: outside their published hours, "
            "on time off, busy or giving a seminar"
        )
    if within_monthly_offer and (
        problem := cap_problem(
            lawyer["monthly_cap_minutes"],
            booked[lawyer["id"]][month_of(start, lawyer["timezone"])],
            duration,
        )
    ):
        raise Conflict(problem)


async def check_lawyer_can_take(
    lawyer: dict,
    practice_area: str,
    credit_code: str,
    start: datetime,
    end: datetime,
    ignore_booking: UUID | None = None,
) -> None:
    """Qualified, no conflict, free at [start, end) and within the monthly offer."""
    check_qualified(lawyer, practice_area)
    await check_no_conflict(lawyer, credit_code)
    await check_free(lawyer, start, end, ignore_booking)


async def _best_lawyer(
    program_id: UUID, data: BookingCreate, credit_code: str, start, end
) -> tuple[UUID, str]:
    lawyers = await candidate_lawyers(data.practice_area, credit_code, None, None)
    duration = int((end - start).total_seconds() // 60)
    best = (
        await ranked_slots(program_id, data.practice_area, lawyers, start, end, duration, 1)
        if lawyers
        else []
    )
    if not best:
        raise Conflict(
            f"no lawyer practising {data.practice_area} is free at that time: "
            "search /api/v1/slots for open times"
        )
    return best[0].lawyer_id, best[0].reason


async def create_booking(
    actor: str, data: BookingCreate, now: datetime, claim: IdempotencyClaim | None = None
) -> BookingOut:
    duration = service_minutes(data.service)
    if data.practice_area not in PRACTICE_AREAS:
        raise Unprocessable(f"unknown practice area {data.practice_area!r}")
    program = await one_row(Program, data.program_id, "programme")
    enterprise = await one_row(Enterprise, data.enterprise_id, "enterprise")
    await enrolment_of(data.program_id, enterprise)
    start = data.start.astimezone(UTC)
    end = start + timedelta(minutes=duration)
    if problem := start_problem(now, start, end, ProgramRules.of(program)):
        raise Unprocessable(problem)
    lawyer_id, reason = data.lawyer_id, None
    if lawyer_id is None:
        lawyer_id, reason = await _best_lawyer(
            program["id"], data, enterprise["credit_code"], start, end
        )
    return await retry_transient(
        lambda: _book(actor, data, program, enterprise, lawyer_id, reason, start, end, claim)
    )


async def _book(
    actor: str,
    data: BookingCreate,
    program: dict,
    enterprise: dict,
    lawyer_id: UUID,
    reason: str | None,
    start: datetime,
    end: datetime,
    claim: IdempotencyClaim | None,
) -> BookingOut:
    duration = service_minutes(data.service)
    async with write_transaction(current_engine()):
        if claim is not None:
            await idempotency.claim(claim.key, claim.request_hash)
        lawyer = await lock_lawyer(lawyer_id)
        await check_lawyer_can_take(
            lawyer, data.practice_area, enterprise["credit_code"], start, end
        )
        enrolment = await enrolment_of(data.program_id, enterprise)
        booking_id = uuid4()
        # The hold comes first: it locks the enrolment row before the booking's foreign key
        # takes a share lock on it, so concurrent bookings of one enterprise queue, not deadlock.
        await move_minutes(enrolment["id"], EntryKind.HOLD, duration, actor, booking_id)
        booking = Booking(
            id=booking_id,
            program=program["id"],
            enterprise=enterprise["id"],
            enrolment=enrolment["id"],
            lawyer=lawyer_id,
            service=data.service,
            practice_area=data.practice_area,
            starts_at=start,
            ends_at=end,
            blocked_until=end + timedelta(minutes=lawyer["buffer_minutes"]),
            duration_minutes=duration,
            topic=data.topic,
            notes=data.notes,
            match_reason=reason,
            created_by=actor,
        )
        try:
            await booking.save()
        except OVERLAP_REFUSED:
            raise Conflict(f"lawyer {lawyer['name']} is already booked at that time") from None
        created = await get_booking(booking.id)
        await audit_log.record(actor, "booking.created", "booking", booking.id, after=created)
        await invite_parties("booking.confirmed", created, program, enterprise, lawyer)
        if claim is not None:
            await idempotency.remember(claim.key, 201, created)
    return created
