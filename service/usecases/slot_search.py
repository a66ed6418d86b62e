"""Slot search: load exactly what the engine needs in a handful of queries, then rank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from models.tables import AvailabilityRule as RuleRow
from models.tables import BusyBlock, Enrolment, Enterprise, Lawyer, Program, TimeOff
from service.domain.booking_window import bookable_window, service_minutes
from service.domain.errors import NotFound, Unprocessable
from service.domain.ledger import BALANCE_FIELDS, Balance, InsufficientMinutes
from service.domain.matching import Candidate, rank
from service.domain.practice_areas import PRACTICE_AREAS, area_match
from service.domain.slots import Interval, LawyerCalendar, free_slots
from service.schemas import SlotOut
from service.usecases.availability import to_rule
from service.usecases.conflicts import conflicted_lawyer_ids


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


async def _one(table, row_id: UUID, what: str) -> dict:
    row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row


async def _candidate_lawyers(query: SlotQuery, credit_code: str) -> dict[UUID, dict]:
    lawyers = Lawyer.select(
        Lawyer.id, Lawyer.timezone, Lawyer.buffer_minutes, Lawyer.practice_areas, Lawyer.languages
    ).where(Lawyer.active.eq(True))
    if query.lawyer_id is not None:
        lawyers = lawyers.where(Lawyer.id == query.lawyer_id)
    conflicted = await conflicted_lawyer_ids(credit_code)
    return {
        row["id"]: row
        for row in await lawyers
        if area_match(query.practice_area, row["practice_areas"])
        and (query.language is None or query.language in row["languages"])
        and row["id"] not in conflicted
    }


async def _intervals(table, lawyer_ids: list[UUID], start: datetime, end: datetime) -> dict:
    """Rows of `table` overlapping [start, end), grouped per lawyer as Intervals."""
    rows = await table.select(table.lawyer, table.starts_at, table.ends_at).where(
        table.lawyer.is_in(lawyer_ids) & (table.starts_at < end) & (table.ends_at > start)
    )
    grouped: dict[UUID, list[Interval]] = {}
    for row in rows:
        grouped.setdefault(row["lawyer"], []).append(Interval(row["starts_at"], row["ends_at"]))
    return grouped


async def search_slots(query: SlotQuery, now: datetime) -> list[SlotOut]:
    for name, value in (("from", query.start), ("to", query.end)):
        if value.tzinfo is None:
            raise Unprocessable(f"`{name}` needs an offset, e.g. 2027-03-01T09:00:00+08:00")
    if query.practice_area not in PRACTICE_AREAS:
        raise Unprocessable(f"unknown practice area {query.practice_area!r}")
    duration = service_minutes(query.service)
    program = await _one(Program, query.program_id, "programme")
    enterprise = await _one(Enterprise, query.enterprise_id, "enterprise")
    enrolment = (
        await Enrolment.select()
        .where(
            (Enrolment.program == query.program_id) & (Enrolment.enterprise == query.enterprise_id)
        )
        .first()
    )
    if enrolment is None:
        raise Unprocessable(f"enterprise {enterprise['name']!r} is not enrolled in this programme")
    remaining = Balance(**{name: enrolment[name] for name in BALANCE_FIELDS}).remaining_minutes
    if remaining < duration:
        raise InsufficientMinutes(
            f"enterprise has {remaining} minutes left, a {query.service} needs {duration}"
        )
    window = bookable_window(
        now,
        query.start,
        query.end,
        program["starts_on"],
        program["ends_on"],
        program["timezone"],
        program["min_notice_hours"],
        program["horizon_days"],
    )
    lawyers = await _candidate_lawyers(query, enterprise["credit_code"])
    if window is None or not lawyers:
        return []
    window_start, window_end = window
    lawyer_ids = list(lawyers)
    rules: dict[UUID, list] = {}
    for row in await RuleRow.select().where(RuleRow.lawyer.is_in(lawyer_ids)):
        rules.setdefault(row["lawyer"], []).append(to_rule(row))
    time_off = await _intervals(TimeOff, lawyer_ids, window_start, window_end)
    busy = await _intervals(BusyBlock, lawyer_ids, window_start, window_end)
    slots_by_lawyer = {}
    for lawyer_id, lawyer in lawyers.items():
        calendar = LawyerCalendar(
            timezone=lawyer["timezone"],
            rules=tuple(rules.get(lawyer_id, ())),
            busy=(*time_off.get(lawyer_id, []), *busy.get(lawyer_id, [])),
            bookings=(),
            buffer_minutes=lawyer["buffer_minutes"],
        )
        slots = free_slots(calendar, window_start, window_end, duration)
        if slots:
            slots_by_lawyer[lawyer_id] = [(slot.start, slot.end) for slot in slots]
    candidates = {
        lawyer_id: Candidate(
            lawyer_id,
            served_minutes=0,
            area_match=area_match(query.practice_area, lawyer["practice_areas"]),
        )
        for lawyer_id, lawyer in lawyers.items()
    }
    zone = ZoneInfo(program["timezone"])
    return [
        SlotOut(
            lawyer_id=slot.lawyer_id,
            start=slot.start.astimezone(zone),
            end=slot.end.astimezone(zone),
            score=slot.score,
            reason=slot.reason,
        )
        for slot in rank(slots_by_lawyer, candidates, window_start, window_end, query.limit)
    ]
