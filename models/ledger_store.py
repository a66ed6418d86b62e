"""Moving minutes on an allocation: the ledger's storage side.

Call inside a write transaction. The allocation row is locked (PostgreSQL) or the whole
write is serialised (SQLite IMMEDIATE), so the balance read here is the one that counts;
the migrations' CHECK constraints / triggers refuse any overdraft that slipped past Python.
"""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from models.database import for_update
from models.tables import Enrolment, LedgerEntry
from service.domain.errors import NotFound
from service.domain.ledger import Balance, EntryKind, apply

BALANCE_COLUMNS = (
    Enrolment.granted_minutes,
    Enrolment.topped_up_minutes,
    Enrolment.held_minutes,
    Enrolment.used_minutes,
    Enrolment.forfeited_minutes,
)


async def locked_balance(enrolment_id: UUID) -> Balance:
    rows = await for_update(Enrolment.select(*BALANCE_COLUMNS).where(Enrolment.id == enrolment_id))
    if not rows:
        raise NotFound(f"no enrolment {enrolment_id}")
    return Balance(**rows[0])


async def move_minutes(
    enrolment_id: UUID,
    kind: EntryKind,
    minutes: int,
    actor: str,
    booking_id: UUID | None = None,
) -> Balance:
    """Write one ledger entry and the allocation's new counters; returns the new balance."""
    balance = apply(await locked_balance(enrolment_id), kind, minutes)
    await Enrolment.update(
        {getattr(Enrolment, name): value for name, value in asdict(balance).items()}
    ).where(Enrolment.id == enrolment_id)
    await LedgerEntry.insert(
        LedgerEntry(
            enrolment=enrolment_id,
            kind=kind.value,
            minutes=minutes,
            booking_id=booking_id,
            actor=actor,
        )
    )
    return balance
