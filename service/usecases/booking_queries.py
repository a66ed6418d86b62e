"""Reading bookings, scoped to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from models.tables import Booking
from service.auth import ENTERPRISE, LAWYER, Principal
from service.domain.errors import Forbidden, NotFound
from service.schemas import BookingOut
from service.usecases.bookings import BOOKING_COLUMNS, booking_out
from service.usecases.paging import Page


@dataclass(frozen=True)
class BookingFilter:
    enterprise_id: UUID | None = None
    lawyer_id: UUID | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None


def party_of(principal: Principal, booking: BookingOut) -> str | None:
    """'admin', 'enterprise' or 'lawyer' when the caller is a party to the booking."""
    if principal.is_admin:
        return "admin"
    if principal.role == ENTERPRISE and principal.enterprise_id == booking.enterprise_id:
        return "enterprise"
    if principal.role == LAWYER and principal.lawyer_id == booking.lawyer_id:
        return "lawyer"
    return None


async def booking_for(principal: Principal, booking_id: UUID, *parties: str) -> BookingOut:
    """The booking when the caller is one of `parties` to it; 404 when they are no party at all."""
    row = await Booking.select(*BOOKING_COLUMNS).where(Booking.id == booking_id).first()
    booking = booking_out(row) if row else None
    party = party_of(principal, booking) if booking else None
    if party is None:
        raise NotFound(f"no booking {booking_id}")
    if parties and party not in parties:
        raise Forbidden(f"only the booking's {' or '.join(parties)} may do this")
    return booking


async def list_bookings(principal: Principal, where: BookingFilter, page: Page) -> list[BookingOut]:
    query = Booking.select(*BOOKING_COLUMNS)
    if principal.role == ENTERPRISE:
        query = query.where(Booking.enterprise == principal.enterprise_id)
    elif principal.role == LAWYER:
        query = query.where(Booking.lawyer == principal.lawyer_id)
    if where.enterprise_id:
        query = query.where(Booking.enterprise == where.enterprise_id)
    if where.lawyer_id:
        query = query.where(Booking.lawyer == where.lawyer_id)
    if where.start:
        query = query.where(Booking.ends_at > where.start)
    if where.end:
        query = query.where(Booking.starts_at < where.end)
    if where.status:
        query = query.where(Booking.status == where.status)
    rows = (
        await query.order_by(Booking.starts_at)
        .order_by(Booking.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [booking_out(row) for row in rows]
