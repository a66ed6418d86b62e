"""When an enterprise may book: programme dates ∩ [now + notice, now + horizon] ∩ its request."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.domain.errors import Unprocessable

SERVICE_MINUTES = {"consultation": 60, "health_check": 120}
GROUP_SERVICES = ("seminar", "case_sharing")


def service_minutes(service: str) -> int:
    if service in GROUP_SERVICES:
        raise Unprocessable(f"{service} is a group session: register through /api/v1/seminars")
    if service not in SERVICE_MINUTES:
        raise Unprocessable(
            f"unknown service {service!r}: one of {', '.join([*SERVICE_MINUTES, *GROUP_SERVICES])}"
        )
    return SERVICE_MINUTES[service]


def bookable_window(
    now: datetime,
    requested_from: datetime,
    requested_to: datetime,
    program_starts_on: date,
    program_ends_on: date,
    program_timezone: str,
    min_notice_hours: int,
    horizon_days: int,
) -> tuple[datetime, datetime] | None:
    """The part of the requested window that can be booked now, or None when nothing can."""
    if requested_to <= requested_from:
        raise Unprocessable("`to` must be after `from`")
    zone = ZoneInfo(program_timezone)
    program_start = datetime.combine(program_starts_on, time(0), zone)
    program_end = datetime.combine(program_ends_on + timedelta(days=1), time(0), zone)
    start = max(requested_from, program_start, now + timedelta(hours=min_notice_hours))
    end = min(requested_to, program_end, now + timedelta(days=horizon_days))
    return (start, end) if start < end else None


def start_problem(
    now: datetime,
    start: datetime,
    end: datetime,
    program_starts_on: date,
    program_ends_on: date,
    program_timezone: str,
    min_notice_hours: int,
    horizon_days: int,
) -> str | None:
    """Why a session at [start, end) cannot be booked now, or None when it can."""
    zone = ZoneInfo(program_timezone)
    if start.astimezone(zone).date() < program_starts_on or end.astimezone(zone) > datetime.combine(
        program_ends_on + timedelta(days=1), time(0), zone
    ):
        return f"the programme runs from {program_starts_on} to {program_ends_on}"
    earliest = now + timedelta(hours=min_notice_hours)
    if start < earliest:
        return (
            f"bookings need {min_notice_hours} hours' notice: the earliest start is "
            f"{earliest.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    latest = now + timedelta(days=horizon_days)
    if start > latest:
        return (
            f"bookings open {horizon_days} days ahead: the latest start is "
            f"{latest.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    return None
