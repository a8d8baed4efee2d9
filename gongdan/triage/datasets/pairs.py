"""Labelled pairs from the hand-written topics (`pairs_topics`), with a tuning and a held-out part.

- duplicates: every two texts of a topic's `same` plus its `AGAIN` text (rewordings, colloquial vs
  formal, zh↔en, the same requester writing again);
- traps: each trap against each of its topic's texts (same words, another meaning);
- other problems: each topic's first text against the first text of the next three topics.

Topics, not pairs, are split (so no text of the held-out part is ever tuned on): every topic whose
index modulo 10 is 0, 3 or 7 is held out (15 of 50 topics).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from gongdan.triage.datasets.pairs_topics import AGAIN, TOPICS

HELD_OUT_REMAINDERS = (0, 3, 7)


@dataclass(frozen=True)
class TextPair:
    a: str
    b: str
    label: int
    kind: str  # "duplicate", "trap" or "other"
    topic: int

    @property
    def held_out(self) -> bool:
        return self.topic % 10 in HELD_OUT_REMAINDERS


def all_pairs() -> list[TextPair]:
    pairs: list[TextPair] = []
    for index, topic in enumerate(TOPICS):
        same = (*topic.same, AGAIN[index])
        pairs += [TextPair(a, b, 1, "duplicate", index) for a, b in itertools.combinations(same, 2)]
        pairs += [TextPair(text, trap, 0, "trap", index) for trap in topic.traps for text in same]
        for step in (1, 2, 3):
            following = TOPICS[(index + step) % len(TOPICS)]
            pairs.append(TextPair(topic.same[0], following.same[0], 0, "other", index))
    return pairs


def split() -> tuple[list[TextPair], list[TextPair]]:
    """(tuning, held out)."""
    pairs = all_pairs()
    return [p for p in pairs if not p.held_out], [p for p in pairs if p.held_out]


def texts() -> list[str]:
    """Every distinct text of the set, in a stable order (to embed them once)."""
    return list(
        dict.fromkeys(t for topic, again in zip(TOPICS, AGAIN, strict=True) for t in (*topic.same, again, *topic.traps))
    )
