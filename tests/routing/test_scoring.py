"""The pure routing maths on worked examples (no database)."""

from datetime import datetime, time

import pytest

from gongdan.routing import scoring
from gongdan.routing.constants import AgentState, FieldFallback, Strategy
from gongdan.routing.scoring import Candidate, Engineer, Need, ShiftWindow, Weights

WEIGHTS = Weights(
    skill=10, load=1, seniority=2, vip_min_seniority=3, load_by_priority={"P0": 5, "P1": 3, "P2": 2, "P3": 1, "P4": 1}
)
ANNA = Candidate(1, "Anna", AgentState.ON_SHIFT, {"network": 4}, 2, {"P0": 1, "P2": 2})
BO = Candidate(2, "Bo", AgentState.ON_SHIFT, {"network": 5, "db": 2}, 4, {"P3": 3})
CHEN = Candidate(3, "Chen", AgentState.ON_SHIFT, {"network": 2}, 5, {})
DING = Candidate(4, "Ding", AgentState.ON_BREAK, {"network": 5}, 5, {})
ERIC = Candidate(5, "Eric", AgentState.ON_SHIFT, {"network": 3}, 1, {"P1": 1})
TEAM = [ANNA, BO, CHEN, DING, ERIC]
NETWORK = Need(skills={"network": 3})


def names(ranked):
    return [(r.candidate.name, r.score) for r in ranked]


def test_weighted_load_counts_a_p0_as_five_and_a_p2_as_two():
    assert scoring.weighted_load({"P0": 1, "P2": 2}, WEIGHTS.load_by_priority) == 9.0
    assert scoring.weighted_load({}, WEIGHTS.load_by_priority) == 0.0


def test_skill_fit_is_mean_proficiency_over_five_and_none_when_too_weak():
    assert scoring.skill_fit({"network": 4}, {"network": 3}) == 0.8
    assert scoring.skill_fit({"network": 5, "db": 2}, {"network": 3, "db": 2}) == 0.7
    assert scoring.skill_fit({"network": 2}, {"network": 3}) is None
    assert scoring.skill_fit({}, {"db": 1}) is None
    assert scoring.skill_fit({}, {}) == 1.0


def test_best_match_prefers_skill_and_low_load_and_skips_the_unqualified_and_those_on_break():
    ranked = scoring.rank(Strategy.BEST_MATCH, TEAM, NETWORK, WEIGHTS, None)
    # Bo 10*1.0 - 3 = 7; Eric 10*0.6 - 3 = 3; Anna 10*0.8 - 9 = -1; Chen too weak; Ding on break.
    assert names(ranked) == [("Bo", 7.0), ("Eric", 3.0), ("Anna", -1.0)]


def test_a_vip_ticket_goes_to_senior_agents_with_seniority_in_the_score():
    ranked = scoring.rank(Strategy.BEST_MATCH, TEAM, Need(skills={"network": 3}, vip=True), WEIGHTS, None)
    assert names(ranked) == [("Bo", 15.0)]  # 10 - 3 + 2*4; Anna (2) and Eric (1) are not senior


def test_a_vip_ticket_falls_back_to_any_qualified_agent_when_no_senior_is_on_shift():
    ranked = scoring.rank(Strategy.BEST_MATCH, [ANNA, ERIC], Need(skills={"network": 3}, vip=True), WEIGHTS, None)
    assert names(ranked) == [("Eric", 5.0), ("Anna", 3.0)]  # 6 - 3 + 2; 8 - 9 + 4


def test_least_loaded_orders_by_weighted_load_then_ticket_count():
    ranked = scoring.rank(Strategy.LEAST_LOADED, TEAM, NETWORK, WEIGHTS, None)
    # Eric (one P1) and Bo (three P3s) both weigh 3; Eric has fewer tickets.
    assert [(r.candidate.name, r.load) for r in ranked] == [("Eric", 3.0), ("Bo", 3.0), ("Anna", 9.0)]


def test_round_robin_continues_after_the_last_assignee_and_wraps_around():
    assert scoring.round_robin_order([5, 1, 2], None) == [1, 2, 5]
    assert scoring.round_robin_order([5, 1, 2], 2) == [5, 1, 2]
    assert scoring.round_robin_order([5, 1, 2], 5) == [1, 2, 5]
    assert scoring.round_robin_order([5, 1, 2], 3) == [5, 1, 2]
    ranked = scoring.rank(Strategy.ROUND_ROBIN, TEAM, NETWORK, WEIGHTS, 1)
    assert [r.candidate.name for r in ranked] == ["Bo", "Eric", "Anna"]


def test_manual_strategy_ranks_nobody():
    assert scoring.rank(Strategy.MANUAL, TEAM, NETWORK, WEIGHTS, None) == []


def test_the_explanation_lists_the_top_candidates_with_their_scores():
    ranked = scoring.rank(Strategy.BEST_MATCH, TEAM, NETWORK, WEIGHTS, None)
    assert scoring.explain(Strategy.BEST_MATCH, ranked, 2) == (
        "strategy=best_match\n"
        "1. Bo: score 7 (skills 1, load 3, seniority 4)\n"
        "2. Eric: score 3 (skills 0.6, load 3, seniority 1)"
    )


MONDAY = [ShiftWindow(0, time(9), time(18))]
FRIDAY_NIGHT = [ShiftWindow(4, time(22), time(6))]
SUNDAY_NIGHT = [ShiftWindow(6, time(22), time(6))]


@pytest.mark.parametrize(
    ("availability", "shifts", "moment", "state"),
    [
        ("on_shift", [], datetime(2026, 11, 23, 3, 0), "on_shift"),
        ("on_shift", MONDAY, datetime(2026, 11, 23, 10, 0), "on_shift"),
        ("on_shift", MONDAY, datetime(2026, 11, 23, 18, 0), "off"),
        ("on_shift", MONDAY, datetime(2026, 11, 24, 10, 0), "off"),
        ("on_shift", FRIDAY_NIGHT, datetime(2026, 11, 27, 23, 0), "on_shift"),
        ("on_shift", FRIDAY_NIGHT, datetime(2026, 11, 28, 5, 59), "on_shift"),
        ("on_shift", FRIDAY_NIGHT, datetime(2026, 11, 28, 6, 0), "off"),
        ("on_shift", SUNDAY_NIGHT, datetime(2026, 11, 23, 3, 0), "on_shift"),
        ("on_break", MONDAY, datetime(2026, 11, 23, 10, 0), "on_break"),
        ("off", [], datetime(2026, 11, 23, 10, 0), "off"),
    ],
)
def test_agent_state_from_availability_and_planned_shifts(availability, shifts, moment, state):
    assert scoring.agent_state(availability, shifts, moment) == state


@pytest.mark.parametrize(
    ("waiting", "threshold", "is_open"), [(0, 3, False), (3, 3, False), (4, 3, True), (1, 0, True)]
)
def test_the_breaker_opens_only_above_its_threshold(waiting, threshold, is_open):
    assert scoring.breaker_should_be_open(waiting, threshold) is is_open


def test_the_open_breaker_holds_only_the_configured_priorities():
    assert scoring.breaker_holds("P3", True, ["P3", "P4"]) is True
    assert scoring.breaker_holds("P2", True, ["P3", "P4"]) is False
    assert scoring.breaker_holds("P4", False, ["P3", "P4"]) is False


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((31.2304, 121.4737), (39.9042, 116.4074), 1067.3),  # Shanghai – Beijing
        ((23.1291, 113.2644), (22.5431, 114.0579), 104.2),  # Guangzhou – Shenzhen
        ((31.2304, 121.4737), (30.2741, 120.1551), 164.9),  # Shanghai – Hangzhou
        ((31.2304, 121.4737), (31.2304, 121.4737), 0.0),
    ],
)
def test_great_circle_distance_between_known_cities(a, b, km):
    assert round(scoring.haversine_km(*a, *b), 1) == km


NOW = datetime(2026, 11, 23, 10, 0)


def test_position_is_the_fresh_last_known_place_else_home():
    home, last = (31.23, 121.47), (30.27, 120.16)
    assert scoring.position(home, last, datetime(2026, 11, 23, 3, 0), NOW, 8) == last
    assert scoring.position(home, last, datetime(2026, 11, 23, 1, 59), NOW, 8) == home
    assert scoring.position(home, (None, None), None, NOW, 8) == home
    assert scoring.position((None, None), (None, None), None, NOW, 8) is None


SHANGHAI_SITE = (31.2304, 121.4737)
SUZHOU = Engineer(1, "Suzhou", 31.2989, 120.5853)
HANGZHOU = Engineer(2, "Hangzhou", 30.2741, 120.1551)
BEIJING = Engineer(3, "Beijing", 39.9042, 116.4074)


def test_engineers_are_ranked_by_distance_and_the_nearest_in_range_is_chosen():
    ranked = scoring.by_distance([BEIJING, HANGZHOU, SUZHOU], *SHANGHAI_SITE)
    assert [(d.engineer.name, d.km) for d in ranked] == [("Suzhou", 84.8), ("Hangzhou", 164.9), ("Beijing", 1067.3)]
    choice, fallback = scoring.choose_engineer(ranked, 100, FieldFallback.LEAD_QUEUE)
    assert (choice.engineer.name, fallback) == ("Suzhou", False)


def test_out_of_range_the_fallback_decides_between_the_lead_and_the_nearest_anywhere():
    ranked = scoring.by_distance([BEIJING, HANGZHOU], *SHANGHAI_SITE)
    assert scoring.choose_engineer(ranked, 50, FieldFallback.LEAD_QUEUE) == (None, True)
    choice, fallback = scoring.choose_engineer(ranked, 50, FieldFallback.NEAREST_ANYWHERE)
    assert (choice.engineer.name, choice.km, fallback) == ("Hangzhou", 164.9, True)
    assert scoring.choose_engineer([], 50, FieldFallback.NEAREST_ANYWHERE) == (None, True)


def test_only_engineers_on_shift_are_sent():
    off = Engineer(4, "Songjiang", 31.0323, 121.2277, AgentState.OFF)
    ranked = scoring.by_distance([off, SUZHOU], *SHANGHAI_SITE)
    assert [(d.engineer.name, d.km) for d in ranked] == [("Songjiang", 32.1), ("Suzhou", 84.8)]
    choice, fallback = scoring.choose_engineer(ranked, 50, FieldFallback.NEAREST_ANYWHERE)
    assert (choice.engineer.name, fallback) == ("Suzhou", True)
