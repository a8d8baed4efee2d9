"""Cross-validated evaluation of the category classifier against a plain baseline (scikit-learn;
the `evaluate_classification` command only).

Three models on the same folds:
- `baseline`: TF-IDF over character 1–3-grams + logistic regression (uncalibrated probabilities);
- `product`: the shipped features (jieba words + character bigrams + single characters) + logistic
  regression with balanced class weights, sigmoid-calibrated (what `train_triage` stores);
- `product+embedding`: the same plus character 1–3-grams and the text's embedding (the bundled
  model), scaled to weigh like one TF-IDF block.

For each: macro-F1, and the coverage at each confidence floor (share of tickets whose top
calibrated probability reaches it) with the accuracy of those covered, so a desk can choose its floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from gongdan.triage.classification.features import text_features

FLOORS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
EMBEDDING_WEIGHT = 1.0


@dataclass(frozen=True)
class Result:
    name: str
    macro_f1: float
    accuracy: float
    coverage: dict[float, tuple[float, float]]  # floor → (coverage, accuracy of the covered)


def _baseline() -> tuple[Callable, object]:
    return (lambda: [TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)]), (
        lambda: LogisticRegression(max_iter=2000)
    )


def _calibrated():
    return CalibratedClassifierCV(
        LogisticRegression(C=10, max_iter=3000, class_weight="balanced"), method="sigmoid", cv=3
    )


def _matrix(vectorizers, texts, fit: bool):
    blocks = [(v.fit_transform(texts) if fit else v.transform(texts)) for v in vectorizers]
    return sparse.hstack(blocks).tocsr()


def _run(
    name: str,
    texts: Sequence[str],
    labels: Sequence[str],
    folds: list[tuple[np.ndarray, np.ndarray]],
    make_vectorizers: Callable,
    make_model: Callable,
    dense: np.ndarray | None = None,
) -> Result:
    truth, predicted, confidence = [], [], []
    texts_array = np.array(texts, dtype=object)
    labels_array = np.array(labels, dtype=object)
    for train, test in folds:
        vectorizers = make_vectorizers()
        x_train = _matrix(vectorizers, list(texts_array[train]), fit=True)
        x_test = _matrix(vectorizers, list(texts_array[test]), fit=False)
        if dense is not None:
            x_train = sparse.hstack([x_train, sparse.csr_matrix(dense[train] * EMBEDDING_WEIGHT)]).tocsr()
            x_test = sparse.hstack([x_test, sparse.csr_matrix(dense[test] * EMBEDDING_WEIGHT)]).tocsr()
        model = make_model()
        model.fit(x_train, list(labels_array[train]))
        probabilities = model.predict_proba(x_test)
        best = probabilities.argmax(axis=1)
        predicted += [str(model.classes_[i]) for i in best]
        confidence += probabilities.max(axis=1).tolist()
        truth += list(labels_array[test])
    correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)])
    confidence_array = np.array(confidence)
    coverage = {}
    for floor in FLOORS:
        covered = confidence_array >= floor
        share = float(covered.mean())
        coverage[floor] = (round(share, 4), round(float(correct[covered].mean()) if covered.any() else 0.0, 4))
    return Result(
        name=name,
        macro_f1=round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        accuracy=round(float(correct.mean()), 4),
        coverage=coverage,
    )


def cross_validated_folds(labels: Sequence[str], k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels))


def compare(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: list[tuple[np.ndarray, np.ndarray]],
    embedded: np.ndarray | None,
) -> list[Result]:
    make_vectorizers, make_model = _baseline()
    results = [_run("baseline char1-3 + LR", texts, labels, folds, make_vectorizers, make_model)]

    def product_vectorizers():
        return [TfidfVectorizer(analyzer=text_features, sublinear_tf=True)]

    results.append(_run("product (balanced, sigmoid)", texts, labels, folds, product_vectorizers, _calibrated))
    if embedded is not None:

        def richer_vectorizers():
            return [*product_vectorizers(), TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)]

        results.append(
            _run("product+char1-3+embedding", texts, labels, folds, richer_vectorizers, _calibrated, embedded)
        )
    return results
