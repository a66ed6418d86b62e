"""Reading the audit trail: who changed what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from models.tables import AuditEntry
from service.schemas import AuditEntryOut
from service.usecases.paging import Page


@dataclass(frozen=True)
class AuditFilter:
    entity_id: UUID | None = None
    start: datetime | None = None
    end: datetime | None = None


async def audit_entries(where: AuditFilter, page: Page) -> list[AuditEntryOut]:
    """Oldest first, so a page reads as the story of the entity."""
    query = AuditEntry.select().output(load_json=True)
    if where.entity_id is not None:
        query = query.where(AuditEntry.entity_id == where.entity_id)
    if where.start is not None:
        query = query.where(AuditEntry.at >= where.start)
    if where.end is not None:
        query = query.where(AuditEntry.at < where.end)
    rows = (
        await query.order_by(AuditEntry.at)
        .order_by(AuditEntry.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [msgspec.convert(row, AuditEntryOut) for row in rows]
