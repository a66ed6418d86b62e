"""The usage report adds up: per group and in total, whichever way it is grouped."""

import csv
import io
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.ledger import Balance, EntryKind, apply
from service.domain.usage_report import GROUPINGS, Movement, Session, usage, usage_csv

HOLD, RELEASE, USE, FORFEIT = EntryKind.HOLD, EntryKind.RELEASE, EntryKind.USE, EntryKind.FORFEIT
# (final status, what happened to the held minutes: (kind, share of the duration) ...)
PATHS = {
    "confirmed": (),
    "cancelled": ((RELEASE, 1),),
    "declined": ((RELEASE, 1),),
    "late_cancelled": ((FORFEIT, 1),),
    "no_show": ((FORFEIT, 1),),
    "completed": ((USE, 1),),
    "completed_early": ((USE, 0.5), (RELEASE, 0.5)),
}


@st.composite
def programmes(draw):
    sessions, movements = [], []
    balances = {enterprise: Balance(granted_minutes=600) for enterprise in ("e1", "e2")}
    for number in range(draw(st.integers(0, 12))):
        enterprise = draw(st.sampled_from(sorted(balances)))
        duration = draw(st.sampled_from([60, 120]))
        path = draw(st.sampled_from(sorted(PATHS)))
        if balances[enterprise].remaining_minutes < duration:
            continue
        session_id = UUID(int=number + 1)
        status = {"late_cancelled": "cancelled", "completed_early": "completed"}.get(path, path)
        sessions.append(
            Session(
                id=session_id,
                enterprise=enterprise,
                lawyer=draw(st.sampled_from(["l1", "l2", "l3"])),
                practice_area=draw(st.sampled_from(["trademark", "labour"])),
                service="consultation" if duration == 60 else "health_check",
                month=draw(st.sampled_from(["2027-03", "2027-04"])),
                status=status,
                rating=draw(st.none() | st.integers(1, 5)) if status == "completed" else None,
            )
        )
        for kind, share in ((HOLD, 1), *PATHS[path]):
            minutes = int(duration * share)
            movements.append(Movement(session_id, kind, minutes))
            balances[enterprise] = apply(balances[enterprise], kind, minutes)
    return balances, sessions, movements


@settings(max_examples=150, deadline=None)
@given(programmes(), st.sampled_from(GROUPINGS))
def test_the_groups_add_up_to_the_total(programme, group_by):
    balances, sessions, movements = programme
    rows, total = usage(group_by, balances, sessions, movements, {})
    for column in ("held_minutes", "used_minutes", "forfeited_minutes", "sessions", "no_shows"):
        assert sum(getattr(row, column) for row in rows) == getattr(total, column), column
    assert total.granted_minutes == 1200
    if group_by == "enterprise":
        assert {row.group: row.used_minutes for row in rows} == {
            enterprise: balance.used_minutes for enterprise, balance in balances.items()
        }


def test_a_small_programme_by_lawyer_and_as_csv():
    allocations = {"e1": Balance(granted_minutes=600, held_minutes=60, used_minutes=90)}
    sessions = [
        Session(UUID(int=1), "e1", "l1", "trademark", "consultation", "2027-03", "completed", 5),
        Session(UUID(int=2), "e1", "l1", "trademark", "health_check", "2027-03", "completed", 4),
        Session(UUID(int=3), "e1", "l2", "labour", "consultation", "2027-04", "confirmed"),
        Session(UUID(int=4), "e1", "l2", "labour", "consultation", "2027-04", "cancelled"),
    ]
    movements = [
        Movement(UUID(int=1), HOLD, 60),
        Movement(UUID(int=1), USE, 60),
        Movement(UUID(int=2), HOLD, 120),
        Movement(UUID(int=2), USE, 30),
        Movement(UUID(int=2), RELEASE, 90),
        Movement(UUID(int=3), HOLD, 60),
        Movement(UUID(int=4), HOLD, 60),
        Movement(UUID(int=4), RELEASE, 60),
    ]
    labels = {"l1": "王律师", "l2": "Li"}
    rows, total = usage("lawyer", allocations, sessions, movements, labels)
    assert [(r.label, r.used_minutes, r.held_minutes, r.sessions, r.mean_rating) for r in rows] == [
        ("Li", 0, 60, 1, None),
        ("王律师", 90, 0, 2, 4.5),
    ]
    assert (total.granted_minutes, total.sessions, total.rated_sessions) == (600, 3, 2)

    text = usage_csv("lawyer", rows, total)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert table[0][:3] == ["lawyer", "label", "granted_minutes"]
    assert [line[1] for line in table[1:]] == ["Li", "王律师", "total"]
    assert table[1][-1] == ""  # no ratings: an empty cell, not "None"
