"""Instants in requests: ISO 8601 text with an offset, as the contract says, and nothing else.

Litestar converts request values leniently, so a plain `datetime` field would also take a
number (as seconds since 1970) or "1.1". Fields and parameters typed `Instant` are decoded
here instead; request structs then hold plain datetimes (see schemas.Input).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

EXAMPLE = "2027-03-01T09:00:00+08:00"


class Instant(datetime):
    """An instant a client sent, read strictly by decode_instant."""


def is_instant(target: Any) -> bool:
    return target is Instant


def decode_instant(_: type, value: Any) -> Instant:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date and time with an offset such as {EXAMPLE}")
    try:
        parsed = Instant.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 date and time; write it like {EXAMPLE}"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} needs an offset, e.g. {EXAMPLE}")
    return parsed


def plain(value: datetime | None) -> datetime | None:
    """The same instant as a plain datetime, which the database drivers and encoders take."""
    if value is None or type(value) is datetime:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
        fold=value.fold,
    )
