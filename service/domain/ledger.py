"""The hours ledger: pure rules over integer minutes.

An allocation (one enterprise in one programme) is granted minutes and may be topped up.
Minutes move from *remaining* to *held* when a session is booked, and from held to *used*
(given), back to remaining (*released*) or to *forfeited*. At no point may
held + used + forfeited exceed granted + topped up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from service.domain.errors import Unprocessable


class EntryKind(StrEnum):
    GRANT = "grant"
    TOP_UP = "top_up"
    HOLD = "hold"
    RELEASE = "release"
    USE = "use"
    FORFEIT = "forfeit"


class InsufficientMinutes(Unprocessable):
    pass


@dataclass(frozen=True)
class Balance:
    granted_minutes: int = 0
    topped_up_minutes: int = 0
    held_minutes: int = 0
    used_minutes: int = 0
    forfeited_minutes: int = 0

    @property
    def remaining_minutes(self) -> int:
        return (
            self.granted_minutes
            + self.topped_up_minutes
            - self.held_minutes
            - self.used_minutes
            - self.forfeited_minutes
        )


BALANCE_FIELDS = tuple(Balance.__dataclass_fields__)


def apply(balance: Balance, kind: EntryKind, minutes: int) -> Balance:
    """The balance after one ledger entry, or an error saying why it cannot be written."""
    if minutes <= 0:
        raise Unprocessable(f"a ledger entry moves a positive number of minutes, got {minutes}")
    match kind:
        case EntryKind.GRANT:
            return replace(balance, granted_minutes=balance.granted_minutes + minutes)
        case EntryKind.TOP_UP:
            return replace(balance, topped_up_minutes=balance.topped_up_minutes + minutes)
        case EntryKind.HOLD:
            if minutes > balance.remaining_minutes:
                raise InsufficientMinutes(
                    f"enterprise has {balance.remaining_minutes} minutes left, "
                    f"booking needs {minutes}"
                )
            return replace(balance, held_minutes=balance.held_minutes + minutes)
    if minutes > balance.held_minutes:
        raise Unprocessable(
            f"cannot {kind.value} {minutes} minutes: only {balance.held_minutes} are held"
        )
    released = replace(balance, held_minutes=balance.held_minutes - minutes)
    match kind:
        case EntryKind.USE:
            return replace(released, used_minutes=released.used_minutes + minutes)
        case EntryKind.FORFEIT:
            return replace(released, forfeited_minutes=released.forfeited_minutes + minutes)
    return released


def replay(entries: Iterable[tuple[EntryKind, int]]) -> Balance:
    """The balance an append-only ledger adds up to."""
    balance = Balance()
    for kind, minutes in entries:
        balance = apply(balance, kind, minutes)
    return balance
