"""A lawyer's service-hour certificate: completed sessions and seminars given in a programme."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from models.tables import Booking, Lawyer, Program, Seminar, SeminarRegistration
from service.domain.booking_rules import COMPLETED
from service.schemas import CertificateOut, CertificateSession
from service.usecases.rows import one_row


async def certificate(lawyer_id: UUID, program_id: UUID, now: datetime) -> CertificateOut:
    lawyer = await one_row(Lawyer, lawyer_id, "lawyer")
    program = await one_row(Program, program_id, "programme")
    zone = ZoneInfo(program["timezone"])
    bookings = await Booking.select(
        Booking.id, Booking.service, Booking.practice_area, Booking.starts_at, Booking.minutes_used
    ).where(
        (Booking.lawyer == lawyer_id)
        & (Booking.program == program_id)
        & (Booking.status == COMPLETED)
    )
    attended = (
        await SeminarRegistration.select(SeminarRegistration.seminar)
        .where(SeminarRegistration.status == "attended")
        .distinct()
    )
    seminars = (
        await Seminar.select().where(
            (Seminar.lawyer == lawyer_id)
            & (Seminar.program == program_id)
            & Seminar.id.is_in([row["seminar"] for row in attended])
        )
        if attended
        else []
    )
    sessions = [
        CertificateSession(
            "booking",
            b["id"],
            b["service"],
            b["practice_area"],
            b["starts_at"].astimezone(zone),
            b["minutes_used"],
        )
        for b in bookings
    ] + [
        CertificateSession(
            "seminar",
            s["id"],
            s["service"],
            s["practice_area"],
            s["starts_at"].astimezone(zone),
            int((s["ends_at"] - s["starts_at"]).total_seconds() // 60),
        )
        for s in seminars
    ]
    sessions.sort(key=lambda session: session.start)
    return CertificateOut(
        lawyer_id=lawyer_id,
        lawyer_name=lawyer["name"],
        firm=lawyer["firm"],
        license_no=lawyer["license_no"],
        program_id=program_id,
        program_name=program["name"],
        sessions=sessions,
        total_minutes=sum(session.minutes for session in sessions),
        issued_at=now,
    )
