"""Slot search: load exactly what the engine needs in a handful of queries, then rank."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from models.tables import Enrolment, Enterprise, Lawyer, Program
from service.domain.booking_rules import cap_problem
from service.domain.booking_window import ProgramRules, bookable_window, service_minutes
from service.domain.errors import Unprocessable
from service.domain.ledger import BALANCE_FIELDS, Balance, InsufficientMinutes
from service.domain.matching import Candidate, RankedSlot, rank
from service.domain.practice_areas import PRACTICE_AREAS, area_match
from service.domain.slots import Interval, iter_free_slots
from service.schemas import SlotOut
from service.usecases.calendar_cache import CalendarCache
from service.usecases.conflicts import conflicted_lawyer_ids
from service.usecases.lawyer_calendars import load_calendars, month_of, served_minutes
from service.usecases.rows import one_row

LAWYER_FIELDS = (
    Lawyer.id,
    Lawyer.timezone,
    Lawyer.buffer_minutes,
    Lawyer.practice_areas,
    Lawyer.languages,
    Lawyer.monthly_cap_minutes,
    Lawyer.calendar_version,
)


@dataclass(frozen=True)
class SlotQuery:
    program_id: UUID
    enterprise_id: UUID
    service: str
    practice_area: str
    start: datetime
    end: datetime
    language: str | None = None
    lawyer_id: UUID | None = None
    limit: int = 50


async def enrolment_of(program_id: UUID, enterprise: dict) -> dict:
    enrolment = (
        await Enrolment.select()
        .where((Enrolment.program == program_id) & (Enrolment.enterprise == enterprise["id"]))
        .first()
    )
    if enrolment is None:
        raise Unprocessable(f"enterprise {enterprise['name']!r} is not enrolled in this programme")
    return enrolment


def check_remaining(enrolment: dict, service: str, duration: int) -> None:
    remaining = Balance(**{name: enrolment[name] for name in BALANCE_FIELDS}).remaining_minutes
    if remaining < duration:
        raise InsufficientMinutes(
            f"enterprise has {remaining} minutes left, a {service} needs {duration}"
        )


async def candidate_lawyers(
    practice_area: str, credit_code: str, language: str | None, lawyer_id: UUID | None
) -> dict[UUID, dict]:
    """Active lawyers practising the area (or a broader one), without a conflict of interest."""
    lawyers = Lawyer.select(*LAWYER_FIELDS).where(Lawyer.active.eq(True))
    if lawyer_id is not None:
        lawyers = lawyers.where(Lawyer.id == lawyer_id)
    conflicted = await conflicted_lawyer_ids(credit_code)
    return {
        row["id"]: row
        for row in await lawyers
        if area_match(practice_area, row["practice_areas"])
        and (language is None or language in row["languages"])
        and row["id"] not in conflicted
    }


def _bookable_slots(
    lawyer: dict,
    calendar,
    booked: dict,
    window_start: datetime,
    window_end: datetime,
    duration: int,
) -> Iterator[Interval]:
    """The lawyer's free slots, lazily, minus months whose offer a session would exceed."""
    cap = lawyer["monthly_cap_minutes"]
    if cap < duration:
        return iter(())
    slots = iter_free_slots(calendar, window_start, window_end, duration)
    full_months = {
        month for month, minutes in booked.items() if cap_problem(cap, minutes, duration)
    }
    if not full_months:
        return slots
    return (slot for slot in slots if month_of(slot.start, lawyer["timezone"]) not in full_months)


async def ranked_slots(
    program_id: UUID,
    practice_area: str,
    lawyers: dict[UUID, dict],
    window_start: datetime,
    window_end: datetime,
    duration: int,
    limit: int,
    cache: CalendarCache | None = None,
) -> list[RankedSlot]:
    """The best `limit` free slots of these lawyers, within their monthly offers.

    With a cache, calendars still current in memory are not loaded again.
    """
    if cache is None:
        calendars, booked = await load_calendars(lawyers, window_start, window_end)
        served = await served_minutes(program_id, list(lawyers))
    else:
        calendars, booked = await cache.calendars(lawyers, window_start, window_end)
        served = await cache.served_minutes(program_id, lawyers)
    slots_by_lawyer = {
        lawyer_id: _bookable_slots(
            lawyer, calendars[lawyer_id], booked[lawyer_id], window_start, window_end, duration
        )
        for lawyer_id, lawyer in lawyers.items()
    }
    candidates = {
        lawyer_id: Candidate(
            lawyer_id,
            served_minutes=served.get(lawyer_id, 0),
            area_match=area_match(practice_area, lawyer["practice_areas"]),
        )
        for lawyer_id, lawyer in lawyers.items()
    }
    return rank(slots_by_lawyer, candidates, window_start, window_end, limit)


async def search_slots(
    query: SlotQuery, now: datetime, cache: CalendarCache | None = None
) -> list[SlotOut]:
    if query.practice_area not in PRACTICE_AREAS:
        raise Unprocessable(f"unknown practice area {query.practice_area!r}")
    duration = service_minutes(query.service)
    program = await one_row(Program, query.program_id, "programme")
    enterprise = await one_row(Enterprise, query.enterprise_id, "enterprise")
    check_remaining(await enrolment_of(query.program_id, enterprise), query.service, duration)
    window = bookable_window(now, query.start, query.end, ProgramRules.of(program))
    lawyers = await candidate_lawyers(
        query.practice_area, enterprise["credit_code"], query.language, query.lawyer_id
    )
    if window is None or not lawyers:
        return []
    ranked = await ranked_slots(
        query.program_id, query.practice_area, lawyers, *window, duration, query.limit, cache
    )
    zone = ZoneInfo(program["timezone"])
    return [
        SlotOut(
            lawyer_id=slot.lawyer_id,
            start=slot.start.astimezone(zone),
            end=slot.end.astimezone(zone),
            score=slot.score,
            reason=slot.reason,
        )
        for slot in ranked
    ]


async def next_best_slots(
    program: dict,
    enterprise: dict,
    service: str,
    practice_area: str,
    now: datetime,
    exclude_lawyer: UUID | None = None,
    count: int = 3,
    days: int = 14,
) -> list[RankedSlot]:
    """What to offer instead when a session falls through: the best times in the next days."""
    window = bookable_window(now, now, now + timedelta(days=days), ProgramRules.of(program))
    lawyers = await candidate_lawyers(practice_area, enterprise["credit_code"], None, None)
    lawyers.pop(exclude_lawyer, None)
    if window is None or not lawyers:
        return []
    return await ranked_slots(
        program["id"], practice_area, lawyers, *window, service_minutes(service), count
    )
