"""The database raises a lawyer's calendar_version on every change to their calendar."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from models.tables import AvailabilityRule, BusyBlock, BusySource, Lawyer, Seminar, TimeOff
from service.schemas import ProgramCreate
from service.usecases.programs import create_program

MONDAY_NINE = datetime(2027, 3, 1, 1, tzinfo=UTC)


async def new_lawyer() -> Lawyer:
    number = uuid4().hex[:8]
    lawyer = Lawyer(
        name="Wang",
        email=f"{number}@law.test",
        license_no=number,
        firm="F",
        calendar_token=number,
    )
    await lawyer.save()
    return lawyer


async def version(lawyer: Lawyer) -> int:
    row = await Lawyer.select(Lawyer.calendar_version).where(Lawyer.id == lawyer.id).first()
    return row["calendar_version"]


@pytest.fixture
async def lawyers(engine) -> tuple[Lawyer, Lawyer]:
    return await new_lawyer(), await new_lawyer()


async def test_time_off_and_rules_raise_the_version_on_every_write(lawyers):
    lawyer, other = lawyers
    time_off = TimeOff(
        lawyer=lawyer.id, starts_at=MONDAY_NINE, ends_at=MONDAY_NINE + timedelta(hours=1)
    )
    await time_off.save()
    assert await version(lawyer) == 1
    await TimeOff.update({TimeOff.ends_at: MONDAY_NINE + timedelta(hours=2)}).where(
        TimeOff.id == time_off.id
    )
    assert await version(lawyer) == 2
    await TimeOff.update({TimeOff.lawyer: other.id}).where(TimeOff.id == time_off.id)
    assert (await version(lawyer), await version(other)) == (3, 1)  # both calendars changed
    await TimeOff.delete().where(TimeOff.id == time_off.id)
    assert (await version(lawyer), await version(other)) == (3, 2)

    await AvailabilityRule.insert(
        AvailabilityRule(
            lawyer=lawyer.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            start_minute=540,
            end_minute=720,
            valid_from=date(2027, 1, 1),
        )
    )
    await AvailabilityRule.delete().where(AvailabilityRule.lawyer == lawyer.id)
    assert await version(lawyer) == 5


async def test_a_busy_refresh_raises_it_and_only_for_its_lawyer(lawyers):
    lawyer, other = lawyers
    source = BusySource(lawyer=lawyer.id, kind="upload")
    await source.save()
    blocks = [
        BusyBlock(
            source=source.id,
            lawyer=lawyer.id,
            starts_at=MONDAY_NINE + timedelta(days=day),
            ends_at=MONDAY_NINE + timedelta(days=day, hours=1),
        )
        for day in range(3)
    ]
    await BusyBlock.insert(*blocks)
    assert await version(lawyer) == 3
    await BusyBlock.delete().where(BusyBlock.source == source.id)
    assert (await version(lawyer), await version(other)) == (6, 0)


async def test_a_seats_count_leaves_it_but_moving_the_seminar_raises_it(lawyers):
    lawyer, _ = lawyers
    program = await create_program(
        "test",
        ProgramCreate(
            name="P", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), mailbox="p@b.test"
        ),
    )
    seminar = Seminar(
        program=program.id,
        lawyer=lawyer.id,
        title="Trademarks",
        practice_area="trademark",
        starts_at=MONDAY_NINE,
        ends_at=MONDAY_NINE + timedelta(hours=2),
        capacity=30,
        minutes_per_attendee=120,
    )
    await seminar.save()
    assert await version(lawyer) == 1
    await Seminar.update({Seminar.registered: 1, Seminar.sequence: 1}).where(
        Seminar.id == seminar.id
    )
    assert await version(lawyer) == 1
    await Seminar.update({Seminar.starts_at: MONDAY_NINE + timedelta(hours=1)}).where(
        Seminar.id == seminar.id
    )
    assert await version(lawyer) == 2
