"""Group sessions: a seminar or case sharing with seats; each seat holds the attendee's minutes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import msgspec

from models import audit_log, idempotency
from models.database import current_engine, retry_transient, write_transaction
from models.ledger_store import move_minutes
from models.tables import Enterprise, Lawyer, Program, Seminar, SeminarRegistration
from service.domain import itip
from service.domain.booking_rules import cancellation_entry
from service.domain.booking_window import ProgramRules
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.domain.ledger import EntryKind
from service.domain.notices import SessionFacts
from service.domain.practice_areas import PRACTICE_AREAS
from service.schemas import RegistrationOut, SeminarCreate, SeminarOut
from service.usecases.bookings import IdempotencyClaim, check_free, check_qualified, lock_lawyer
from service.usecases.invites import invite, session_of
from service.usecases.paging import Page
from service.usecases.rows import one_row
from service.usecases.slot_search import enrolment_of

SEMINAR_COLUMNS = (
    Seminar.id,
    Seminar.program.as_alias("program_id"),
    Seminar.lawyer.as_alias("lawyer_id"),
    Seminar.service,
    Seminar.title,
    Seminar.practice_area,
    Seminar.starts_at.as_alias("start"),
    Seminar.ends_at.as_alias("end"),
    Seminar.capacity,
    Seminar.registered,
    Seminar.minutes_per_attendee,
    Seminar.sequence,
)
REGISTRATION_COLUMNS = (
    SeminarRegistration.id,
    SeminarRegistration.seminar.as_alias("seminar_id"),
    SeminarRegistration.enterprise.as_alias("enterprise_id"),
    SeminarRegistration.minutes,
    SeminarRegistration.status,
    SeminarRegistration.created_at,
)


async def _program_for(program_id: UUID | None, start: datetime) -> dict:
    """The named programme, or the one whose dates hold the session."""
    if program_id is not None:
        return await one_row(Program, program_id, "programme")
    programs = [
        program
        for program in await Program.select()
        if ProgramRules.of(program).opens <= start < ProgramRules.of(program).closes
    ]
    if len(programs) != 1:
        raise Unprocessable(
            f"{len(programs)} programmes run on that date: give program_id"
            if programs
            else "no programme runs on that date"
        )
    return programs[0]


async def create_seminar(actor: str, data: SeminarCreate, now: datetime) -> SeminarOut:
    start, end = data.start.astimezone(UTC), data.end.astimezone(UTC)
    if end <= start:
        raise Unprocessable("a seminar must end after it starts")
    if start <= now:
        raise Unprocessable("a seminar must start in the future")
    if data.practice_area not in PRACTICE_AREAS:
        raise Unprocessable(f"unknown practice area {data.practice_area!r}")
    program = await _program_for(data.program_id, start)
    seminar_id = uuid4()
    async with write_transaction(current_engine()):
        lawyer = await lock_lawyer(data.lawyer_id)
        check_qualified(lawyer, data.practice_area)
        # a seminar is not one-to-one time: it does not count against the monthly offer
        await check_free(lawyer, start, end, within_monthly_offer=False)
        await Seminar.insert(
            Seminar(
                id=seminar_id,
                program=program["id"],
                lawyer=lawyer["id"],
                service=data.service,
                title=data.title,
                practice_area=data.practice_area,
                starts_at=start,
                ends_at=end,
                capacity=data.capacity,
                minutes_per_attendee=data.minutes_per_attendee,
            )
        )
        created = await get_seminar(seminar_id)
        await audit_log.record(actor, "seminar.created", "seminar", seminar_id, after=created)
    return created


async def get_seminar(seminar_id: UUID) -> SeminarOut:
    row = await Seminar.select(*SEMINAR_COLUMNS).where(Seminar.id == seminar_id).first()
    if row is None:
        raise NotFound(f"no seminar {seminar_id}")
    return msgspec.convert(row, SeminarOut)


async def list_seminars(since: datetime, page: Page) -> list[SeminarOut]:
    rows = (
        await Seminar.select(*SEMINAR_COLUMNS)
        .where(Seminar.ends_at > since)
        .order_by(Seminar.starts_at)
        .limit(page.limit)
        .offset(page.offset)
    )
    return msgspec.convert(rows, list[SeminarOut])


async def register(
    actor: str,
    seminar_id: UUID,
    enterprise_id: UUID,
    now: datetime,
    claim: IdempotencyClaim | None = None,
) -> RegistrationOut:
    enterprise = await one_row(Enterprise, enterprise_id, "enterprise")
    return await retry_transient(lambda: _register(actor, seminar_id, enterprise, now, claim))


async def _register(
    actor: str, seminar_id: UUID, enterprise: dict, now: datetime, claim: IdempotencyClaim | None
) -> RegistrationOut:
    async with write_transaction(current_engine()):
        if claim is not None:
            await idempotency.claim(claim.key, claim.request_hash)
        # the seat count is the parent row: locking it makes "is there a seat?" a fair queue
        seminar = await one_row(Seminar, seminar_id, "seminar", lock=True)
        if seminar["starts_at"] <= now:
            raise Unprocessable("the seminar has already started")
        enrolment = await enrolment_of(seminar["program"], enterprise)
        if await SeminarRegistration.exists().where(
            (SeminarRegistration.seminar == seminar_id)
            & (SeminarRegistration.enterprise == enterprise["id"])
            & (SeminarRegistration.status == "registered")
        ):
            raise Conflict(f"enterprise {enterprise['name']!r} is already registered")
        if seminar["registered"] >= seminar["capacity"]:
            raise Conflict(f"the seminar is full ({seminar['capacity']} seats)")
        registration_id = uuid4()
        minutes = seminar["minutes_per_attendee"]
        await move_minutes(enrolment["id"], EntryKind.HOLD, minutes, actor, registration_id)
        await Seminar.update({Seminar.registered: Seminar.registered + 1}).where(
            Seminar.id == seminar_id
        )
        await SeminarRegistration.insert(
            SeminarRegistration(
                id=registration_id,
                seminar=seminar_id,
                enterprise=enterprise["id"],
                enrolment=enrolment["id"],
                minutes=minutes,
            )
        )
        created = await get_registration(registration_id)
        await audit_log.record(
            actor, "seminar.registered", "seminar_registration", registration_id, after=created
        )
        program = await Program.select().where(Program.id == seminar["program"]).first()
        lawyer = await Lawyer.select().where(Lawyer.id == seminar["lawyer"]).first()
        facts = SessionFacts(
            seminar["service"], seminar["practice_area"], seminar["starts_at"], seminar["ends_at"]
        )
        # one UID per seminar; each registrant's invite names the lawyer and themselves only
        contact = itip.Party(enterprise["contact_email"], enterprise["contact_name"])
        session = session_of(seminar_id, seminar["sequence"], facts, program, lawyer, (contact,))
        reader = (enterprise["contact_email"], program["timezone"], "zh", ())
        await invite("booking.confirmed", registration_id, session, [reader], program["mailbox"])
        if claim is not None:
            await idempotency.remember(claim.key, 201, created)
    return created


async def get_registration(registration_id: UUID) -> RegistrationOut:
    row = (
        await SeminarRegistration.select(*REGISTRATION_COLUMNS)
        .where(SeminarRegistration.id == registration_id)
        .first()
    )
    if row is None:
        raise NotFound(f"no registration {registration_id}")
    return msgspec.convert(row, RegistrationOut)


async def cancel_registration(
    actor: str, by_enterprise: bool, seminar_id: UUID, registration_id: UUID, now: datetime
) -> RegistrationOut:
    async with write_transaction(current_engine()):
        seminar = await one_row(Seminar, seminar_id, "seminar", lock=True)
        registration = await get_registration(registration_id)
        if registration.seminar_id != seminar_id:
            raise NotFound(f"no registration {registration_id} for seminar {seminar_id}")
        if registration.status != "registered":
            raise Conflict(f"the registration is {registration.status}; it cannot be cancelled")
        program = (
            await Program.select(Program.cancellation_notice_hours)
            .where(Program.id == seminar["program"])
            .first()
        )
        kind = cancellation_entry(
            by_enterprise, now, seminar["starts_at"], program["cancellation_notice_hours"]
        )
        enrolment = (
            await SeminarRegistration.select(SeminarRegistration.enrolment)
            .where(SeminarRegistration.id == registration_id)
            .first()
        )
        await move_minutes(
            enrolment["enrolment"], kind, registration.minutes, actor, registration_id
        )
        await SeminarRegistration.update({SeminarRegistration.status: "cancelled"}).where(
            SeminarRegistration.id == registration_id
        )
        await Seminar.update({Seminar.registered: Seminar.registered - 1}).where(
            Seminar.id == seminar_id
        )
        after = await get_registration(registration_id)
        await audit_log.record(
            actor,
            "seminar.registration_cancelled",
            "seminar_registration",
            registration_id,
            registration,
            after,
        )
    return after


async def complete_seminar(actor: str, seminar_id: UUID, now: datetime) -> SeminarOut:
    """After the session: every registered seat's minutes are used."""
    async with write_transaction(current_engine()):
        seminar = await one_row(Seminar, seminar_id, "seminar", lock=True)
        if now < seminar["starts_at"]:
            raise Unprocessable("the seminar has not started yet")
        registrations = await SeminarRegistration.select().where(
            (SeminarRegistration.seminar == seminar_id)
            & (SeminarRegistration.status == "registered")
        )
        for registration in registrations:
            await move_minutes(
                registration["enrolment"],
                EntryKind.USE,
                registration["minutes"],
                actor,
                registration["id"],
            )
        await SeminarRegistration.update({SeminarRegistration.status: "attended"}).where(
            (SeminarRegistration.seminar == seminar_id)
            & (SeminarRegistration.status == "registered")
        )
        await audit_log.record(
            actor,
            "seminar.completed",
            "seminar",
            seminar_id,
            after={"attended": len(registrations)},
        )
    return await get_seminar(seminar_id)
