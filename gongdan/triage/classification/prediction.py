"""Prediction: the newest trained model (loaded once per process and version, applied with numpy
alone: `linear`), keyword rules, and how the two combine. `match_rules` and `combine` are pure.

Combination: a strong rule match (at least `min_hits` of its keywords) decides the category with
confidence 1.0, and adds its tags and sentiment; the rule with most hits wins ties between rules.
Otherwise the model's top category stands with its calibrated probability; below the confidence
floor the ticket is not categorised and waits in the triage queue with the top suggestions. Weak rule
matches only add their category to the suggestions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from gongdan.core import configcache
from gongdan.core.textanalysis import normalise
from gongdan.triage.classification import linear
from gongdan.triage.classification.features import text_features
from gongdan.triage.constants import SUGGESTION_COUNT, ClassificationSource

_cache: dict[str, tuple[int, str, linear.Predictor]] = {}
_cache_lock = threading.Lock()


def _newest() -> tuple[int, str] | None:
    from gongdan.triage.models import ClassifierModel

    return ClassifierModel.objects.order_by("-version").values_list("version", "digest").first()


def load(blob: bytes) -> linear.Predictor:
    """A stored model as a numpy predictor; only a blob from before the export needs scikit-learn."""
    if linear.is_predictor_blob(blob):
        return linear.loads(blob, text_features)
    from gongdan.triage.classification import training

    return training.load_legacy(blob)


def current_model() -> tuple[int, linear.Predictor] | None:
    """(version, predictor) of the newest model: which one is newest is configuration (cached until
    a model is saved); the blob is read only when the newest model's digest differs from the loaded one."""
    from gongdan.triage.models import ClassifierModel

    newest = configcache.cached(("classifier-newest",), _newest)
    if newest is None:
        return None
    cached = _cache.get("model")
    if cached is None or cached[:2] != tuple(newest):
        with _cache_lock:
            blob = ClassifierModel.objects.values_list("blob", flat=True).get(version=newest[0])
            cached = _cache["model"] = (*newest, load(blob))
    return cached[0], cached[2]


@dataclass(frozen=True)
class ModelPrediction:
    version: int
    suggestions: list[tuple[str, float]]  # category code, probability; best first
    tags: list[tuple[str, float]]
    sentiment: str = ""
    sentiment_confidence: float = 0.0


def predict(version: int, predictor: linear.Predictor, text: str) -> ModelPrediction:
    row = predictor.vectorizer.transform(text)
    probabilities = predictor.category.predict_proba(row)
    ranked = sorted(zip(predictor.category.classes, probabilities, strict=True), key=lambda p: -p[1])
    tags: list[tuple[str, float]] = []
    if predictor.tags is not None:
        tag_probabilities = predictor.tags.predict_proba(row)
        tags = [(t, round(float(p), 4)) for t, p in zip(predictor.tag_classes, tag_probabilities, strict=True)]
    sentiment, sentiment_confidence = "", 0.0
    if predictor.sentiment is not None:
        sentiment_probabilities = predictor.sentiment.predict_proba(row)
        best = int(sentiment_probabilities.argmax())
        sentiment, sentiment_confidence = str(predictor.sentiment.classes[best]), float(sentiment_probabilities[best])
    return ModelPrediction(
        version=version,
        suggestions=[(str(code), round(float(p), 4)) for code, p in ranked[:SUGGESTION_COUNT]],
        tags=tags,
        sentiment=sentiment,
        sentiment_confidence=round(sentiment_confidence, 4),
    )


@dataclass(frozen=True)
class RuleSpec:
    name: str
    keywords: tuple[str, ...]
    min_hits: int = 1
    category: str = ""
    tags: tuple[str, ...] = ()
    sentiment: str = ""


@dataclass(frozen=True)
class RuleMatch:
    rule: RuleSpec
    hits: int

    @property
    def strong(self) -> bool:
        return self.hits >= max(self.rule.min_hits, 1)


def match_rules(text: str, rules: list[RuleSpec]) -> list[RuleMatch]:
    """Rules with at least one keyword in the normalised text, most hits first."""
    normal = normalise(text)
    matches = []
    for rule in rules:
        hits = sum(1 for keyword in rule.keywords if normalise(keyword) and normalise(keyword) in normal)
        if hits:
            matches.append(RuleMatch(rule, hits))
    return sorted(matches, key=lambda m: (-m.hits, m.rule.name))


@dataclass(frozen=True)
class Decision:
    source: str
    category: str = ""
    confidence: float = 0.0
    apply_category: bool = False
    suggestions: list[tuple[str, float]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sentiment: str = ""
    sentiment_confidence: float = 0.0

    @property
    def needs_review(self) -> bool:
        return self.source == ClassificationSource.MODEL and not self.apply_category


def _suggestions(model: ModelPrediction | None, matches: list[RuleMatch]) -> list[tuple[str, float]]:
    ranked = [(m.rule.category, 1.0) for m in matches if m.strong and m.rule.category]
    ranked += list(model.suggestions) if model else []
    ranked += [(m.rule.category, 0.0) for m in matches if not m.strong and m.rule.category]
    seen: set[str] = set()
    unique = []
    for code, probability in ranked:
        if code not in seen:
            seen.add(code)
            unique.append((code, probability))
    return unique[:SUGGESTION_COUNT]


def combine(model: ModelPrediction | None, matches: list[RuleMatch], *, floor: float, tag_threshold: float) -> Decision:
    strong = [m for m in matches if m.strong]
    category_rule = next((m for m in strong if m.rule.category), None)
    sentiment_rule = next((m for m in strong if m.rule.sentiment), None)
    tags = sorted(
        {t for m in strong for t in m.rule.tags} | {t for t, p in (model.tags if model else []) if p >= tag_threshold}
    )
    if sentiment_rule:
        sentiment, sentiment_confidence = sentiment_rule.rule.sentiment, 1.0
    elif model and model.sentiment and model.sentiment_confidence >= floor:
        sentiment, sentiment_confidence = model.sentiment, model.sentiment_confidence
    else:
        sentiment, sentiment_confidence = "", 0.0
    common = {
        "suggestions": _suggestions(model, matches),
        "tags": tags,
        "sentiment": sentiment,
        "sentiment_confidence": sentiment_confidence,
    }
    if category_rule:
        return Decision(ClassificationSource.RULE, category_rule.rule.category, 1.0, True, **common)
    if model and model.suggestions:
        code, probability = model.suggestions[0]
        return Decision(ClassificationSource.MODEL, code, probability, probability >= floor, **common)
    source = ClassificationSource.RULE if strong else ClassificationSource.NONE
    return Decision(source, **common)
