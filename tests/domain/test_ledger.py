import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.errors import Unprocessable
from service.domain.ledger import Balance, EntryKind, InsufficientMinutes, apply, replay


def test_hold_use_release_forfeit_move_minutes_between_buckets():
    balance = replay([(EntryKind.GRANT, 600), (EntryKind.HOLD, 120), (EntryKind.HOLD, 60)])
    assert (balance.held_minutes, balance.remaining_minutes) == (180, 420)
    balance = apply(balance, EntryKind.USE, 90)
    balance = apply(balance, EntryKind.RELEASE, 30)
    balance = apply(balance, EntryKind.FORFEIT, 60)
    assert balance == Balance(
        granted_minutes=600, held_minutes=0, used_minutes=90, forfeited_minutes=60
    )
    assert balance.remaining_minutes == 450


def test_hold_beyond_remaining_says_how_much_is_left():
    balance = replay([(EntryKind.GRANT, 600), (EntryKind.HOLD, 540)])
    with pytest.raises(InsufficientMinutes, match="60 minutes left, booking needs 120"):
        apply(balance, EntryKind.HOLD, 120)


def test_top_up_extends_what_can_be_held():
    balance = replay([(EntryKind.GRANT, 60), (EntryKind.TOP_UP, 120)])
    assert apply(balance, EntryKind.HOLD, 180).remaining_minutes == 0


@pytest.mark.parametrize("kind", [EntryKind.USE, EntryKind.RELEASE, EntryKind.FORFEIT])
def test_cannot_settle_more_than_is_held(kind):
    with pytest.raises(Unprocessable, match="only 60 are held"):
        apply(replay([(EntryKind.GRANT, 600), (EntryKind.HOLD, 60)]), kind, 90)


operations = st.lists(
    st.tuples(
        st.sampled_from(list(EntryKind)),
        st.integers(min_value=1, max_value=40).map(lambda n: n * 30),
    ),
    max_size=60,
)


@given(operations)
def test_no_sequence_of_entries_overdraws(entries):
    balance = Balance()
    for kind, minutes in entries:
        try:
            balance = apply(balance, kind, minutes)
        except Unprocessable:
            continue
        assert balance.remaining_minutes >= 0
        assert min(balance.held_minutes, balance.used_minutes, balance.forfeited_minutes) >= 0
