"""How keyword rules and the model combine (pure: no database)."""

from gongdan.triage.classification.prediction import ModelPrediction, RuleSpec, combine, match_rules

MODEL = ModelPrediction(
    version=3,
    suggestions=[("printer-jam", 0.46), ("printer-offline", 0.31), ("login-no-code", 0.08)],
    tags=[("打印机", 0.81), ("VIP", 0.12)],
    sentiment="neutral",
    sentiment_confidence=0.7,
)
PAY = RuleSpec(name="pay", keywords=("支付失败", "payment failed"), category="pay-failed", tags=("支付",))
ANGRY = RuleSpec(name="angry", keywords=("气死", "furious", "unacceptable"), min_hits=2, sentiment="angry")


def test_a_model_guess_below_the_floor_is_not_applied_and_waits_for_triage():
    decision = combine(MODEL, [], floor=0.5, tag_threshold=0.5)
    assert (decision.source, decision.category, decision.confidence) == ("model", "printer-jam", 0.46)
    assert (decision.apply_category, decision.needs_review) == (False, True)
    assert decision.suggestions == [("printer-jam", 0.46), ("printer-offline", 0.31), ("login-no-code", 0.08)]
    assert (decision.tags, decision.sentiment) == (["打印机"], "neutral")


def test_a_model_guess_at_the_floor_is_applied():
    decision = combine(MODEL, [], floor=0.46, tag_threshold=0.5)
    assert (decision.apply_category, decision.needs_review) == (True, False)


def test_a_strong_rule_wins_over_the_model_with_full_confidence():
    matches = match_rules("付款页面提示支付失败", [PAY, ANGRY])
    decision = combine(MODEL, matches, floor=0.5, tag_threshold=0.5)
    assert (decision.source, decision.category, decision.confidence, decision.apply_category) == (
        "rule",
        "pay-failed",
        1.0,
        True,
    )
    assert decision.suggestions == [("pay-failed", 1.0), ("printer-jam", 0.46), ("printer-offline", 0.31)]
    assert decision.tags == ["打印机", "支付"]


def test_a_weak_match_only_adds_a_suggestion_and_a_strong_one_sets_the_sentiment():
    weak = match_rules("This is unacceptable", [ANGRY])
    assert [(m.rule.name, m.hits, m.strong) for m in weak] == [("angry", 1, False)]
    assert combine(None, weak, floor=0.5, tag_threshold=0.5).sentiment == ""
    strong = match_rules("I am FURIOUS, this is unacceptable", [ANGRY])
    decision = combine(None, strong, floor=0.5, tag_threshold=0.5)
    assert (decision.source, decision.sentiment, decision.sentiment_confidence, decision.category) == (
        "rule",
        "angry",
        1.0,
        "",
    )
    assert decision.needs_review is False


def test_without_model_or_rules_nothing_is_decided():
    decision = combine(None, [], floor=0.5, tag_threshold=0.5)
    assert (decision.source, decision.category, decision.needs_review, decision.suggestions) == ("none", "", False, [])


def test_rules_match_traditional_and_full_width_text():
    assert [m.hits for m in match_rules("ＰＡＹＭＥＮＴ FAILED，支付失敗", [PAY])] == [2]
