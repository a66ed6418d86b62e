"""Programmes: the yearly frame (dates, zone, minutes per enterprise, notice rules)."""

from __future__ import annotations

from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import Program
from service.domain.errors import NotFound, Unprocessable
from service.schemas import ProgramCreate, ProgramOut
from service.usecases.paging import Page


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unprocessable(
            f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai"
        ) from None


async def create_program(actor: str, data: ProgramCreate) -> ProgramOut:
    if data.ends_on < data.starts_on:
        raise Unprocessable(
            f"the programme ends ({data.ends_on}) before it starts ({data.starts_on})"
        )
    check_timezone(data.timezone)
    program = Program(**msgspec.to_builtins(data, builtin_types=(date,)))
    async with write_transaction(current_engine()):
        await program.save()
        created = await get_program(program.id)
        await audit_log.record(actor, "program.created", "program", program.id, after=created)
    return created


async def get_program(program_id: UUID) -> ProgramOut:
    row = await Program.select().where(Program.id == program_id).first()
    if row is None:
        raise NotFound(f"no programme {program_id}")
    return msgspec.convert(row, ProgramOut)


async def list_programs(page: Page) -> list[ProgramOut]:
    rows = (
        await Program.select()
        .order_by(Program.starts_on, ascending=False)
        .order_by(Program.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return msgspec.convert(rows, list[ProgramOut])
