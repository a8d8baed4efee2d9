"""The numpy predictor that prediction uses equals scikit-learn's probabilities on held-out texts,
survives storage, reads blobs stored before it existed, and keeps scikit-learn out of a web worker."""

import io
import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from gongdan.triage.classification import linear, prediction, training
from gongdan.triage.classification.features import Sample
from gongdan.triage.datasets.generator import generate

TOLERANCE = 1e-9


def _sentiment(text: str) -> str:
    if "急" in text or "Urgent" in text:
        return "angry"
    if "麻烦" in text or "Could you" in text:
        return "negative"
    return "neutral"


def _tags(index: int, category: str, kept: list[str]) -> tuple[str, ...]:
    tags = []
    if index % 3 == 0:
        tags.append("vip")
    if index % 4 == 1:
        tags.append("repeat")
    if category in kept[:2]:
        tags.append("first-two")
    return tuple(tags)


def _split(categories: int, *, binary_sentiment: bool = False):
    items = generate(seed=11, per_phrasing=4)
    kept = sorted({item.category for item in items})[:categories]
    train, held_out = [], []
    for index, item in enumerate(i for i in items if i.category in kept):
        sentiment = _sentiment(item.text)
        if binary_sentiment:
            sentiment = "negative" if sentiment != "neutral" else "neutral"
        weight = 3.0 if index % 7 == 0 else 1.0  # corrected samples weigh more
        sample = Sample(item.text, item.category, _tags(index, item.category, kept), sentiment, weight)
        (held_out if item.held_out or index % 5 == 0 else train).append(sample)
    return train, [s.text for s in held_out]


def _sklearn(bundle: training.Bundle, texts: list[str]) -> dict[str, np.ndarray]:
    rows = bundle.vectorizer.transform(texts)
    found = {"category": bundle.category.predict_proba(rows)}
    if bundle.tags is not None:
        found["tags"] = bundle.tags.predict_proba(rows)
    if bundle.sentiment is not None:
        found["sentiment"] = bundle.sentiment.predict_proba(rows)
    return found


def _numpy(predictor: linear.Predictor, texts: list[str]) -> dict[str, np.ndarray]:
    rows = [predictor.vectorizer.transform(text) for text in texts]
    found = {"category": np.array([predictor.category.predict_proba(r) for r in rows])}
    if predictor.tags is not None:
        found["tags"] = np.array([predictor.tags.predict_proba(r) for r in rows])
    if predictor.sentiment is not None:
        found["sentiment"] = np.array([predictor.sentiment.predict_proba(r) for r in rows])
    return found


def _assert_same(expected: dict[str, np.ndarray], found: dict[str, np.ndarray]) -> None:
    assert expected.keys() == found.keys()
    for head, probabilities in expected.items():
        assert found[head].shape == probabilities.shape, head
        assert np.max(np.abs(found[head] - probabilities)) <= TOLERANCE, head


@pytest.fixture(scope="module")
def multiclass():
    train, held_out = _split(6)
    return training.train(train), held_out


def test_the_stored_predictor_gives_scikit_learns_probabilities_on_held_out_texts(multiclass):
    bundle, held_out = multiclass
    assert len(held_out) >= 20 and len(bundle.category.classes_) == 6
    assert len(bundle.category.calibrated_classifiers_) == training.CALIBRATION_FOLDS
    assert bundle.tags is not None and bundle.tags.multilabel_ and len(bundle.tag_classes) == 3
    assert list(bundle.sentiment.classes_) == ["angry", "negative", "neutral"]
    predictor = prediction.load(training.dump(bundle))
    _assert_same(_sklearn(bundle, held_out), _numpy(predictor, held_out))


def test_two_categories_and_a_binary_sentiment_match_too():
    train, held_out = _split(2, binary_sentiment=True)
    bundle = training.train(train)
    assert len(bundle.category.classes_) == 2 and list(bundle.sentiment.classes_) == ["negative", "neutral"]
    _assert_same(_sklearn(bundle, held_out), _numpy(prediction.load(training.dump(bundle)), held_out))


def test_prediction_ranks_and_rounds_as_before(multiclass):
    bundle, held_out = multiclass
    predictor = prediction.load(training.dump(bundle))
    expected = _sklearn(bundle, held_out[:1])
    found = prediction.predict(3, predictor, held_out[0])
    best = int(np.argmax(expected["category"][0]))
    assert found.version == 3
    assert found.suggestions[0] == (bundle.category.classes_[best], round(float(expected["category"][0][best]), 4))
    assert found.tags == [(t, round(float(p), 4)) for t, p in zip(bundle.tag_classes, expected["tags"][0], strict=True)]
    sentiment = int(np.argmax(expected["sentiment"][0]))
    assert (found.sentiment, found.sentiment_confidence) == (
        bundle.sentiment.classes_[sentiment],
        round(float(expected["sentiment"][0][sentiment]), 4),
    )


def test_a_blob_stored_before_the_export_is_read_and_exported_on_load(multiclass):
    bundle, held_out = multiclass
    legacy = io.BytesIO()
    joblib.dump(bundle, legacy, compress=3)
    assert not linear.is_predictor_blob(legacy.getvalue())
    _assert_same(_sklearn(bundle, held_out), _numpy(prediction.load(legacy.getvalue()), held_out))


def test_a_text_with_no_known_feature_gets_the_intercepts_alone(multiclass):
    bundle, _ = multiclass
    _assert_same(_sklearn(bundle, ["ⅩⅩⅩ"]), _numpy(prediction.load(training.dump(bundle)), ["ⅩⅩⅩ"]))


PREDICT_IN_A_WEB_WORKER = """
import sys, django
django.setup()
from gongdan.config import urls  # everything a web worker imports
from gongdan.triage.classification import prediction
found = prediction.predict(1, prediction.load(open(sys.argv[1], "rb").read()), "打印机卡纸")
loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("sklearn", "joblib")})
print(found.suggestions[0][0], ",".join(loaded) or "-")
"""


def test_a_web_worker_predicts_without_importing_scikit_learn(multiclass, tmp_path):
    bundle, _ = multiclass
    blob = tmp_path / "model.bin"
    blob.write_bytes(training.dump(bundle))
    expected = bundle.category.classes_[int(np.argmax(_sklearn(bundle, ["打印机卡纸"])["category"][0]))]
    result = subprocess.run(
        [sys.executable, "-c", PREDICT_IN_A_WEB_WORKER, str(blob)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gongdan.config.settings"},
    )
    assert result.stdout.split() == [expected, "-"]
