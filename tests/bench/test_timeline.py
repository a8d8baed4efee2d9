"""Each generated ticket's history: ordered, shaped like the services' events, consistent with its status."""

from datetime import UTC, datetime, timedelta

import pytest

from bench import workload as w
from bench.timeline import LONG_TIMELINE, STATUS_LABELS, Planner, active_share

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
SIZE = w.Size("test", 1500, 400, 120)


@pytest.fixture(scope="module")
def planned():
    planner = Planner(NOW, w.SEED)
    return [(spec, planner.plan(spec)) for spec in w.Generator(SIZE, NOW).tickets()]


def test_old_tickets_are_mostly_finished_and_new_ones_mostly_active():
    assert active_share(timedelta(hours=5)) == 0.9
    assert active_share(timedelta(days=10)) == 0.5
    assert active_share(timedelta(days=30)) == 0.1
    assert active_share(timedelta(days=90)) == 0.02


def test_every_timeline_starts_with_creation_and_runs_forward_until_now(planned):
    for spec, outcome in planned:
        assert outcome.events[0].event_type == "created"
        assert outcome.events[0].at == spec.created_at
        moments = [event.at for event in outcome.events]
        assert moments == sorted(moments)
        assert moments[-1] < NOW


def test_the_last_status_event_names_the_final_status(planned):
    for _spec, outcome in planned:
        moves = [event for event in outcome.events if event.new and "kind" in event.new]
        final = moves[-1].new["status"] if moves else "new"
        assert final == outcome.status
        assert outcome.status in STATUS_LABELS


def test_first_response_is_one_public_effective_reply_at_the_recorded_time(planned):
    for _spec, outcome in planned:
        firsts = [event for event in outcome.events if event.first_response]
        if outcome.first_response_at is None:
            assert firsts == []
        else:
            assert len(firsts) == 1
            assert (firsts[0].event_type, firsts[0].is_public, firsts[0].is_effective) == ("reply", True, True)
            assert firsts[0].at == outcome.first_response_at


def test_closed_tickets_were_resolved_first_and_only_duplicates_are_merged(planned):
    for spec, outcome in planned:
        if outcome.status == "closed":
            assert outcome.resolved_at <= outcome.closed_at
            assert outcome.closure_kind in ("customer_confirmed", "auto_closed")
        if outcome.status == "merged":
            assert spec.duplicate_of is not None and outcome.merged


def test_about_ten_events_per_ticket(planned):
    events = sum(len(outcome.events) for _spec, outcome in planned)
    assert 8 <= events / len(planned) <= 12


def test_the_long_ticket_has_a_hundred_events_and_stays_open():
    spec = list(w.Generator(SIZE, NOW).tickets())[-1]
    outcome = Planner(NOW, w.SEED).plan(spec, long=True)
    assert len(outcome.events) == LONG_TIMELINE == 100
    assert outcome.status == "open"
    assert [event.at for event in outcome.events] == sorted(event.at for event in outcome.events)
