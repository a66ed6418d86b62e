"""Load what the slot engine needs for many lawyers at once: a fixed handful of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Sum

from models.tables import AvailabilityRule as RuleRow
from models.tables import Booking, BusyBlock, Seminar, TimeOff
from service.domain.booking_rules import COMPLETED, LIVE_STATUSES
from service.domain.slots import Interval, LawyerCalendar
from service.usecases.availability import to_rule

COUNTED_STATUSES = (*LIVE_STATUSES, COMPLETED)  # what fills a lawyer's monthly offer
MONTH_MARGIN = timedelta(days=32)

Month = tuple[int, int]  # year, month in the lawyer's zone


async def _intervals(table, lawyer_ids: list[UUID], start: datetime, end: datetime) -> dict:
    """Rows of `table` overlapping [start, end), grouped per lawyer as Intervals."""
    rows = await table.select(table.lawyer, table.starts_at, table.ends_at).where(
        table.lawyer.is_in(lawyer_ids) & (table.starts_at < end) & (table.ends_at > start)
    )
    grouped: dict[UUID, list[Interval]] = defaultdict(list)
    for row in rows:
        grouped[row["lawyer"]].append(Interval(row["starts_at"], row["ends_at"]))
    return grouped


async def load_calendars(
    lawyers: dict[UUID, dict],
    window_start: datetime,
    window_end: datetime,
    ignore_booking: UUID | None = None,
) -> tuple[dict[UUID, LawyerCalendar], dict[UUID, dict[Month, int]]]:
    """Each lawyer's calendar over the window, and minutes booked per lawyer and month around it.

    `lawyers` rows carry id, timezone and buffer_minutes. `ignore_booking` leaves one booking
    out (a reschedule may move a session onto time it already occupies).
    """
    lawyer_ids = list(lawyers)
    rules: dict[UUID, list] = defaultdict(list)
    for row in await RuleRow.select().where(RuleRow.lawyer.is_in(lawyer_ids)):
        rules[row["lawyer"]].append(to_rule(row))
    time_off = await _intervals(TimeOff, lawyer_ids, window_start, window_end)
    busy = await _intervals(BusyBlock, lawyer_ids, window_start, window_end)
    seminars = await _intervals(Seminar, lawyer_ids, window_start, window_end)
    bookings = await Booking.select(
        Booking.id,
        Booking.lawyer,
        Booking.starts_at,
        Booking.ends_at,
        Booking.blocked_until,
        Booking.status,
        Booking.duration_minutes,
    ).where(
        Booking.lawyer.is_in(lawyer_ids)
        & Booking.status.is_in(list(COUNTED_STATUSES))
        & (Booking.starts_at < window_end + MONTH_MARGIN)
        & (Booking.blocked_until > window_start - MONTH_MARGIN)
    )
    live: dict[UUID, list[Interval]] = defaultdict(list)
    booked: dict[UUID, dict[Month, int]] = defaultdict(lambda: defaultdict(int))
    for booking in bookings:
        if booking["id"] == ignore_booking:
            continue
        lawyer_id = booking["lawyer"]
        month = month_of(booking["starts_at"], lawyers[lawyer_id]["timezone"])
        booked[lawyer_id][month] += booking["duration_minutes"]
        if booking["status"] in LIVE_STATUSES:
            live[lawyer_id].append(Interval(booking["starts_at"], booking["ends_at"]))
    calendars = {
        lawyer_id: LawyerCalendar(
            timezone=lawyer["timezone"],
            rules=tuple(rules[lawyer_id]),
            busy=(*time_off[lawyer_id], *busy[lawyer_id], *seminars[lawyer_id]),
            bookings=tuple(live[lawyer_id]),
            buffer_minutes=lawyer["buffer_minutes"],
        )
        for lawyer_id, lawyer in lawyers.items()
    }
    return calendars, booked


def month_of(start: datetime, timezone: str) -> Month:
    local = start.astimezone(ZoneInfo(timezone))
    return (local.year, local.month)


async def served_minutes(program_id: UUID, lawyer_ids: list[UUID]) -> dict[UUID, int]:
    """Minutes each lawyer has given or is booked to give in this programme (for fairness)."""
    if not lawyer_ids:
        return {}
    rows = (
        await Booking.select(Booking.lawyer, Sum(Booking.duration_minutes).as_alias("minutes"))
        .where(
            (Booking.program == program_id)
            & Booking.lawyer.is_in(lawyer_ids)
            & Booking.status.is_in([*LIVE_STATUSES, COMPLETED])
        )
        .group_by(Booking.lawyer)
    )
    return {row["lawyer"]: int(row["minutes"] or 0) for row in rows}
