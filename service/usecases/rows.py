"""Loading one row by id, with a clear 404, optionally locked for the change that follows."""

from __future__ import annotations

from uuid import UUID

from models.database import for_update
from service.domain.errors import NotFound


async def one_row(table, row_id: UUID, what: str, *, lock: bool = False) -> dict:
    query = table.select().where(table.id == row_id)
    row = await (for_update(query) if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row
