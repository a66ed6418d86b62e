"""Enrolment grants an enterprise the programme's minutes; hours read back the ledger."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from models import audit_log, outbox
from models.database import current_engine, write_transaction
from models.ledger_store import move_minutes
from models.tables import Enrolment, Enterprise, LedgerEntry, Program
from service.domain.eligibility import enrolment_problem
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.domain.ledger import EntryKind, replay
from service.schemas import EnrolmentOut, HoursOut, LedgerLine

ENROLMENT_COLUMNS = (
    Enrolment.id,
    Enrolment.program.as_alias("program_id"),
    Enrolment.enterprise.as_alias("enterprise_id"),
    Enrolment.granted_minutes,
    Enrolment.created_at,
)


async def enrol(actor: str, program_id: UUID, enterprise_id: UUID) -> EnrolmentOut:
    async with write_transaction(current_engine()):
        program = await Program.select().where(Program.id == program_id).first()
        if program is None:
            raise NotFound(f"no programme {program_id}")
        enterprise = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
        if enterprise is None:
            raise NotFound(f"no enterprise {enterprise_id}")
        today = datetime.now(ZoneInfo(program["timezone"])).date()
        if problem := enrolment_problem(
            program["name"],
            program["ends_on"],
            program["eligible_districts"],
            enterprise["name"],
            enterprise["district"],
            today,
        ):
            raise Unprocessable(problem)
        if await Enrolment.exists().where(
            (Enrolment.program == program_id) & (Enrolment.enterprise == enterprise_id)
        ):
            raise Conflict(
                f"enterprise {enterprise['name']!r} is already enrolled in {program['name']!r}"
            )
        enrolment = Enrolment(program=program_id, enterprise=enterprise_id)
        await enrolment.save()
        await move_minutes(enrolment.id, EntryKind.GRANT, program["minutes_per_enterprise"], actor)
        created = await _enrolment_out(enrolment.id)
        await audit_log.record(
            actor, "enterprise.enrolled", "enrolment", enrolment.id, after=created
        )
        await outbox.enqueue(
            "enrolment.granted",
            enterprise["contact_email"],
            enrolment.id,
            granted_notice(program, enterprise),
        )
    return created


def granted_notice(program: dict, enterprise: dict) -> dict[str, str]:
    minutes = program["minutes_per_enterprise"]
    return {
        "sender": program["mailbox"],
        "subject": f"{program['name']}: {minutes} 分钟免费法律服务 / {minutes} free minutes",
        "text": (
            f"{enterprise['contact_name']}，您好：\n\n"
            f"{enterprise['name']} 已加入“{program['name']}”，获得 {minutes} 分钟免费法律服务，"
            f"有效期至 {program['ends_on']}。\n\n"
            f"Dear {enterprise['contact_name']},\n\n"
            f"{enterprise['name']} is enrolled in {program['name']!r} and may use {minutes} "
            f"minutes of free legal help until {program['ends_on']}.\n"
        ),
    }


async def _enrolment_out(enrolment_id: UUID) -> EnrolmentOut:
    row = await Enrolment.select(*ENROLMENT_COLUMNS).where(Enrolment.id == enrolment_id).first()
    return msgspec.convert(row, EnrolmentOut)


async def find_enrolment(enterprise_id: UUID, program_id: UUID | None) -> dict:
    """The enterprise's enrolment in `program_id`, or its latest one when none is named."""
    query = Enrolment.select(*ENROLMENT_COLUMNS).where(Enrolment.enterprise == enterprise_id)
    if program_id is not None:
        query = query.where(Enrolment.program == program_id)
    row = await query.order_by(Enrolment.created_at, ascending=False).first()
    if row is None:
        where = f"programme {program_id}" if program_id else "any programme"
        raise NotFound(f"enterprise {enterprise_id} is not enrolled in {where}")
    return row


async def hours(enterprise_id: UUID, program_id: UUID | None) -> HoursOut:
    enrolment = await find_enrolment(enterprise_id, program_id)
    entries = (
        await LedgerEntry.select(
            LedgerEntry.kind,
            LedgerEntry.minutes,
            LedgerEntry.booking_id,
            LedgerEntry.at,
            LedgerEntry.actor,
        )
        .where(LedgerEntry.enrolment == enrolment["id"])
        .order_by(LedgerEntry.at)
    )
    balance = replay((EntryKind(entry["kind"]), entry["minutes"]) for entry in entries)
    return HoursOut(
        program_id=enrolment["program_id"],
        enterprise_id=enterprise_id,
        granted_minutes=balance.granted_minutes,
        topped_up_minutes=balance.topped_up_minutes,
        held_minutes=balance.held_minutes,
        used_minutes=balance.used_minutes,
        forfeited_minutes=balance.forfeited_minutes,
        remaining_minutes=balance.remaining_minutes,
        ledger=msgspec.convert(entries, list[LedgerLine]),
    )
