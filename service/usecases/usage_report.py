"""Load what the usage report adds up: allocations, sessions and their ledger entries."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from models.ledger_store import BALANCE_COLUMNS
from models.tables import Booking, Enrolment, LedgerEntry, Program, SeminarRegistration
from service.domain.ledger import Balance, EntryKind
from service.domain.usage_report import Movement, Session, usage
from service.schemas import UsageReportOut
from service.usecases.rows import one_row


async def usage_report(program_id: UUID, group_by: str) -> UsageReportOut:
    program = await one_row(Program, program_id, "programme")
    zone = ZoneInfo(program["timezone"])
    labels: dict[str, str] = {}
    allocations = {}
    for row in await Enrolment.select(
        Enrolment.enterprise, Enrolment.enterprise.name.as_alias("name"), *BALANCE_COLUMNS
    ).where(Enrolment.program == program_id):
        enterprise = str(row.pop("enterprise"))
        labels[enterprise] = row.pop("name")
        allocations[enterprise] = Balance(**row)
    sessions = []
    for row in await _bookings(program_id) + await _seminar_seats(program_id):
        labels[str(row["lawyer"])] = row["lawyer_name"]
        sessions.append(
            Session(
                id=row["id"],
                enterprise=str(row["enterprise"]),
                lawyer=str(row["lawyer"]),
                practice_area=row["practice_area"],
                service=row["service"],
                month=f"{row['starts_at'].astimezone(zone):%Y-%m}",
                status=row["status"],
                rating=row.get("rating"),
            )
        )
    movements = [
        Movement(row["booking_id"], EntryKind(row["kind"]), row["minutes"])
        for row in await LedgerEntry.select(
            LedgerEntry.booking_id, LedgerEntry.kind, LedgerEntry.minutes
        ).where(
            (LedgerEntry.enrolment.program == program_id) & LedgerEntry.booking_id.is_not_null()
        )
    ]
    rows, total = usage(group_by, allocations, sessions, movements, labels)
    return UsageReportOut(program_id=program_id, group_by=group_by, rows=rows, total=total)


async def _bookings(program_id: UUID) -> list[dict]:
    return await Booking.select(
        Booking.id,
        Booking.enterprise,
        Booking.lawyer,
        Booking.lawyer.name.as_alias("lawyer_name"),
        Booking.practice_area,
        Booking.service,
        Booking.starts_at,
        Booking.status,
        Booking.rating,
    ).where(Booking.program == program_id)


async def _seminar_seats(program_id: UUID) -> list[dict]:
    seminar = SeminarRegistration.seminar
    return await SeminarRegistration.select(
        SeminarRegistration.id,
        SeminarRegistration.enterprise,
        seminar.lawyer.as_alias("lawyer"),
        seminar.lawyer.name.as_alias("lawyer_name"),
        seminar.practice_area.as_alias("practice_area"),
        seminar.service.as_alias("service"),
        seminar.starts_at.as_alias("starts_at"),
        SeminarRegistration.status,
    ).where(seminar.program == program_id)
