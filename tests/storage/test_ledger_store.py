"""The allocation invariant under concurrency, and the database refusing what Python would not."""

import asyncio
import sqlite3
from datetime import date

import asyncpg
import pytest

from models.database import write_transaction
from models.ledger_store import move_minutes
from models.tables import Enrolment, LedgerEntry
from service.domain.ledger import EntryKind, InsufficientMinutes
from service.schemas import EnterpriseCreate, ProgramCreate
from service.usecases.enrolments import enrol, hours
from service.usecases.enterprises import create_enterprise
from service.usecases.programs import create_program

REFUSED = (asyncpg.CheckViolationError, asyncpg.RaiseError, sqlite3.IntegrityError)


@pytest.fixture
async def enrolment(engine):
    program = await create_program(
        "test",
        ProgramCreate(
            name="P", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), mailbox="p@b.test"
        ),
    )
    enterprise = await create_enterprise(
        "test",
        EnterpriseCreate(
            name="E", credit_code="91350100M000100Y43", contact_name="C", contact_email="c@e.test"
        ),
    )
    return await enrol("test", program.id, enterprise.id)


async def hold(engine, enrolment_id, minutes) -> bool:
    try:
        async with write_transaction(engine):
            await move_minutes(enrolment_id, EntryKind.HOLD, minutes, "test")
    except InsufficientMinutes:
        return False
    return True


async def test_fifty_concurrent_holds_on_600_minutes_exactly_ten_succeed(engine, enrolment):
    outcomes = await asyncio.gather(*(hold(engine, enrolment.id, 60) for _ in range(50)))
    assert outcomes.count(True) == 10
    balance = await hours(enrolment.enterprise_id, enrolment.program_id)
    assert (balance.held_minutes, balance.remaining_minutes) == (600, 0)
    counters = await Enrolment.select(Enrolment.held_minutes).where(Enrolment.id == enrolment.id)
    assert counters == [{"held_minutes": 600}]
    assert await LedgerEntry.count().where(LedgerEntry.kind == "hold") == 10


async def test_database_refuses_an_overdraft_written_behind_python(engine, enrolment):
    with pytest.raises(REFUSED):
        await Enrolment.raw("UPDATE enrolment SET held_minutes = 660 WHERE id = {}", enrolment.id)
    with pytest.raises(REFUSED):
        await Enrolment.raw("UPDATE enrolment SET used_minutes = -30 WHERE id = {}", enrolment.id)


async def test_ledger_entries_cannot_be_changed_or_deleted(engine, enrolment):
    with pytest.raises(REFUSED):
        await LedgerEntry.raw("UPDATE ledger_entry SET minutes = 6000")
    with pytest.raises(REFUSED):
        await LedgerEntry.raw("DELETE FROM ledger_entry")
    assert await LedgerEntry.count() == 1
