"""The scoring formula pinned on worked examples (pure: no database)."""

from datetime import date

import pytest
from pydantic import ValidationError

from gongdan.triage.constants import DEFAULT_RULES
from gongdan.triage.scoring import RuleConfig, TicketFacts, WindowSpec, ab_group, score_ticket, window_active

RULES = RuleConfig.model_validate(DEFAULT_RULES)
PAYMENT = ("payment", "pay", "pay-failed")
PROMOTION = WindowSpec(
    name="Double 11",
    kind="promotion",
    recurrence="once",
    points=10,
    category_overrides={"pay-failed": "P0"},
    starts_on=date(2026, 11, 10),
    ends_on=date(2026, 11, 12),
)


def test_a_payment_failure_outside_a_promotion_is_p2_by_its_band():
    result = score_ticket(TicketFacts(text="付款时报错", category_codes=PAYMENT), RULES, [])
    assert (result["score"], result["priority"], result["decided_by"]) == (35.0, "P2", "band")
    assert result["base"] == {
        "fault_type": "payment",
        "fault_source": "category: payment",
        "fault_points": 35.0,
        "scope": "single",
        "scope_source": "no signal",
        "scope_factor": 1.0,
        "points": 35.0,
    }
    assert result["override"] is None


def test_a_payment_failure_during_a_promotion_is_p0_by_the_window_override():
    result = score_ticket(TicketFacts(text="付款时报错", category_codes=PAYMENT), RULES, [PROMOTION])
    assert (result["score"], result["priority"], result["decided_by"]) == (45.0, "P0", "override")
    assert result["context"] == {"windows": ["Double 11"], "points": 10.0}
    assert result["override"] == {"priority": "P0", "window": "Double 11", "category": "pay-failed"}


def test_a_vip_scales_base_and_context_by_1_8():
    result = score_ticket(TicketFacts(text="付款时报错", category_codes=PAYMENT, customer_tier="vip"), RULES, [])
    assert result["tier"] == {"tier": "vip", "coefficient": 1.8, "points": 28.0}
    assert (result["score"], result["priority"]) == (63.0, "P1")


def test_a_vip_during_a_promotion_scores_81_and_keeps_the_override():
    facts = TicketFacts(text="付款时报错", category_codes=PAYMENT, customer_tier="vip")
    result = score_ticket(facts, RULES, [PROMOTION])
    assert (result["tier"]["points"], result["score"], result["priority"]) == (36.0, 81.0, "P0")


def test_an_outage_for_all_stores_is_p0_from_the_text_alone():
    result = score_ticket(TicketFacts(text="收银系统宕机，所有门店无法收款"), RULES, [])
    assert result["base"]["fault_source"] == "text: 宕机"
    assert result["base"]["scope_source"] == "text: 所有门店"
    assert (result["base"]["points"], result["score"], result["priority"]) == (100.0, 100.0, "P0")


def test_english_cues_whole_office_and_a_fault_code():
    result = score_ticket(TicketFacts(text="Printer jams for the whole office", fault_code="E-JAM"), RULES, [])
    assert (result["base"]["fault_type"], result["base"]["scope"]) == ("fault", "site")
    assert (result["score"], result["priority"]) == (48.0, "P2")


def test_a_ticket_without_signals_keeps_the_default_priority():
    result = score_ticket(TicketFacts(text="A question about my account"), RULES, [])
    assert (result["score"], result["priority"], result["decided_by"], result["signals"]) == (
        30.0,
        "P2",
        "no signals",
        False,
    )


def test_history_adds_five_points_per_complaint_up_to_twenty():
    three = score_ticket(TicketFacts(text="x", fault_code="E-1", complaints=3), RULES, [])
    six = score_ticket(TicketFacts(text="x", fault_code="E-1", complaints=6), RULES, [])
    assert (three["history"]["points"], three["score"], three["priority"]) == (15.0, 45.0, "P2")
    assert (six["history"]["points"], six["score"], six["priority"]) == (20.0, 50.0, "P2")


def test_a_large_organization_widens_the_scope_to_several_people():
    result = score_ticket(TicketFacts(text="x", fault_code="E-1", organization_size=25), RULES, [])
    assert (result["base"]["scope"], result["base"]["points"], result["priority"]) == ("group", 39.0, "P2")


def test_a_question_from_a_single_standard_customer_falls_to_p4_band_only_with_a_signal():
    result = score_ticket(TicketFacts(text="x", category_codes=("account",)), RULES, [])
    assert (result["score"], result["priority"]) == (10.0, "P4")


def test_month_end_windows_cover_the_last_days_of_each_month():
    month_end = WindowSpec(name="Month-end", kind="month_end", recurrence="month_end", points=5, last_days=3)
    assert [d for d in range(25, 31) if window_active(month_end, date(2026, 11, d))] == [28, 29, 30]
    assert [d for d in range(24, 29) if window_active(month_end, date(2027, 2, d))] == [26, 27, 28]


def test_one_off_windows_include_both_end_days():
    assert [d for d in range(9, 14) if window_active(PROMOTION, date(2026, 11, d))] == [10, 11, 12]


def test_the_ab_split_is_deterministic_by_ticket_id():
    assert [i for i in range(1, 101) if ab_group(i, 10) == "B"] == [8, 19, 30, 41, 49, 52, 60, 71, 82, 93]
    assert sum(ab_group(i, 10) == "B" for i in range(1, 10_001)) == 1001
    assert [i for i in range(1, 101) if ab_group(i, 0) == "B"] == []


@pytest.mark.parametrize(
    "change",
    [{"bands": [["P0", 90], ["P1", 10]]}, {"default_priority": "P9"}, {"scope_factors": {"single": 1.0}}],
)
def test_invalid_rule_sets_are_refused(change):
    with pytest.raises(ValidationError):
        RuleConfig.model_validate({**DEFAULT_RULES, **change})
