"""The evaluation of duplicate detection on the hand-written bilingual set (`datasets.pairs`).

Three scorers side by side on the same held-out pairs: the semantic model (embedding cosine plus
lexical and trap signals), the lexical model (without the embedding) and the plain lexical baseline
`rapidfuzz.fuzz.ratio` of the normalised texts (÷ 100). For each: AUC, and precision/recall at the
threshold. The pairs carry no structure: this measures the *same problem* score, which is what the
threshold means (structure only decides whether a match is the same request or the same problem).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from gongdan.core import textanalysis
from gongdan.triage.datasets import pairs as handwritten
from gongdan.triage.datasets.pairs import TextPair
from gongdan.triage.duplicates import calibration, embeddings, scoring, vectors
from gongdan.triage.duplicates.calibration import Labelled, Metrics
from gongdan.triage.duplicates.scoring import Calibration

SWEEP = (0.5, 0.6, 0.7, 0.82, 0.9, 0.95)
Vectors = Mapping[str, np.ndarray]


_EMBEDDED: dict[tuple[str, str], dict[str, np.ndarray]] = {}


def embed_set() -> dict[str, np.ndarray] | None:
    """Every text of the hand-written set through the configured provider (None when off); kept
    per model in the process (≈ 0.5 MB), so the nightly refit embeds the set once per worker."""
    provider = embeddings.provider()
    if provider is None:
        return None
    key = (provider.model_id, provider.version)
    if key not in _EMBEDDED:
        texts = handwritten.texts()
        found = provider.embed(texts)
        if found is None:
            return None
        _EMBEDDED[key] = dict(zip(texts, found, strict=True))
    return _EMBEDDED[key]


def text_parts(pair: TextPair, embedded: Vectors | None) -> dict[str, float]:
    cosine = None
    if embedded is not None:
        cosine = float(vectors.cosines(embedded[pair.a], [embedded[pair.b]])[0])
    return scoring.components(scoring.features(pair.a), scoring.features(pair.b), embedding=cosine)


def labelled(pairs: Sequence[TextPair], embedded: Vectors | None) -> list[Labelled]:
    return [(text_parts(pair, embedded), pair.label) for pair in pairs]


def tuning_pairs(embedded: Vectors | None) -> list[Labelled]:
    return labelled(handwritten.split()[0], embedded)


def fuzz_ratio(pair: TextPair) -> float:
    return fuzz.ratio(textanalysis.normalise(pair.a), textanalysis.normalise(pair.b)) / 100.0


@dataclass(frozen=True)
class Side:
    name: str
    auc: float
    at_threshold: Metrics
    sweep: list[Metrics]
    false_alarms: dict[str, int]


@dataclass(frozen=True)
class Report:
    tuning_pairs: int
    held_out_pairs: int
    held_out_duplicates: int
    sides: list[Side]


def _side(name: str, scores: Sequence[float], pairs: Sequence[TextPair], threshold: float) -> Side:
    scored = [(p, pair.label) for p, pair in zip(scores, pairs, strict=True)]
    return Side(
        name=name,
        auc=round(calibration.auc(scored), 4),
        at_threshold=calibration.metrics_at(scored, threshold),
        sweep=[calibration.metrics_at(scored, t) for t in SWEEP],
        false_alarms=dict(
            Counter(pair.kind for p, pair in zip(scores, pairs, strict=True) if not pair.label and p >= threshold)
        ),
    )


def evaluate(model: Calibration, threshold: float, embedded: Vectors | None, *, part: str = "held_out") -> Report:
    tuning, held_out = handwritten.split()
    pairs = held_out if part == "held_out" else tuning
    parts = [text_parts(pair, embedded) for pair in pairs]
    sides = []
    if embedded is not None:
        sides.append(_side("semantic", [model.semantic.probability(p) for p in parts], pairs, threshold))
    sides.append(_side("lexical", [model.lexical.probability(p) for p in parts], pairs, threshold))
    sides.append(_side("rapidfuzz.fuzz.ratio", [fuzz_ratio(pair) for pair in pairs], pairs, threshold))
    return Report(
        tuning_pairs=len(tuning),
        held_out_pairs=len(pairs),
        held_out_duplicates=sum(pair.label for pair in pairs),
        sides=sides,
    )
