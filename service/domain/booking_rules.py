"""What may happen to a booking, and what each outcome does to the enterprise's minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.domain.errors import Conflict, Unprocessable
from service.domain.ledger import EntryKind

CONFIRMED = "confirmed"
HELD = "held"
COMPLETED = "completed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
DECLINED = "declined"
EXPIRED = "expired"
LIVE_STATUSES = (CONFIRMED, HELD)

NEXT_STATUSES = {
    CONFIRMED: {COMPLETED, NO_SHOW, CANCELLED, DECLINED},
    HELD: {CONFIRMED, EXPIRED, CANCELLED},
}


def check_transition(current: str, target: str) -> None:
    if target not in NEXT_STATUSES.get(current, set()):
        raise Conflict(f"the booking is {current}; it cannot become {target}")


def cancellation_entry(
    cancelled_by_enterprise: bool, now: datetime, starts_at: datetime, notice_hours: int
) -> EntryKind:
    """Minutes come back unless the enterprise cancels inside the notice period."""
    if cancelled_by_enterprise and starts_at - now < timedelta(hours=notice_hours):
        return EntryKind.FORFEIT
    return EntryKind.RELEASE


def completion_entries(duration_minutes: int, minutes_used: int) -> list[tuple[EntryKind, int]]:
    """The lawyer logs the time given: that much is used, the rest goes back."""
    if not 0 < minutes_used <= duration_minutes:
        raise Unprocessable(
            f"minutes_used must be between 1 and the {duration_minutes} minutes booked, "
            f"got {minutes_used}"
        )
    entries = [(EntryKind.USE, minutes_used)]
    if minutes_used < duration_minutes:
        entries.append((EntryKind.RELEASE, duration_minutes - minutes_used))
    return entries


def cap_problem(cap_minutes: int, booked_this_month: int, duration_minutes: int) -> str | None:
    if booked_this_month + duration_minutes > cap_minutes:
        return (
            f"the lawyer offers {cap_minutes} minutes a month and has {booked_this_month} "
            f"booked that month; this session needs {duration_minutes}"
        )
    return None
