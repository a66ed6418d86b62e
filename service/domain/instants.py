"""Instants in requests carry an offset (the API contract): a naive one is refused."""

from __future__ import annotations

from datetime import datetime

from service.domain.errors import Unprocessable


def require_offsets(values: dict[str, datetime | None]) -> None:
    """Raise Unprocessable naming the first parameter given without an offset."""
    for name, value in values.items():
        if value is not None and value.tzinfo is None:
            raise Unprocessable(f"`{name}` needs an offset, e.g. 2027-03-01T09:00:00+08:00")
