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
from gongdan.triage.duplicates.scoring import Calibration
from gongdan.triage.duplicates_constants import FEATURES

Labelled = tuple[dict[str, float], int]

# An agent's decision is a real pair from this desk; it counts as this many generated ones.
DECISION_WEIGHT = 5.0
REGULARISATION_C = 10.0


def fit(generated: Sequence[Labelled], decisions: Sequence[Labelled] = ()) -> Calibration:
    from sklearn.linear_model import LogisticRegression  # only fitting needs scikit-learn (web worker memory)

    rows = [*generated, *decisions]
    x = np.array([scoring.feature_vector(parts) for parts, _label in rows])
    y = np.array([label for _parts, label in rows])
    weights = np.array([1.0] * len(generated) + [DECISION_WEIGHT] * len(decisions))
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    model.fit(x, y, sample_weight=weights)
    coefficients = {name: round(float(value), 4) for name, value in zip(FEATURES, model.coef_[0], strict=True)}
    return Calibration(intercept=round(float(model.intercept_[0]), 4), coefficients=coefficients)


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
