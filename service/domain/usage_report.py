"""The usage report the programme answers for: minutes and sessions per enterprise, lawyer,
practice area, service or month. Pure: handed allocations, sessions and ledger movements.

Minutes per enterprise are the allocation's own counters. Grouped any other way, they are the
ledger movements of each group's sessions (a hold, less what was released, used or forfeited,
is still held); grants and top-ups belong to no session, so those groups show none.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields, replace
from uuid import UUID

from service.domain.ledger import Balance, EntryKind

GROUPINGS = ("enterprise", "lawyer", "practice_area", "service", "month")
# A session that took place or still will; cancelled, declined and expired ones do not count.
COUNTED_STATUSES = frozenset({"confirmed", "completed", "no_show", "registered", "attended"})
UTF8_BOM = "\ufeff"  # so spreadsheet programs read Chinese names as UTF-8


@dataclass(frozen=True)
class Session:
    """A booking or a seminar seat, with the values it is grouped by (ids as text)."""

    id: UUID
    enterprise: str
    lawyer: str
    practice_area: str
    service: str
    month: str  # YYYY-MM of its start in the programme's zone
    status: str
    rating: int | None = None


@dataclass(frozen=True)
class Movement:
    session_id: UUID
    kind: EntryKind
    minutes: int


@dataclass(frozen=True)
class UsageRow:
    group: str  # the id (enterprise, lawyer) or the value (area, service, month)
    label: str  # what a person reads: a name, or the value again
    granted_minutes: int
    topped_up_minutes: int
    held_minutes: int
    used_minutes: int
    forfeited_minutes: int
    sessions: int
    no_shows: int
    rated_sessions: int
    mean_rating: float | None


def usage(
    group_by: str,
    allocations: dict[str, Balance],
    sessions: Iterable[Session],
    movements: Iterable[Movement],
    labels: dict[str, str],
) -> tuple[list[UsageRow], UsageRow]:
    """Rows sorted by label, and the programme's total (minutes from the allocations)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by is one of {', '.join(GROUPINGS)}, not {group_by!r}")
    sessions = list(sessions)
    group_of = {session.id: getattr(session, group_by) for session in sessions}
    if group_by == "enterprise":
        balances = dict(allocations)
    else:
        balances = defaultdict(Balance)
        for movement in movements:
            if (group := group_of.get(movement.session_id)) is not None:
                balances[group] = _moved(balances[group], movement)
    by_group: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        by_group[group_of[session.id]].append(session)
    rows = [
        _row(group, labels.get(group, group), balances.get(group, Balance()), by_group[group])
        for group in set(balances) | set(by_group)
    ]
    total = _row("total", "total", _sum(allocations.values()), sessions)
    return sorted(rows, key=lambda row: (row.label, row.group)), total


# How a session's ledger entry moves its group's (held, used, forfeited) minutes.
EFFECTS = {
    EntryKind.HOLD: (1, 0, 0),
    EntryKind.RELEASE: (-1, 0, 0),
    EntryKind.USE: (-1, 1, 0),
    EntryKind.FORFEIT: (-1, 0, 1),
}


def _moved(balance: Balance, movement: Movement) -> Balance:
    held, used, forfeited = EFFECTS.get(movement.kind, (0, 0, 0))
    return replace(
        balance,
        held_minutes=balance.held_minutes + held * movement.minutes,
        used_minutes=balance.used_minutes + used * movement.minutes,
        forfeited_minutes=balance.forfeited_minutes + forfeited * movement.minutes,
    )


def _counts(balance: Balance) -> dict[str, int]:
    return {field.name: getattr(balance, field.name) for field in fields(balance)}


def _sum(balances: Iterable[Balance]) -> Balance:
    totals = [sum(column) for column in zip(*(astuple(b) for b in balances), strict=True)]
    return Balance(*totals) if totals else Balance()


def _row(group: str, label: str, balance: Balance, sessions: list[Session]) -> UsageRow:
    counted = [session for session in sessions if session.status in COUNTED_STATUSES]
    ratings = [session.rating for session in counted if session.rating is not None]
    return UsageRow(
        group=group,
        label=label,
        **_counts(balance),
        sessions=len(counted),
        no_shows=sum(1 for session in counted if session.status == "no_show"),
        rated_sessions=len(ratings),
        mean_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
    )


def usage_csv(group_by: str, rows: list[UsageRow], total: UsageRow) -> str:
    """One line per group and a total line; a BOM first so Excel reads the names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [field.name for field in fields(UsageRow)]
    writer.writerow([group_by, *names[1:]])
    for row in [*rows, total]:
        writer.writerow(["" if value is None else value for value in astuple(row)])
    return UTF8_BOM + buffer.getvalue()
