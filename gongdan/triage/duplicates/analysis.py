"""What duplicate detection makes of a ticket's text, computed once per text and stored per ticket.

Segmenting a text with jieba is the costly part of scoring a pair (≈ 0.5 ms for a short ticket).
So the analysis of each indexed ticket is stored (`DuplicateFeatures`, built by `feature_row`) and
rescoring a candidate reads it back; and within a process the analysis of a text is memoised, so
creating a ticket analyses its text once for the index, the duplicate flags and the merge proposals.
The stored row carries a hash of the text it was computed from: a row that no longer matches its
ticket's text (edited without reindexing) is ignored and the text analysed again, so stored features
can make scoring faster but never different.
"""

from __future__ import annotations

import hashlib
import operator
import struct
from dataclasses import dataclass
from functools import lru_cache

from gongdan.core import textanalysis
from gongdan.triage.duplicates import lsh, scoring
from gongdan.triage.models.duplicates import DuplicateFeatures

# Recent texts of this process: a creation reads its own text three times, a lookup page a few.
# Kept small: a memoised analysis holds its text's words and compact form (a long mail is large).
_MEMO_TEXTS = 64


@dataclass(frozen=True)
class Analysis:
    """`compact` is `textanalysis.compact(text)`; `words` its analysed words; `phones` the mobile
    numbers written in it (`scoring.phones_in`)."""

    compact: str
    words: frozenset[str]
    phones: frozenset[str]

    @property
    def shingles(self) -> frozenset[str]:
        return shingles_of(self.compact)


def shingles_of(compact: str) -> frozenset[str]:
    """The character bigrams of a compact text, as `textanalysis.shingles` gives them for its text."""
    if len(compact) <= 2:
        return frozenset([compact]) if compact else frozenset()
    return frozenset(map(operator.add, compact[:-1], compact[1:]))


def text_hash(text: str) -> int:
    """A signed 64-bit hash of the text the stored analysis was computed from."""
    return struct.unpack("<q", hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())[0]


@lru_cache(maxsize=_MEMO_TEXTS)
def analyse(text: str) -> Analysis:
    return Analysis(
        compact=textanalysis.compact(text),
        words=frozenset(textanalysis.words(text)),
        phones=frozenset(scoring.phones_in(text)),
    )


@lru_cache(maxsize=_MEMO_TEXTS)
def band_hashes(text: str) -> tuple[tuple[int, int], ...]:
    """`lsh.band_hashes(text)`, from the memoised analysis."""
    return tuple(lsh.bands_of(lsh.minhash(analyse(text).shingles)))


def stored(text: str, row: tuple[int | None, str, str, str] | None) -> Analysis:
    """The analysis of `text` from its stored row (text_hash, compact, words, phones) when the row
    was computed from this very text; else (no row, or a stale one) analysed now."""
    if row is None or row[0] is None or row[0] != text_hash(text):
        return analyse(text)
    _hash, compact, words, phones = row
    return Analysis(compact=compact, words=frozenset(words.split()), phones=frozenset(phones.split()))


def feature_row(ticket_id: int, text: str) -> DuplicateFeatures:
    """The unsaved stored analysis of one ticket's text."""
    found = analyse(text)
    return DuplicateFeatures(
        ticket_id=ticket_id,
        text_hash=text_hash(text),
        compact=found.compact,
        words=" ".join(sorted(found.words)),
        phones=" ".join(sorted(found.phones)),
    )
