"""Conflicts of interest: enterprises a lawyer must never be matched with."""

from __future__ import annotations

from uuid import UUID

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import ConflictOfInterest
from service.domain.credit_code import credit_code_problem
from service.domain.errors import Conflict, Unprocessable
from service.schemas import ConflictCreate, ConflictOut
from service.usecases.availability import lawyer_timezone


async def declare_conflict(actor: str, lawyer_id: UUID, data: ConflictCreate) -> ConflictOut:
    credit_code = data.credit_code.strip().upper()
    if problem := credit_code_problem(credit_code):
        raise Unprocessable(problem)
    await lawyer_timezone(lawyer_id)  # 404 for an unknown lawyer
    conflict = ConflictOfInterest(lawyer=lawyer_id, credit_code=credit_code, reason=data.reason)
    async with write_transaction(current_engine()):
        if await ConflictOfInterest.exists().where(
            (ConflictOfInterest.lawyer == lawyer_id)
            & (ConflictOfInterest.credit_code == credit_code)
        ):
            raise Conflict(f"a conflict with {credit_code} is already declared")
        await conflict.save()
        created = ConflictOut(
            id=conflict.id,
            lawyer_id=lawyer_id,
            credit_code=credit_code,
            reason=data.reason,
            created_at=conflict.created_at,
        )
        await audit_log.record(actor, "conflict.declared", "lawyer", lawyer_id, after=created)
    return created


async def conflicted_lawyer_ids(credit_code: str) -> set[UUID]:
    rows = await ConflictOfInterest.select(ConflictOfInterest.lawyer).where(
        ConflictOfInterest.credit_code == credit_code
    )
    return {row["lawyer"] for row in rows}
