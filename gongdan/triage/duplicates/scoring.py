"""The pair score, as pure functions: ticket features in, components and calibrated probabilities out.

Two questions, two answers. The texts alone decide how likely two tickets describe the **same
problem** (`problem`: a logistic regression over the embedding cosine and lexical/trap signals,
`Calibration`). Structure — same customer, device or phone, and the time between them — decides only
which kind of match a likely pair is: the **same request** (a duplicate to merge: the same requester
again within the request window) or the same problem from someone else (an incident cluster). The
same-request probability is the text's probability when the structure says "same requester" and 0
otherwise, so structure can never push an unrelated text over the threshold, and identical text from
two customers scores as the same problem whoever sent it. Nothing here touches the database.
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
from gongdan.triage.duplicates_constants import (
    DEFAULT_LEXICAL_MODEL,
    DEFAULT_MODEL,
    DEFAULT_REQUEST_WINDOW_HOURS,
    IDENTICAL_PROBABILITY,
    LEXICAL_FEATURES,
    SEMANTIC_FEATURES,
)

# Mainland mobile numbers written in the text (the customer's identities are added by the caller).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")
# Order, device and error numbers: "订单 20261101" vs "订单 20261102" share every word but one.
_NUMBER = re.compile(r"\d{3,}")
# Negation: "到账了" vs "没到账" differ by one character and mean the opposite.
_NEGATION = re.compile(r"[不没未無无别非否]|\b(?:not|no|never|cannot|without|nothing|none)\b|n't")
# General opposites (not taken from any labelled set): one text says one side, the other the other.
_OPPOSITES = (
    ("收", "发"),
    ("多", "少"),
    ("冷", "热"),
    ("开", "关"),
    ("进", "出"),
    ("快", "慢"),
    ("早", "晚"),
    ("成功", "失败"),
    ("增加", "减少"),
    ("安装", "卸载"),
    ("表扬", "投诉"),
    ("丢", "找到"),
    ("send", "receiv"),
    ("more", "less"),
    ("twice", "never"),
    ("install", "uninstall"),
    ("slow", "fast"),
    ("success", "fail"),
    ("overpaid", "underpaid"),
    ("too high", "too low"),
    ("cold", "hot"),
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


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


class Kind:
    REQUEST = "request"  # the same requester asking again: a duplicate to merge
    PROBLEM = "problem"  # another requester, the same problem: an incident cluster


@dataclass(frozen=True)
class PairScore:
    """`probability`: calibrated probability that the pair is the same request (0 unless the
    structure says same requester within the window); `problem`: that the texts describe the same
    problem, whoever sent them; `kind`: which of the two a match would be; `components`: the signals."""

    probability: float
    components: dict[str, float] = field(default_factory=dict)
    problem: float = 0.0
    kind: str = Kind.PROBLEM


@dataclass(frozen=True)
class TextModel:
    intercept: float
    coefficients: Mapping[str, float]
    features: tuple[str, ...]

    @cached_property
    def weights(self) -> tuple[float, ...]:
        """The coefficients in `features` order (a missing one counts as 0)."""
        return tuple(self.coefficients.get(name, 0.0) for name in self.features)

    def probability(self, parts: Mapping[str, float]) -> float:
        z = self.intercept + sum(map(operator.mul, self.weights, text_vector(parts, self.features)))
        return round(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), 4)

    def as_dict(self) -> dict:
        return {"intercept": self.intercept, "coefficients": dict(self.coefficients)}


@dataclass(frozen=True)
class Calibration:
    """The semantic model (with the embedding cosine) and the lexical one (without), plus the
    request window that tells a same request from a same problem."""

    intercept: float
    coefficients: Mapping[str, float]
    lexical_intercept: float = DEFAULT_LEXICAL_MODEL["intercept"]
    lexical_coefficients: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_LEXICAL_MODEL["coefficients"])
    )
    request_window_hours: float = DEFAULT_REQUEST_WINDOW_HOURS

    @cached_property
    def semantic(self) -> TextModel:
        return TextModel(self.intercept, self.coefficients, SEMANTIC_FEATURES)

    @cached_property
    def lexical(self) -> TextModel:
        return TextModel(self.lexical_intercept, self.lexical_coefficients, LEXICAL_FEATURES)

    @classmethod
    def default(cls) -> Calibration:
        return cls(
            DEFAULT_MODEL["intercept"],
            DEFAULT_MODEL["coefficients"],
            DEFAULT_LEXICAL_MODEL["intercept"],
            DEFAULT_LEXICAL_MODEL["coefficients"],
        )


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


def numbers_differ(a: str, b: str) -> float:
    """1 when both texts name numbers (orders, devices, error codes) and not the same ones."""
    left, right = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    return float(bool(left) and bool(right) and left != right)


def negation_differs(a: str, b: str) -> float:
    """1 when exactly one of the texts is negated ("到账了" / "没到账")."""
    return float(bool(_NEGATION.search(a)) != bool(_NEGATION.search(b)))


def opposite(a: str, b: str) -> float:
    """1 when one text says one side of a general opposite and the other text the other side only."""
    for left, right in _OPPOSITES:
        for x, y in ((left, right), (right, left)):
            if x in a and y in b and x not in b and y not in a:
                return 1.0
    return 0.0


def cross_language(a: str, b: str) -> float:
    """1 when one text is Chinese and the other is not: their cosine has another baseline."""
    return float(bool(_CJK.search(a)) != bool(_CJK.search(b)))


def components(a: TicketFeatures, b: TicketFeatures, *, embedding: float | None = None) -> dict[str, float]:
    """The signals of a pair: text signals (scored) and structure (which kind of match it is).
    Unknown structured values (no SN, no category) count as no match."""
    norm_a, norm_b = textanalysis.normalise(a.text), textanalysis.normalise(b.text)
    result = {
        "text": round(jaccard(a.shingles, b.shingles), 4),
        "words": round(jaccard(a.words, b.words), 4),
        "numbers_differ": numbers_differ(norm_a, norm_b),
        "negation_differs": negation_differs(norm_a, norm_b),
        "opposite": opposite(norm_a, norm_b),
        "cross_language": cross_language(norm_a, norm_b),
        "same_customer": float(a.customer_id is not None and a.customer_id == b.customer_id),
        "same_device_sn": float(bool(a.device_sn) and a.device_sn == b.device_sn),
        "same_phone": float(bool(a.phones & b.phones)),
        "same_category_group": float(a.category_group is not None and a.category_group == b.category_group),
        "hours_apart": hours_apart(a.created_at, b.created_at),
    }
    if embedding is not None:
        result["embedding"] = round(embedding, 4)
        result["embedding_cross"] = round(embedding * result["cross_language"], 4)
    return result


def text_vector(parts: Mapping[str, float], names: Sequence[str]) -> list[float]:
    return [float(parts.get(name, 0.0)) for name in names]


def problem_probability(parts: Mapping[str, float], calibration: Calibration) -> float:
    """Same problem, from the texts alone: the semantic model when the pair has an embedding cosine."""
    if parts.get("text", 0.0) >= 1.0 and parts.get("words", 0.0) >= 1.0:
        return IDENTICAL_PROBABILITY
    model = calibration.semantic if "embedding" in parts else calibration.lexical
    return model.probability(parts)


def kind_of(parts: Mapping[str, float], calibration: Calibration) -> str:
    """Same requester (customer, device or phone) within the request window → same request."""
    same_requester = parts.get("same_customer") or parts.get("same_device_sn") or parts.get("same_phone")
    within = parts.get("hours_apart", 0.0) <= calibration.request_window_hours
    return Kind.REQUEST if same_requester and within else Kind.PROBLEM


def probability(parts: Mapping[str, float], calibration: Calibration) -> float:
    """The same-request probability: the text's, when the structure says same request; else 0."""
    if kind_of(parts, calibration) != Kind.REQUEST:
        return 0.0
    return problem_probability(parts, calibration)


def score(
    a: TicketFeatures, b: TicketFeatures, calibration: Calibration, *, embedding: float | None = None
) -> PairScore:
    parts = components(a, b, embedding=embedding)
    problem = problem_probability(parts, calibration)
    kind = kind_of(parts, calibration)
    return PairScore(probability=problem if kind == Kind.REQUEST else 0.0, components=parts, problem=problem, kind=kind)


def cosine(u: Sequence[float], v: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    norm = math.sqrt(sum(x * x for x in u)) * math.sqrt(sum(y * y for y in v))
    return dot / norm if norm else 0.0
