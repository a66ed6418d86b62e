"""Lawyer profiles."""

from __future__ import annotations

import secrets
from uuid import UUID

import msgspec

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import Lawyer
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.domain.practice_areas import unknown_areas
from service.schemas import LawyerCreate, LawyerOut, LawyerUpdate
from service.usecases.paging import Page
from service.usecases.programs import check_timezone

LAWYER_COLUMNS = tuple(
    column for column in Lawyer._meta.columns if column._meta.name != "calendar_token"
)


def _check_profile(practice_areas: list[str] | None, timezone: str | None) -> None:
    if practice_areas and (unknown := unknown_areas(practice_areas)):
        raise Unprocessable(
            f"unknown practice area {', '.join(unknown)}: see GET /api/v1/practice-areas"
        )
    if timezone is not None:
        check_timezone(timezone)


async def create_lawyer(actor: str, data: LawyerCreate) -> LawyerOut:
    _check_profile(data.practice_areas, data.timezone)
    lawyer = Lawyer(
        **msgspec.to_builtins(data),
        calendar_token=secrets.token_urlsafe(32),
    )
    lawyer.email = lawyer.email.lower()
    async with write_transaction(current_engine()):
        if await Lawyer.exists().where(Lawyer.license_no == data.license_no):
            raise Conflict(f"a lawyer with licence number {data.license_no} is already registered")
        if await Lawyer.exists().where(Lawyer.email == lawyer.email):
            raise Conflict(f"a lawyer with e-mail {lawyer.email} is already registered")
        await lawyer.save()
        created = await get_lawyer(lawyer.id)
        await audit_log.record(actor, "lawyer.created", "lawyer", lawyer.id, after=created)
    return created


async def get_lawyer(lawyer_id: UUID) -> LawyerOut:
    row = await Lawyer.select(*LAWYER_COLUMNS).where(Lawyer.id == lawyer_id).first()
    if row is None:
        raise NotFound(f"no lawyer {lawyer_id}")
    return msgspec.convert(row, LawyerOut)


async def update_lawyer(actor: str, lawyer_id: UUID, data: LawyerUpdate) -> LawyerOut:
    changes = msgspec.structs.asdict(data)
    changes = {name: value for name, value in changes.items() if value is not msgspec.UNSET}
    _check_profile(changes.get("practice_areas"), changes.get("timezone"))
    if "email" in changes:
        changes["email"] = changes["email"].lower()
    async with write_transaction(current_engine()):
        before = await get_lawyer(lawyer_id)
        if changes:
            await Lawyer.update(
                {getattr(Lawyer, name): value for name, value in changes.items()}
            ).where(Lawyer.id == lawyer_id)
        after = await get_lawyer(lawyer_id)
        await audit_log.record(actor, "lawyer.updated", "lawyer", lawyer_id, before, after)
    return after


async def list_lawyers(page: Page) -> list[LawyerOut]:
    rows = (
        await Lawyer.select(*LAWYER_COLUMNS)
        .order_by(Lawyer.name)
        .limit(page.limit)
        .offset(page.offset)
    )
    return msgspec.convert(rows, list[LawyerOut])
