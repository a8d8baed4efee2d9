"""The transition table itself (pure), pinned cell by cell."""

import pytest

from gongdan.tickets import lifecycle
from gongdan.tickets.constants import StatusKind as K

KINDS = [K.NEW, K.OPEN, K.PENDING, K.ON_HOLD, K.RESOLVED, K.CLOSED, K.MERGED]

# (from, to) -> "ok" | "reason" (allowed with a reason) ; missing pairs are refused.
EXPECTED = {
    (K.NEW, K.OPEN): "ok",
    (K.NEW, K.PENDING): "ok",
    (K.NEW, K.ON_HOLD): "ok",
    (K.NEW, K.RESOLVED): "ok",
    (K.NEW, K.MERGED): "ok",
    (K.OPEN, K.PENDING): "ok",
    (K.OPEN, K.ON_HOLD): "ok",
    (K.OPEN, K.RESOLVED): "ok",
    (K.OPEN, K.MERGED): "ok",
    (K.PENDING, K.OPEN): "ok",
    (K.PENDING, K.ON_HOLD): "ok",
    (K.PENDING, K.RESOLVED): "ok",
    (K.PENDING, K.MERGED): "ok",
    (K.ON_HOLD, K.OPEN): "ok",
    (K.ON_HOLD, K.PENDING): "ok",
    (K.ON_HOLD, K.RESOLVED): "ok",
    (K.ON_HOLD, K.MERGED): "ok",
    (K.RESOLVED, K.OPEN): "reason",
    (K.RESOLVED, K.CLOSED): "reason",
    (K.CLOSED, K.OPEN): "reason",
}


@pytest.mark.parametrize("source", KINDS)
@pytest.mark.parametrize("target", KINDS)
def test_every_pair_of_kinds_follows_the_table(source, target):
    rule = lifecycle.rule_for(source, target)
    expected = EXPECTED.get((source, target))
    assert rule.allowed is (expected is not None)
    if expected is not None:
        assert rule.needs_reason is (expected == "reason")


def test_merged_is_a_dead_end():
    assert lifecycle.allowed_targets(K.MERGED) == []


def test_only_active_kinds_merge_and_only_the_system_unmerges_back_to_them():
    assert {K.NEW, K.OPEN, K.PENDING, K.ON_HOLD} == lifecycle.MERGEABLE_KINDS
    unmerges = {(K.MERGED, kind) for kind in (K.NEW, K.OPEN, K.PENDING, K.ON_HOLD)}
    assert unmerges <= lifecycle.SYSTEM_ONLY
    assert (K.MERGED, K.RESOLVED) not in lifecycle.SYSTEM_ONLY
