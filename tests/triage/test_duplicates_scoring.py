"""The pair score as pure functions: components, the calibrated probability, the shipped fit."""

from datetime import UTC, datetime

from gongdan.triage.duplicates import calibration, lsh, scoring
from gongdan.triage.duplicates.scoring import Calibration

MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AFTERNOON = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def printer_jam(**overrides):
    fields = {
        "customer_id": 7,
        "device_sn": "sn-001",
        "phones": ["+86 138 0013 8000"],
        "category_group": 1,
        "created_at": MORNING,
    }
    return scoring.features("打印机卡纸\n办公室的打印机一直卡纸", **{**fields, **overrides})


def printer_jam_again_in_traditional_characters():
    return scoring.features(
        "打印機又卡紙了\n打印機卡紙，打不出來",
        customer_id=7,
        device_sn="SN-001",
        phones=["13800138000"],
        category_group=1,
        created_at=AFTERNOON,
    )


def test_a_reworded_report_in_traditional_characters_has_these_exact_components():
    parts = scoring.components(printer_jam(), printer_jam_again_in_traditional_characters())

    # Bigrams: 4 shared (打印 印机 机卡 卡纸) of 20; words: 打印机 卡纸 shared of 6; "打不出來" is negated.
    assert parts == {
        "text": 0.2,
        "words": 0.3333,
        "numbers_differ": 0.0,
        "negation_differs": 1.0,
        "opposite": 0.0,
        "cross_language": 0.0,
        "same_customer": 1.0,
        "same_device_sn": 1.0,
        "same_phone": 1.0,
        "same_category_group": 1.0,
        "hours_apart": 6.5,
    }


def test_the_text_alone_scores_and_the_same_requester_makes_it_the_same_request():
    score = scoring.score(printer_jam(), printer_jam_again_in_traditional_characters(), Calibration.default())

    # Lexical model: z = −1.1436 + 5.302·0.2 + 0.0643·0.3333 − 0.9644·1 = −1.0274 → 0.2638
    assert (score.problem, score.probability, score.kind) == (0.2638, 0.2638, scoring.Kind.REQUEST)


def test_structure_cannot_raise_the_probability_and_another_customer_makes_it_the_same_problem():
    again = printer_jam_again_in_traditional_characters()
    stranger = scoring.features(again.text, customer_id=99, created_at=AFTERNOON)

    same_requester = scoring.score(printer_jam(), again, Calibration.default())
    other_requester = scoring.score(printer_jam(), stranger, Calibration.default())

    assert other_requester.problem == same_requester.problem == 0.2638
    assert (other_requester.probability, other_requester.kind) == (0.0, scoring.Kind.PROBLEM)


def test_identical_text_from_two_customers_is_the_same_problem_whenever_they_wrote():
    a = printer_jam()
    b = scoring.features(a.text, customer_id=42, created_at=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))

    score = scoring.score(a, b, Calibration.default())

    assert (score.problem, score.probability, score.kind) == (0.99, 0.0, scoring.Kind.PROBLEM)


def test_the_same_customer_a_week_later_is_not_the_same_request():
    later = scoring.features(printer_jam().text, customer_id=7, created_at=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))

    score = scoring.score(printer_jam(), later, Calibration.default())

    assert (score.problem, score.probability, score.kind) == (0.99, 0.0, scoring.Kind.PROBLEM)


def test_out_of_paper_is_not_a_paper_jam_from_another_customer():
    out_of_paper = scoring.features(
        "打印机缺纸\n办公室打印机提示缺纸", customer_id=8, category_group=1, created_at=AFTERNOON
    )

    score = scoring.score(printer_jam(), out_of_paper, Calibration.default(), embedding=0.93)

    assert score.components["text"] == 0.2778 and score.components["words"] == 0.4
    # Semantic model: z = −10.2886 + 10.1353·0.93 + 4.5743·0.2778 − 0.8669·0.4 = 0.0614 → 0.5153,
    # below the threshold; and another customer's ticket is never the same request.
    assert (score.problem, score.probability) == (0.5153, 0.0)


def test_trap_signals_numbers_negation_opposites_and_language():
    assert scoring.numbers_differ("订单 20261101 未发货", "订单 20261102 未发货") == 1.0
    assert scoring.numbers_differ("订单 20261101 未发货", "订单20261101还没发") == 0.0
    assert scoring.numbers_differ("订单 20261101 未发货", "订单没发货") == 0.0
    assert scoring.negation_differs("退款没到账", "退款到账了两次") == 1.0
    assert scoring.opposite("空调不制冷", "空调不制热") == 1.0
    assert scoring.opposite("空调不制冷", "空调还是不制冷") == 0.0
    assert scoring.cross_language("打印机卡纸", "printer jam") == 1.0


def test_phone_numbers_compare_without_the_country_code_and_are_read_from_the_text():
    assert scoring.canonical_phone("+86 139-1234-5678") == "13912345678"
    assert scoring.phones_in("请回电 +86 13912345678 或 021-5555") == {"13912345678"}


def test_an_embedding_cosine_is_reported_as_a_component():
    parts = scoring.components(printer_jam(), printer_jam(customer_id=9), embedding=0.91234)

    assert (parts["embedding"], parts["embedding_cross"]) == (0.9123, 0.0)


def test_band_hashes_are_the_same_for_simplified_and_traditional_text_and_empty_without_letters():
    assert lsh.band_hashes("打印机卡纸了") == lsh.band_hashes("打印機卡紙了")
    assert len(lsh.band_hashes("打印机卡纸了")) == 20
    assert lsh.band_hashes("！？ …") == []


def test_auc_counts_ties_as_half_and_is_one_for_a_perfect_ranking():
    assert calibration.auc([(0.9, 1), (0.8, 1), (0.1, 0)]) == 1.0
    assert calibration.auc([(0.5, 1), (0.5, 0)]) == 0.5
    assert calibration.auc([(0.9, 1), (0.2, 1), (0.5, 0), (0.1, 0)]) == 0.75


def test_one_nightly_refit_moves_each_coefficient_at_most_the_step():
    old = Calibration.default()
    wild = Calibration(5.0, {**old.coefficients, "embedding": 40.0, "text": 4.7}, -1.1436, old.lexical_coefficients)

    bounded = calibration.bounded_step(old, wild, step=0.5)

    assert bounded.intercept == -9.7886
    assert bounded.coefficients["embedding"] == 10.6353
    assert bounded.coefficients["text"] == 4.7
    assert bounded.coefficients["words"] == -0.8669


def test_metrics_and_the_calibration_table_on_a_worked_example():
    scored = [(0.95, 1), (0.9, 1), (0.85, 0), (0.5, 1), (0.1, 0)]

    metrics = calibration.metrics_at(scored, 0.82)
    table = calibration.calibration_table(scored, [0.0, 0.5, 1.0])

    assert (metrics.flagged, metrics.true_positives, metrics.positives) == (3, 2, 3)
    assert round(metrics.precision, 4) == 0.6667 and round(metrics.f1, 4) == 0.6667
    assert [(b.pairs, round(b.mean_probability, 4), round(b.duplicate_share, 4)) for b in table] == [
        (1, 0.1, 0.0),
        (4, 0.8, 0.75),
    ]
