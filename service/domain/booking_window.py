"""When an enterprise may book: programme dates ∩ [now + notice, now + horizon] ∩ its request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
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


@dataclass(frozen=True)
class ProgramRules:
    """The parts of a programme that decide when sessions may be booked."""

    starts_on: date
    ends_on: date
    timezone: str
    min_notice_hours: int
    horizon_days: int

    @classmethod
    def of(cls, program: Mapping[str, Any]) -> ProgramRules:
        return cls(*(program[name] for name in cls.__dataclass_fields__))

    @property
    def opens(self) -> datetime:
        return datetime.combine(self.starts_on, time(0), ZoneInfo(self.timezone))

    @property
    def closes(self) -> datetime:
        return datetime.combine(self.ends_on + timedelta(days=1), time(0), ZoneInfo(self.timezone))


def bookable_window(
    now: datetime, requested_from: datetime, requested_to: datetime, rules: ProgramRules
) -> tuple[datetime, datetime] | None:
    """The part of the requested window that can be booked now, or None when nothing can."""
    if requested_to <= requested_from:
        raise Unprocessable("`to` must be after `from`")
    start = max(requested_from, rules.opens, now + timedelta(hours=rules.min_notice_hours))
    end = min(requested_to, rules.closes, now + timedelta(days=rules.horizon_days))
    return (start, end) if start < end else None


def start_problem(now: datetime, start: datetime, end: datetime, rules: ProgramRules) -> str | None:
    """Why a session at [start, end) cannot be booked now, or None when it can."""
    zone = ZoneInfo(rules.timezone)
    if start < rules.opens or end > rules.closes:
        return f"the programme runs from {rules.starts_on} to {rules.ends_on}"
    earliest = now + timedelta(hours=rules.min_notice_hours)
    if start < earliest:
        return (
            f"bookings need {rules.min_notice_hours} hours' notice: the earliest start is "
            f"{earliest.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    latest = now + timedelta(days=rules.horizon_days)
    if start > latest:
        return (
            f"bookings open {rules.horizon_days} days ahead: the latest start is "
            f"{latest.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    return None
