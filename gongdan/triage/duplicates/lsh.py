"""MinHash LSH bands over character bigrams, as pure functions (numpy only).

The MinHash reproduces datasketch 2's default scheme ("affine32") value for value, so the band
index built by earlier versions stays valid: each bigram is hashed with the first four bytes of its
SHA-1 (little-endian), pre-mixed with the MurmurHash3 finalizer, then permuted by
`a·h + b mod 2³²` with odd `a`; the permutation parameters come from numpy's `RandomState(seed)`.
datasketch itself is not imported: it pulls in scipy (≈ 76 MB per process) for its LSH classes.

Each band's rows are hashed together with the band number into one signed 64-bit integer, the
value stored in `DuplicateBand.band_hash`, so every node computes the same rows for the same text.
"""

from __future__ import annotations

import hashlib
import struct
from functools import lru_cache

import numpy as np

from gongdan.core import textanalysis
from gongdan.triage.duplicates_constants import LSH_BANDS, LSH_ROWS, LSH_SEED

NUM_PERM = LSH_BANDS * LSH_ROWS
# MurmurHash3's 32-bit finalizer: (shift, multiplier, shift, multiplier, shift).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=1)
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the NUM_PERM permutations, drawn as datasketch draws them for this seed."""
    generator = np.random.RandomState(LSH_SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def minhash(grams: set[str] | frozenset[str]) -> np.ndarray | None:
    """The NUM_PERM MinHash values (uint32) of a set of strings; None for an empty set."""
    if not grams:
        return None
    hashed = np.fromiter(
        (struct.unpack_from("<I", hashlib.sha1(gram.encode("utf-8")).digest())[0] for gram in grams),
        dtype=np.uint32,
        count=len(grams),
    )
    a, b = permutations()
    with np.errstate(over="ignore"):
        # uint32 arithmetic wraps around: that is the "mod 2³²" of the permutation.
        permuted = _fmix32(hashed).reshape(-1, 1) * a + b
    return permuted.min(axis=0)


def signature(text: str) -> np.ndarray | None:
    return minhash(textanalysis.shingles(text))


def bands_of(values: np.ndarray | None) -> list[tuple[int, int]]:
    """(band_no, band_hash) for each band of a MinHash signature; empty for None."""
    if values is None:
        return []
    result = []
    for band in range(LSH_BANDS):
        rows = values[band * LSH_ROWS : (band + 1) * LSH_ROWS]
        digest = hashlib.blake2b(struct.pack("<H", band) + rows.astype("<u8").tobytes(), digest_size=8).digest()
        result.append((band, struct.unpack("<q", digest)[0]))
    return result


def band_hashes(text: str) -> list[tuple[int, int]]:
    """(band_no, band_hash) for each band; empty for a text without letters or digits."""
    return bands_of(signature(text))
