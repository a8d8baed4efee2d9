"""The pure decisions of merging and recurrence, pinned on worked examples (no database)."""

import datetime as dt

import pytest

from gongdan.triage.merging import rules
from gongdan.triage.merging.rules import Gates, PairFacts, Verdict

CLOSE = PairFacts(same_customer=True, hours_apart=3.0, same_category_group=True, both_active=True)
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_a_pair_passing_every_gate_is_proposed():
    assert rules.failed_gates(CLOSE, Gates(), probability=0.4) == []


@pytest.mark.parametrize(
    ("facts", "failed"),
    [
        (PairFacts(False, 3.0, True, True), ["same_customer"]),
        (PairFacts(True, 24.5, True, True), ["window"]),
        (PairFacts(True, 3.0, False, True), ["same_category_group"]),
        (PairFacts(True, 3.0, None, True), ["same_category_group"]),
        (PairFacts(True, 3.0, True, False), ["active"]),
        (PairFacts(False, 30.0, False, True), ["same_customer", "window", "same_category_group"]),
    ],
)
def test_each_gate_names_itself_when_it_fails(facts, failed):
    assert rules.failed_gates(facts, Gates(), probability=0.9) == failed


def test_exactly_24_hours_apart_is_still_inside_the_window():
    assert rules.failed_gates(PairFacts(True, 24.0, True, True), Gates(), probability=0.0) == []


def test_switched_off_gates_let_the_pair_through():
    far = PairFacts(same_customer=False, hours_apart=200.0, same_category_group=None, both_active=True)
    gates = Gates(require_same_customer=False, require_window=False, require_same_category_group=False)
    assert rules.failed_gates(far, gates, probability=0.0) == []


def test_the_probability_gate_applies_only_when_set():
    assert rules.failed_gates(CLOSE, Gates(min_probability=0.6), probability=0.59) == ["min_probability"]
    assert rules.failed_gates(CLOSE, Gates(min_probability=0.6), probability=0.6) == []


def test_the_older_ticket_is_the_master_and_ids_break_ties():
    assert rules.master_first((T0, 9), (T0 + dt.timedelta(minutes=1), 3)) is True
    assert rules.master_first((T0, 9), (T0, 3)) is False


def test_recurrence_window_counts_from_the_close():
    closed = T0
    assert rules.is_recurrence(closed, closed + dt.timedelta(days=30), 30) is True
    assert rules.is_recurrence(closed, closed + dt.timedelta(days=30, seconds=1), 30) is False
    assert rules.is_recurrence(closed, closed - dt.timedelta(seconds=1), 30) is False
    assert rules.recurrence_days_after(closed, closed + dt.timedelta(days=2, hours=12)) == 2.5


@pytest.mark.parametrize(
    ("confirmed", "recurred", "days_since_close", "verdict"),
    [
        (True, False, 31, Verdict.TRUE),
        (True, False, 30, Verdict.TRUE),
        (True, False, 29, Verdict.PENDING),
        (True, True, 31, Verdict.FAILED),
        (False, False, 31, Verdict.NOT_CONFIRMED),
    ],
)
def test_true_resolution_needs_confirmation_and_a_quiet_window(confirmed, recurred, days_since_close, verdict):
    now = T0 + dt.timedelta(days=days_since_close)
    assert rules.resolution_verdict(confirmed=confirmed, recurred=recurred, closed_at=T0, now=now, days=30) == verdict


def test_scenario_keys_ignore_order_case_digits_and_traditional_characters():
    assert rules.scenario_key("打印机卡纸") == "卡纸 打印机"
    assert rules.scenario_key("卡纸了！打印機 #3") == "卡纸 打印机"
    assert rules.scenario_key("Refund NOT received for order 88812") == "order received refund"
