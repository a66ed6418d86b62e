from __future__ import annotations

from dataclasses import dataclass

MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0
