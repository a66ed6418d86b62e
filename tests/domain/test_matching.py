"""Ranking across lawyers: the lazy merge keeps the best slots in order, pulling few."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.matching import Candidate, rank
from service.domain.slots import Interval

WINDOW_START = datetime(2027, 3, 1, 1, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=14)


@st.composite
def lawyers(draw) -> tuple[dict[UUID, Candidate], dict[UUID, list[Interval]]]:
    count = draw(st.integers(1, 6))
    candidates, slots = {}, {}
    for number in range(count):
        lawyer_id = UUID(int=number + 1)
        candidates[lawyer_id] = Candidate(
            lawyer_id,
            served_minutes=draw(st.sampled_from([0, 60, 120, 600])),
            area_match=draw(st.sampled_from(["exact", "broader"])),
        )
        steps = sorted(draw(st.sets(st.integers(0, 14 * 48 - 2), max_size=12)))
        starts = [WINDOW_START + timedelta(minutes=30 * step) for step in steps]
        slots[lawyer_id] = [Interval(start, start + timedelta(hours=1)) for start in starts]
    return candidates, slots


def ranked(candidates, slots, limit, pulled=None):
    def counted(lawyer_id):
        for slot in slots[lawyer_id]:
            if pulled is not None:
                pulled.append(lawyer_id)
            yield slot

    return rank(
        {lawyer_id: counted(lawyer_id) for lawyer_id in slots},
        candidates,
        WINDOW_START,
        WINDOW_END,
        limit,
    )


@settings(max_examples=200, deadline=None)
@given(lawyers(), st.integers(1, 20))
def test_the_best_few_are_the_head_of_the_whole_ranking_and_few_slots_are_pulled(world, limit):
    candidates, slots = world
    everything = ranked(candidates, slots, limit=10**6)
    assert sorted((s.lawyer_id, s.start) for s in everything) == sorted(
        (lawyer_id, slot.start)
        for lawyer_id, lawyer_slots in slots.items()
        for slot in lawyer_slots
    )
    assert everything == sorted(everything, key=lambda s: (-s.score, s.start, str(s.lawyer_id)))
    pulled: list[UUID] = []
    assert ranked(candidates, slots, limit, pulled) == everything[:limit]
    assert len(pulled) <= limit + len(slots)


def test_fairness_then_exact_match_then_earliest():
    fresh, busy = UUID(int=1), UUID(int=2)
    candidates = {
        fresh: Candidate(fresh, served_minutes=0, area_match="broader"),
        busy: Candidate(busy, served_minutes=600, area_match="exact"),
    }
    early = Interval(WINDOW_START, WINDOW_START + timedelta(hours=1))
    late = Interval(WINDOW_END - timedelta(hours=1), WINDOW_END)
    best = ranked(candidates, {fresh: [late], busy: [early]}, limit=2)
    assert [slot.lawyer_id for slot in best] == [fresh, busy]
    assert "served 0 minutes" in best[0].reason and "broader" in best[0].reason
