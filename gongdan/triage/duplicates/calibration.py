"""Fitting and checking the calibration: a logistic regression over the pair components.

Logistic regression is calibrated by construction on the distribution it was fitted on (its
log-loss is a proper scoring rule), so "probability ≥ 0.82" can be read as "at least 82% of such
pairs are duplicates"; `calibration_table` and `metrics_at` check that on held-out pairs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gongdan.triage.duplicates import scoring
from gongdan.triage.duplicates.scoring import Calibration, TextModel
from gongdan.triage.duplicates_constants import LEXICAL_FEATURES, MAX_NIGHTLY_STEP, SEMANTIC_FEATURES

Labelled = tuple[dict[str, float], int]

# An agent's verdict is a real pair from this desk; it counts as this many hand-written ones.
DECISION_WEIGHT = 5.0
REGULARISATION_C = 10.0


def fit_model(rows: Sequence[Labelled], weights: Sequence[float], features: tuple[str, ...]) -> TextModel:
    # Imported here: scikit-learn costs ≈ 110 MB per process, and only a refit needs it (scoring with
    # the stored coefficients is `TextModel.probability`).
    from sklearn.linear_model import LogisticRegression

    x = np.array([scoring.text_vector(parts, features) for parts, _label in rows])
    y = np.array([label for _parts, label in rows])
    model = LogisticRegression(C=REGULARISATION_C, max_iter=2000)
    model.fit(x, y, sample_weight=np.asarray(weights, dtype=float))
    coefficients = {name: round(float(value), 4) for name, value in zip(features, model.coef_[0], strict=True)}
    return TextModel(round(float(model.intercept_[0]), 4), coefficients, features)


def fit(
    labelled: Sequence[Labelled], decisions: Sequence[Labelled] = (), *, request_window_hours: float | None = None
) -> Calibration:
    """Both text models on the hand-written tuning pairs plus agents' verdicts (weight 5 each); the
    semantic model only on pairs that carry an embedding cosine."""
    rows = [*labelled, *decisions]
    weights = [1.0] * len(labelled) + [DECISION_WEIGHT] * len(decisions)
    with_embedding = [(row, w) for row, w in zip(rows, weights, strict=True) if "embedding" in row[0]]
    semantic = fit_model([r for r, _w in with_embedding], [w for _r, w in with_embedding], SEMANTIC_FEATURES)
    lexical = fit_model(rows, weights, LEXICAL_FEATURES)
    window = {} if request_window_hours is None else {"request_window_hours": request_window_hours}
    return Calibration(semantic.intercept, semantic.coefficients, lexical.intercept, lexical.coefficients, **window)


def _bounded(old: TextModel, new: TextModel, step: float) -> tuple[float, dict[str, float]]:
    def move(before: float, after: float) -> float:
        return round(before + max(-step, min(step, after - before)), 4)

    coefficients = {
        name: move(old.coefficients.get(name, 0.0), new.coefficients.get(name, 0.0)) for name in old.features
    }
    return move(old.intercept, new.intercept), coefficients


def bounded_step(old: Calibration, new: Calibration, step: float = MAX_NIGHTLY_STEP) -> Calibration:
    """`new`, with each intercept and coefficient moved from `old` by at most `step`: a night of
    unusual verdicts (a burst, one careless agent) cannot swing the meaning of the threshold."""
    intercept, coefficients = _bounded(old.semantic, new.semantic, step)
    lexical_intercept, lexical_coefficients = _bounded(old.lexical, new.lexical, step)
    return Calibration(intercept, coefficients, lexical_intercept, lexical_coefficients, old.request_window_hours)


def auc(scored: Sequence[tuple[float, int]]) -> float:
    """Area under the ROC curve (the probability that a random duplicate outranks a random other
    pair, ties counting half), by ranks: no scikit-learn needed."""
    values = np.array([p for p, _y in scored], dtype=float)
    labels = np.array([y for _p, y in scored], dtype=int)
    positives, negatives = int(labels.sum()), int(len(labels) - labels.sum())
    if not positives or not negatives:
        return 0.0
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    position = 0
    while position < len(values):
        end = position
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[position]:
            end += 1
        ranks[order[position : end + 1]] = (position + end) / 2 + 1
        position = end + 1
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True)
class Metrics:
    threshold: float
    flagged: int
    true_positives: int
    positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def metrics_at(scored: Sequence[tuple[float, int]], threshold: float) -> Metrics:
    """Precision, recall and F1 of flagging every pair whose probability reaches `threshold`."""
    flagged = [label for probability, label in scored if probability >= threshold]
    return Metrics(
        threshold=threshold,
        flagged=len(flagged),
        true_positives=sum(flagged),
        positives=sum(label for _p, label in scored),
    )


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    pairs: int
    mean_probability: float
    duplicate_share: float


def calibration_table(scored: Sequence[tuple[float, int]], edges: Sequence[float]) -> list[CalibrationBin]:
    """Predicted probability against the observed share of duplicates, bin by bin."""
    table = []
    for low, high in itertools.pairwise(edges):
        inside = [(p, y) for p, y in scored if low <= p < high or (high == edges[-1] and p == high)]
        if not inside:
            table.append(CalibrationBin(low, high, 0, 0.0, 0.0))
            continue
        table.append(
            CalibrationBin(
                low=low,
                high=high,
                pairs=len(inside),
                mean_probability=sum(p for p, _y in inside) / len(inside),
                duplicate_share=sum(y for _p, y in inside) / len(inside),
            )
        )
    return table
