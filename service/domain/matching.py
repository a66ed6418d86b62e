"""Rank candidate slots across lawyers, deterministically, with a reason for each.

Fairness first (the lawyer who has served the fewest minutes in this programme), then how
well the practice area matches (exact beats a broader area), then the earliest start.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from uuid import UUID

from service.domain.slots import Interval

FAIRNESS_WEIGHT = 60
MATCH_WEIGHT = 30
EARLINESS_WEIGHT = 10


@dataclass(frozen=True)
class Candidate:
    lawyer_id: UUID
    served_minutes: int  # given in this programme so far
    area_match: str  # "exact" or "broader"


@dataclass(frozen=True)
class RankedSlot:
    lawyer_id: UUID
    start: datetime
    end: datetime
    score: float
    reason: str


def base_score(candidate: Candidate, most_served: int) -> float:
    """The part of a slot's score that depends on the lawyer, not on the time."""
    fairness = 1.0 - candidate.served_minutes / most_served if most_served else 1.0
    match = 1.0 if candidate.area_match == "exact" else 0.5
    return FAIRNESS_WEIGHT * fairness + MATCH_WEIGHT * match


def rank(
    slots_by_lawyer: dict[UUID, Iterable[Interval]],
    candidates: dict[UUID, Candidate],
    window_start: datetime,
    window_end: datetime,
    limit: int,
) -> list[RankedSlot]:
    """The best `limit` slots; each lawyer's slots come sorted by start.

    Within one lawyer the score only falls as the start moves later, so the lawyers' slots are
    merged lazily: a lazy iterator per lawyer is pulled only as far as the best slots reach.
    """
    most_served = max((c.served_minutes for c in candidates.values()), default=0)
    window_seconds = max((window_end - window_start).total_seconds(), 1.0)

    def scored(lawyer_id: UUID, slots: Iterable[Interval]) -> Iterator[RankedSlot]:
        candidate = candidates[lawyer_id]
        base = base_score(candidate, most_served)
        reason = (
            f"served {candidate.served_minutes} minutes in this programme "
            f"(most served: {most_served}); {candidate.area_match} practice-area match"
        )
        for slot in slots:
            earliness = 1.0 - (slot.start - window_start).total_seconds() / window_seconds
            score = round(base + EARLINESS_WEIGHT * earliness, 3)
            yield RankedSlot(lawyer_id, slot.start, slot.end, score, reason)

    merged = heapq.merge(
        *(scored(lawyer_id, slots) for lawyer_id, slots in slots_by_lawyer.items()),
        key=lambda slot: (-slot.score, slot.start, str(slot.lawyer_id)),
    )
    return list(islice(merged, limit))
