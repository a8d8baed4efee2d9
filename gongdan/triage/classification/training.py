"""Training and evaluation (scikit-learn): one TF-IDF over `features.text_features` (jieba words,
character bigrams and single characters, so Chinese and English share one vocabulary), then three
linear heads: category (logistic regression with sigmoid calibration, so its probabilities can be
compared with the confidence floor), tags (one-vs-rest logistic regression) and sentiment (logistic regression).
Values in, values out: the database is read by features.py and written by services.py.

Only training imports scikit-learn: `dump` stores the bundle exported to plain arrays (`export`,
`linear.Predictor`), which prediction applies with numpy alone."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from gongdan.triage.classification import linear
from gongdan.triage.classification.features import Sample, text_features
from gongdan.triage.constants import MIN_LABEL_SAMPLES

CALIBRATION_FOLDS = 3


@dataclass
class Bundle:
    """Everything prediction needs, pickled into one blob."""

    vectorizer: TfidfVectorizer
    category: Any
    tags: Any = None
    tag_classes: list[str] = field(default_factory=list)
    sentiment: Any = None


def _category_head(samples: list[Sample]) -> tuple[list[Sample], Any]:
    counts = Counter(s.category for s in samples)
    kept = [s for s in samples if counts[s.category] >= MIN_LABEL_SAMPLES]
    if len({s.category for s in kept}) < 2:
        raise ValueError("at least two categories with two tickets each are needed")
    folds = min(CALIBRATION_FOLDS, min(Counter(s.category for s in kept).values()))
    # Balanced class weights: a rare category counts as much as a common one in the loss.
    model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
    return kept, CalibratedClassifierCV(model, method="sigmoid", cv=folds)


def _tag_head(samples: list[Sample], matrix) -> tuple[Any, list[str]]:
    counts = Counter(tag for s in samples for tag in set(s.tags))
    usable = sorted(t for t, n in counts.items() if MIN_LABEL_SAMPLES <= n < len(samples))
    if not usable:
        return None, []
    binarizer = MultiLabelBinarizer(classes=usable)
    labels = binarizer.fit_transform([[t for t in s.tags if t in usable] for s in samples])
    head = OneVsRestClassifier(LogisticRegression(C=5, max_iter=1000))
    head.fit(matrix, labels)
    return head, usable


def _sentiment_head(samples: list[Sample], matrix, weights) -> Any:
    counts = Counter(s.sentiment for s in samples)
    if len([n for n in counts.values() if n >= MIN_LABEL_SAMPLES]) < 2:
        return None
    head = LogisticRegression(C=5, max_iter=1000, class_weight="balanced")
    head.fit(matrix, [s.sentiment for s in samples], sample_weight=weights)
    return head


def train(samples: list[Sample]) -> Bundle:
    kept, category_head = _category_head(samples)
    vectorizer = TfidfVectorizer(analyzer=text_features, sublinear_tf=True)
    matrix = vectorizer.fit_transform([s.text for s in kept])
    weights = [s.weight for s in kept]
    category_head.fit(matrix, [s.category for s in kept], sample_weight=weights)
    tags, tag_classes = _tag_head(kept, matrix)
    return Bundle(
        vectorizer=vectorizer,
        category=category_head,
        tags=tags,
        tag_classes=tag_classes,
        sentiment=_sentiment_head(kept, matrix, weights),
    )


def evaluate(bundle: Bundle, samples: list[Sample]) -> dict[str, Any]:
    """Macro-F1 and per-category precision/recall/F1 of the category head on held-out samples."""
    matrix = bundle.vectorizer.transform([s.text for s in samples])
    truth = [s.category for s in samples]
    predicted = list(bundle.category.predict(matrix))
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return {
        "samples": len(samples),
        "accuracy": round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(samples), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "per_category": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
    }


def _head(estimator) -> linear.LinearHead:
    coef, intercept = np.asarray(estimator.coef_, dtype=np.float64), np.asarray(estimator.intercept_, dtype=np.float64)
    return linear.LinearHead(np.ascontiguousarray(coef.reshape(-1, coef.shape[-1])), intercept.reshape(-1))


def _category_export(head: CalibratedClassifierCV) -> linear.CategoryHead:
    classes = [str(c) for c in head.classes_]
    folds = []
    for calibrated in head.calibrated_classifiers_:
        # The fold's classes as positions in the sorted classes (scikit-learn's LabelEncoder).
        indices = np.searchsorted(head.classes_, calibrated.estimator.classes_)
        a = np.array([float(c.a_) for c in calibrated.calibrators])
        b = np.array([float(c.b_) for c in calibrated.calibrators])
        folds.append(linear.CalibratedFold(_head(calibrated.estimator), indices.astype(np.int64), a, b))
    return linear.CategoryHead(classes, folds)


def export(bundle: Bundle) -> linear.Predictor:
    """The trained bundle as plain arrays (see `linear`); predicts the same probabilities."""
    vectorizer = bundle.vectorizer
    if vectorizer.norm != "l2" or not vectorizer.use_idf:
        raise ValueError("the exported predictor expects an l2-normalised TF-IDF")
    tags = None
    if bundle.tags is not None:
        tags = linear.TagHead([_head(e) for e in bundle.tags.estimators_], bool(bundle.tags.multilabel_))
    sentiment = None
    if bundle.sentiment is not None:
        sentiment = linear.LogisticHead([str(c) for c in bundle.sentiment.classes_], _head(bundle.sentiment))
    return linear.Predictor(
        vectorizer=linear.Vectorizer(
            vocabulary={str(term): int(column) for term, column in vectorizer.vocabulary_.items()},
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
            sublinear_tf=bool(vectorizer.sublinear_tf),
            analyzer=text_features,
        ),
        category=_category_export(bundle.category),
        tags=tags,
        tag_classes=tuple(bundle.tag_classes),
        sentiment=sentiment,
    )


def dump(bundle: Bundle) -> bytes:
    """What `ClassifierModel.blob` stores: the exported predictor (no pickles, no scikit-learn to read it)."""
    return linear.dumps(export(bundle))


def load_legacy(blob: bytes) -> linear.Predictor:
    """A blob stored before the export existed (a joblib'd bundle), exported on load."""
    return export(joblib.load(io.BytesIO(bytes(blob))))
