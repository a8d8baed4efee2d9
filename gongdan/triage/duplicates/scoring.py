"""The pair score, as pure functions: ticket features in, components and a calibrated probability out.

A ticket is reduced to `TicketFeatures` (values only); `components` compares two of them; the
calibration (a logistic regression, `Calibration`) turns the components into the probability that
the pair is a true duplicate. Nothing here touches the database.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from gongdan.core import textanalysis
from gongdan.triage.duplicates_constants import DEFAULT_MODEL, FEATURES

# Mainland mobile numbers written in the text (the customer's identities are added by the caller).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")


@dataclass(frozen=True)
class TicketFeatures:
    text: str
    shingles: frozenset[str]
    words: frozenset[str]
    customer_id: int | None = None
    device_sn: str = ""
    phones: frozenset[str] = frozenset()
    category_group: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class PairScore:
    """`probability` is calibrated (0..1); `components` are the raw signals it was computed from."""

    probability: float
    components: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Calibration:
    intercept: float
    coefficients: Mapping[str, float]

    @cached_property
    def weights(self) -> tuple[float, ...]:
        """The coefficients in `FEATURES` order (a missing one counts as 0)."""
        return tuple(self.coefficients.get(name, 0.0) for name in FEATURES)

    @classmethod
    def default(cls) -> Calibration:
        return cls(DEFAULT_MODEL["intercept"], DEFAULT_MODEL["coefficients"])


def ticket_text(subject: str, description: str) -> str:
    return f"{subject}\n{description}".strip()


def canonical_phone(value: str) -> str:
    """Digits only, without the mainland country code, so "+86 138…" and "138…" compare equal."""
    digits = re.sub(r"\D", "", value or "")
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def phones_in(text: str) -> set[str]:
    """Mobile numbers mentioned in a text, in `canonical_phone` form."""
    return set(_MOBILE.findall(textanalysis.normalise(text)))


class Analysed(Protocol):
    """The analysis of a text (`duplicates.analysis.Analysis`): its bigrams, words and phones."""

    shingles: frozenset[str]
    words: frozenset[str]
    phones: frozenset[str]


def features(
    text: str,
    *,
    customer_id: int | None = None,
    device_sn: str = "",
    phones: Iterable[str] = (),
    category_group: int | None = None,
    created_at: datetime | None = None,
    analysed: Analysed | None = None,
) -> TicketFeatures:
    """A ticket's features; `analysed` is the text's analysis when the caller already has it."""
    if analysed is None:
        shingles, words = frozenset(textanalysis.shingles(text)), frozenset(textanalysis.words(text))
        in_text = frozenset(phones_in(text))
    else:
        shingles, words, in_text = analysed.shingles, analysed.words, analysed.phones
    return TicketFeatures(
        text=text,
        shingles=shingles,
        words=words,
        customer_id=customer_id,
        device_sn=(device_sn or "").strip().upper(),
        phones=frozenset(canonical_phone(p) for p in phones) | in_text,
        category_group=category_group,
        created_at=created_at,
    )


def hours_apart(a: datetime | None, b: datetime | None) -> float:
    if a is None or b is None:
        return 0.0
    return round(abs((a - b).total_seconds()) / 3600, 2)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """`textanalysis.jaccard`, without copying the sets or building their union."""
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def components(a: TicketFeatures, b: TicketFeatures, *, embedding: float | None = None) -> dict[str, float]:
    """The signals of a pair. Unknown structured values (no SN, no category) count as no match."""
    result = {
        "text": round(jaccard(a.shingles, b.shingles), 4),
        "words": round(jaccard(a.words, b.words), 4),
        "same_customer": float(a.customer_id is not None and a.customer_id == b.customer_id),
        "same_device_sn": float(bool(a.device_sn) and a.device_sn == b.device_sn),
        "same_phone": float(bool(a.phones & b.phones)),
        "same_category_group": float(a.category_group is not None and a.category_group == b.category_group),
        "hours_apart": hours_apart(a.created_at, b.created_at),
    }
    if embedding is not None:
        result["embedding"] = round(embedding, 4)
    return result


def feature_vector(parts: Mapping[str, float]) -> list[float]:
    """The model's inputs in `FEATURES` order; a missing embedding counts as 0, as in training."""
    values = dict(parts)
    values["recency"] = 1.0 / (1.0 + values.get("hours_apart", 0.0) / 24.0)
    # Interactions: a close text or the same customer means more when the reports are close in time.
    values["text_recency"] = values.get("text", 0.0) * values["recency"]
    values["customer_recency"] = values.get("same_customer", 0.0) * values["recency"]
    return [float(values.get(name, 0.0)) for name in FEATURES]


def probability(parts: Mapping[str, float], calibration: Calibration) -> float:
    # The same products summed in the same order as ever, so the probabilities stay bit for bit.
    z = calibration.intercept + sum(map(operator.mul, calibration.weights, feature_vector(parts)))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def score(
    a: TicketFeatures, b: TicketFeatures, calibration: Calibration, *, embedding: float | None = None
) -> PairScore:
    parts = components(a, b, embedding=embedding)
    return PairScore(probability=probability(parts, calibration), components=parts)


def cosine(u: Sequence[float], v: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    norm = math.sqrt(sum(x * x for x in u)) * math.sqrt(sum(y * y for y in v))
    return dot / norm if norm else 0.0
