"""The trained classifier as plain numpy arrays: what prediction needs, without scikit-learn.

scikit-learn (and scipy under it) cost a web worker about 110 MB and are needed only to train.
`training.export` turns a trained `Bundle` into a `Predictor` and `training.dump` stores that; here
it is read back and applied with the same arithmetic as scikit-learn's `predict_proba`
(tests/triage/test_classification_linear.py pins the probabilities to 1e-9):

- TF-IDF: counts of the analyser's features found in the vocabulary, `1 + log(tf)` (sublinear),
  times idf, then the row divided by its l2 norm;
- a linear head's decision is `x · coefᵀ + intercept`;
- category (CalibratedClassifierCV, sigmoid): per fold, each class's decision goes through its
  calibrator `1 / (1 + exp(a·d + b))`, the row is normalised (binary: `1 - p` for the other class),
  and the folds are averaged;
- tags (one-vs-rest binary logistic regressions): `1 / (1 + exp(-d))` per tag;
- sentiment (logistic regression): softmax over classes, or `[1 - p, p]` when binary.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAGIC = b"GDLP1\n"  # blobs written before this format are joblib'd scikit-learn bundles


def _expit(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-values))


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


def _clip_one(proba: np.ndarray) -> np.ndarray:
    # As scikit-learn: a probability that exceeds 1.0 by rounding only is 1.0.
    proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


@dataclass(frozen=True)
class Row:
    """One document as TF-IDF: the vocabulary columns present and their values."""

    columns: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Vectorizer:
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    analyzer: Callable[[str], list[str]]

    def transform(self, text: str) -> Row:
        counts: dict[int, int] = {}
        for feature in self.analyzer(text):
            column = self.vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.array(sorted(counts), dtype=np.int64)
        values = np.array([counts[c] for c in columns], dtype=np.float64)
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        values = values * self.idf[columns]
        norm = np.sqrt(np.sum(values * values))
        if norm > 0:
            values = values / norm
        return Row(columns, values)


@dataclass(frozen=True)
class LinearHead:
    """`coef` is (outputs, features); a binary logistic regression has one output."""

    coef: np.ndarray
    intercept: np.ndarray

    def decision(self, row: Row) -> np.ndarray:
        return self.coef[:, row.columns] @ row.values + self.intercept


@dataclass(frozen=True)
class CalibratedFold:
    head: LinearHead
    class_indices: np.ndarray  # the fold's classes as indices into the category classes
    a: np.ndarray
    b: np.ndarray


@dataclass(frozen=True)
class CategoryHead:
    classes: list[str]
    folds: list[CalibratedFold]

    def predict_proba(self, row: Row) -> np.ndarray:
        total = np.zeros(len(self.classes))
        for fold in self.folds:
            decision = fold.head.decision(row)
            proba = np.zeros(len(self.classes))
            # Not strict, as scikit-learn: a binary fold has one decision for its two classes.
            for index, value, a, b in zip(fold.class_indices, decision, fold.a, fold.b, strict=False):
                target = index + 1 if len(self.classes) == 2 else index
                proba[target] = _expit(-(a * value + b))
            if len(self.classes) == 2:
                proba[0] = 1.0 - proba[1]
            else:
                denominator = proba.sum()
                proba = proba / denominator if denominator != 0 else np.full(len(self.classes), 1 / len(self.classes))
            total += _clip_one(proba)
        return total / len(self.folds)


@dataclass(frozen=True)
class LogisticHead:
    classes: list[str]
    head: LinearHead

    def predict_proba(self, row: Row) -> np.ndarray:
        decision = self.head.decision(row)
        if len(self.classes) <= 2:
            positive = _expit(decision)[0]
            return np.array([1.0 - positive, positive])
        return _softmax(decision)


@dataclass(frozen=True)
class TagHead:
    """One binary logistic regression per tag (scikit-learn's OneVsRestClassifier)."""

    heads: list[LinearHead]
    multilabel: bool

    def predict_proba(self, row: Row) -> np.ndarray:
        proba = np.array([_expit(head.decision(row))[0] for head in self.heads])
        if len(self.heads) == 1:
            proba = np.concatenate([1.0 - proba, proba])
        if not self.multilabel:
            total = proba.sum()
            if total != 0:
                proba = proba / total
        return proba


@dataclass(frozen=True)
class Predictor:
    vectorizer: Vectorizer
    category: CategoryHead
    tags: TagHead | None = None
    tag_classes: tuple[str, ...] = ()
    sentiment: LogisticHead | None = None


# ---- storage: one .npz (no pickles) with a JSON description -----------------------------------


def _put_head(arrays: dict, name: str, head: LinearHead) -> str:
    arrays[f"{name}.coef"], arrays[f"{name}.intercept"] = head.coef, head.intercept
    return name


def _get_head(arrays, name: str) -> LinearHead:
    return LinearHead(arrays[f"{name}.coef"], arrays[f"{name}.intercept"])


def dumps(predictor: Predictor) -> bytes:
    vectorizer = predictor.vectorizer
    terms = sorted(vectorizer.vocabulary, key=vectorizer.vocabulary.__getitem__)
    arrays: dict[str, np.ndarray] = {"vocabulary": np.array(terms, dtype=str), "idf": vectorizer.idf}
    meta: dict = {
        "sublinear_tf": vectorizer.sublinear_tf,
        "category": {"classes": predictor.category.classes, "folds": []},
        "tag_classes": list(predictor.tag_classes),
    }
    for i, fold in enumerate(predictor.category.folds):
        name = _put_head(arrays, f"category.{i}", fold.head)
        arrays[f"{name}.classes"], arrays[f"{name}.a"], arrays[f"{name}.b"] = fold.class_indices, fold.a, fold.b
        meta["category"]["folds"].append(name)
    if predictor.tags is not None:
        heads = [_put_head(arrays, f"tags.{i}", head) for i, head in enumerate(predictor.tags.heads)]
        meta["tags"] = {"heads": heads, "multilabel": predictor.tags.multilabel}
    if predictor.sentiment is not None:
        meta["sentiment"] = {"classes": predictor.sentiment.classes}
        _put_head(arrays, "sentiment", predictor.sentiment.head)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return MAGIC + buffer.getvalue()


def is_predictor_blob(blob: bytes) -> bool:
    return bytes(blob[: len(MAGIC)]) == MAGIC


def loads(blob: bytes, analyzer: Callable[[str], list[str]]) -> Predictor:
    with np.load(io.BytesIO(bytes(blob)[len(MAGIC) :]), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    vocabulary = {str(term): column for column, term in enumerate(arrays["vocabulary"])}
    vectorizer = Vectorizer(vocabulary, arrays["idf"], meta["sublinear_tf"], analyzer)
    folds = [
        CalibratedFold(_get_head(arrays, name), arrays[f"{name}.classes"], arrays[f"{name}.a"], arrays[f"{name}.b"])
        for name in meta["category"]["folds"]
    ]
    tags = None
    if "tags" in meta:
        tags = TagHead([_get_head(arrays, name) for name in meta["tags"]["heads"]], meta["tags"]["multilabel"])
    sentiment = None
    if "sentiment" in meta:
        sentiment = LogisticHead(meta["sentiment"]["classes"], _get_head(arrays, "sentiment"))
    return Predictor(
        vectorizer=vectorizer,
        category=CategoryHead(meta["category"]["classes"], folds),
        tags=tags,
        tag_classes=tuple(meta["tag_classes"]),
        sentiment=sentiment,
    )
