"""Accounts: creating users bound to their enterprise or lawyer, and signing in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from models import audit_log
from models.database import current_engine, write_transaction
from models.tables import AppUser, Enterprise, Lawyer
from service.auth import BAR_ADMIN, ENTERPRISE, LAWYER
from service.domain.errors import Conflict, NotFound, Unprocessable
from service.passwords import hash_password, password_matches
from service.schemas import UserCreate, UserOut

USER_COLUMNS = (
    AppUser.id,
    AppUser.email,
    AppUser.role,
    AppUser.enterprise.as_alias("enterprise_id"),
    AppUser.lawyer_id,
    AppUser.created_at,
)


def _check_binding(data: UserCreate) -> None:
    if data.role == ENTERPRISE and (data.enterprise_id is None or data.lawyer_id is not None):
        raise Unprocessable("an enterprise user needs enterprise_id (and no lawyer_id)")
    if data.role == LAWYER and (data.lawyer_id is None or data.enterprise_id is not None):
        raise Unprocessable("a lawyer user needs lawyer_id (and no enterprise_id)")
    if data.role == BAR_ADMIN and (data.enterprise_id or data.lawyer_id):
        raise Unprocessable("a bar_admin user is bound to no enterprise or lawyer")


async def create_user(actor: str, data: UserCreate) -> UserOut:
    _check_binding(data)
    email = data.email.strip().lower()
    password_hash = await hash_password(data.password)
    async with write_transaction(current_engine()):
        if await AppUser.exists().where(AppUser.email == email):
            raise Conflict(f"a user with e-mail {email} already exists")
        if data.enterprise_id and not await Enterprise.exists().where(
            Enterprise.id == data.enterprise_id
        ):
            raise NotFound(f"no enterprise {data.enterprise_id}")
        if data.lawyer_id and not await Lawyer.exists().where(Lawyer.id == data.lawyer_id):
            raise NotFound(f"no lawyer {data.lawyer_id}")
        user = AppUser(
            email=email,
            password_hash=password_hash,
            role=data.role,
            enterprise=data.enterprise_id,
            lawyer_id=data.lawyer_id,
        )
        await user.save()
        created = await _user_out(user.id)
        await audit_log.record(actor, "user.created", "user", user.id, after=created)
    return created


async def _user_out(user_id: UUID) -> UserOut:
    row = await AppUser.select(*USER_COLUMNS).where(AppUser.id == user_id).first()
    return msgspec.convert(row, UserOut)


async def authenticate(email: str, password: str) -> dict[str, Any] | None:
    """The user row when e-mail and password match, else None (same cost either way)."""
    row = (
        await AppUser.select(AppUser.id, AppUser.role, AppUser.password_hash)
        .where(AppUser.email == email.strip().lower())
        .first()
    )
    if await password_matches(row["password_hash"] if row else None, password):
        return row
    return None


async def admin_exists() -> bool:
    return await AppUser.exists().where(AppUser.role == BAR_ADMIN)
