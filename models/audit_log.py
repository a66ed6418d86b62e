"""The audit trail: who changed what, when. Call inside the transaction of the change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from models.tables import AuditEntry


async def record(
    actor: str,
    action: str,
    entity_type: str,
    entity_id: UUID,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=msgspec.to_builtins(before),
            after=msgspec.to_builtins(after),
        )
    )
