"""The pair score as pure functions: components, the calibrated probability, the shipped fit."""

from datetime import UTC, datetime

import pytest

from gongdan.triage.duplicates import calibration, dataset, evaluation, lsh, scoring
from gongdan.triage.duplicates.scoring import Calibration
from gongdan.triage.duplicates_constants import DEFAULT_MODEL, DEFAULT_THRESHOLD

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

    # Bigrams: 4 shared (打印 印机 机卡 卡纸) of 20; words: 打印机 卡纸 shared of 6.
    assert parts == {
        "text": 0.2,
        "words": 0.3333,
        "same_customer": 1.0,
        "same_device_sn": 1.0,
        "same_phone": 1.0,
        "same_category_group": 1.0,
        "hours_apart": 6.5,
    }


def test_the_shipped_calibration_flags_the_reworded_report_above_the_threshold():
    score = scoring.score(printer_jam(), printer_jam_again_in_traditional_characters(), Calibration.default())

    # recency r = 1/(1+6.5/24) = 0.7869; z = −7.3198 + 0.9543·0.2 + 1.3043·0.3333 + 0.7593 + 1.0945 + 1.3915
    #   + 0.2053 + 2.0034·r + 4.8564·0.2·r + 3.3196·r = 1.7085
    assert score.probability == 0.8467


def test_out_of_paper_is_not_a_paper_jam_from_another_customer():
    out_of_paper = scoring.features(
        "打印机缺纸\n办公室打印机提示缺纸", customer_id=8, category_group=1, created_at=AFTERNOON
    )

    score = scoring.score(printer_jam(), out_of_paper, Calibration.default())

    assert score.components == {
        "text": 0.2778,
        "words": 0.4,
        "same_customer": 0.0,
        "same_device_sn": 0.0,
        "same_phone": 0.0,
        "same_category_group": 1.0,
        "hours_apart": 6.5,
    }
    assert score.probability == 0.0244


def test_the_recency_input_halves_after_a_day_and_a_missing_embedding_counts_as_zero():
    vector = scoring.feature_vector({"text": 0.5, "hours_apart": 24.0})

    # text, words, same customer, device, phone, group, recency, text × recency, customer × recency, embedding
    assert vector == [0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.25, 0.0, 0.0]


def test_phone_numbers_compare_without_the_country_code_and_are_read_from_the_text():
    assert scoring.canonical_phone("+86 139-1234-5678") == "13912345678"
    assert scoring.phones_in("请回电 +86 13912345678 或 021-5555") == {"13912345678"}


def test_an_embedding_cosine_is_reported_as_a_component():
    parts = scoring.components(printer_jam(), printer_jam(customer_id=9), embedding=0.91234)

    assert parts["embedding"] == 0.9123
    assert scoring.cosine([1.0, 0.0], [1.0, 1.0]) == pytest.approx(0.7071, abs=1e-4)


def test_band_hashes_are_the_same_for_simplified_and_traditional_text_and_empty_without_letters():
    assert lsh.band_hashes("打印机卡纸了") == lsh.band_hashes("打印機卡紙了")
    assert len(lsh.band_hashes("打印机卡纸了")) == 20
    assert lsh.band_hashes("！？ …") == []


def test_the_shipped_coefficients_are_the_fit_on_the_generated_training_pairs():
    fitted = calibration.fit(dataset.training_pairs())

    assert fitted.intercept == DEFAULT_MODEL["intercept"]
    assert dict(fitted.coefficients) == DEFAULT_MODEL["coefficients"]


def test_on_held_out_pairs_at_least_82_percent_of_flagged_pairs_are_true_duplicates():
    report = evaluation.evaluate(Calibration.default(), DEFAULT_THRESHOLD)

    assert (report.training_pairs, report.held_out_pairs, report.held_out_duplicates) == (1255, 473, 145)
    assert report.at_threshold.flagged == 100
    assert report.at_threshold.true_positives == 98
    assert round(report.at_threshold.precision, 3) == 0.98
    assert round(report.at_threshold.recall, 3) == 0.676
    assert round(report.candidate_recall, 3) == 0.993


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
