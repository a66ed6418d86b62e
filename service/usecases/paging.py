from __future__ import annotations

from dataclasses import dataclass

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1  # both databases take it; past it a list is empty anyway


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0
