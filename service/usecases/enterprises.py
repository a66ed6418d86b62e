"""Enterprises: the small companies the programme serves."""

from __future__ import annotations

from uuid import UUID

import msgspec

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import Enterprise
from service.domain.credit_code import credit_code_problem
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.schemas import EnterpriseCreate, EnterpriseOut
from service.usecases.paging import Page


async def create_enterprise(actor: str, data: EnterpriseCreate) -> EnterpriseOut:
    credit_code = data.credit_code.strip().upper()
    if problem := credit_code_problem(credit_code):
        raise Unprocessable(problem)
    fields = msgspec.to_builtins(data) | {"credit_code": credit_code}
    enterprise = Enterprise(**fields)
    async with write_transaction(current_engine()):
        if await Enterprise.exists().where(Enterprise.credit_code == credit_code):
            raise Conflict(f"an enterprise with credit code {credit_code} is already registered")
        await enterprise.save()
        created = await get_enterprise(enterprise.id)
        await audit_log.record(
            actor, "enterprise.created", "enterprise", enterprise.id, after=created
        )
    return created


async def get_enterprise(enterprise_id: UUID) -> EnterpriseOut:
    row = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
    if row is None:
        raise NotFound(f"no enterprise {enterprise_id}")
    return msgspec.convert(row, EnterpriseOut)


async def list_enterprises(page: Page) -> list[EnterpriseOut]:
    rows = await Enterprise.select().order_by(Enterprise.name).limit(page.limit).offset(page.offset)
    return msgspec.convert(rows, list[EnterpriseOut])
