"""A lawyer's weekly availability rules and time off, in the lawyer's own zone."""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import AvailabilityRule as RuleRow
from models.tables import Lawyer, TimeOff
from service.domain.errors import NotFound, Unprocessable
from service.domain.slots import AvailabilityRule, InvalidRule, check_rule
from service.schemas import AvailabilityIn, AvailabilityOut, RuleOut, TimeOffCreate, TimeOffOut


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_rule(row: dict) -> AvailabilityRule:
    return AvailabilityRule(
        rrule=row["rrule"],
        start=time(row["start_minute"] // 60, row["start_minute"] % 60),
        end=time(row["end_minute"] // 60, row["end_minute"] % 60),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
    )


async def lawyer_timezone(lawyer_id: UUID) -> str:
    row = await Lawyer.select(Lawyer.timezone).where(Lawyer.id == lawyer_id).first()
    if row is None:
        raise NotFound(f"no lawyer {lawyer_id}")
    return row["timezone"]


async def replace_rules(actor: str, lawyer_id: UUID, data: AvailabilityIn) -> AvailabilityOut:
    """Swap the whole rule set in one transaction: readers see the old set or the new one."""
    timezone = await lawyer_timezone(lawyer_id)
    today = datetime.now(ZoneInfo(timezone)).date()
    rows = []
    for position, rule in enumerate(data.rules, start=1):
        row = {
            "rrule": rule.rrule.strip().removeprefix("RRULE:"),
            "start_minute": _minutes(rule.start),
            "end_minute": _minutes(rule.end),
            "valid_from": rule.valid_from or today,
            "valid_until": rule.valid_until,
        }
        try:
            check_rule(to_rule(row))
        except InvalidRule as problem:
            raise Unprocessable(f"rule {position} ({rule.rrule}): {problem}") from None
        rows.append(row)
    async with write_transaction(current_engine()):
        before = await get_rules(lawyer_id)
        await RuleRow.delete().where(RuleRow.lawyer == lawyer_id)
        if rows:
            await RuleRow.insert(*(RuleRow(lawyer=lawyer_id, **row) for row in rows))
        after = await get_rules(lawyer_id)
        await audit_log.record(actor, "availability.replaced", "lawyer", lawyer_id, before, after)
    return after


async def get_rules(lawyer_id: UUID) -> AvailabilityOut:
    timezone = await lawyer_timezone(lawyer_id)
    rows = await RuleRow.select().where(RuleRow.lawyer == lawyer_id).order_by(RuleRow.valid_from)
    return AvailabilityOut(
        lawyer_id=lawyer_id,
        timezone=timezone,
        rules=[
            RuleOut(
                rrule=row["rrule"],
                start=_clock(row["start_minute"]),
                end=_clock(row["end_minute"]),
                valid_from=row["valid_from"],
                valid_until=row["valid_until"],
            )
            for row in rows
        ],
    )


async def add_time_off(actor: str, lawyer_id: UUID, data: TimeOffCreate) -> TimeOffOut:
    if data.end <= data.start:
        raise Unprocessable("time off must end after it starts")
    await lawyer_timezone(lawyer_id)
    entry = TimeOff(lawyer=lawyer_id, starts_at=data.start, ends_at=data.end, reason=data.reason)
    async with write_transaction(current_engine()):
        await entry.save()
        created = TimeOffOut(
            id=entry.id, lawyer_id=lawyer_id, start=data.start, end=data.end, reason=data.reason
        )
        await audit_log.record(actor, "time_off.added", "lawyer", lawyer_id, after=created)
    return created
