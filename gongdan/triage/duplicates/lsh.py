"""MinHash LSH bands over character bigrams, as pure functions (datasketch computes the MinHash).

Each band's rows are hashed together with the band number into one signed 64-bit integer, the
value stored in `DuplicateBand.band_hash`, so every node computes the same rows for the same text.
"""

from __future__ import annotations

import hashlib
import struct
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from gongdan.core import textanalysis
from gongdan.triage.duplicates_constants import LSH_BANDS, LSH_ROWS, LSH_SEED


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Building the permutations is the costly part of a MinHash; copies share them.
    return MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=LSH_SEED)


def signature(text: str) -> np.ndarray | None:
    grams = textanalysis.shingles(text)
    if not grams:
        return None
    minhash = _template().copy()
    minhash.update_batch([gram.encode("utf-8") for gram in sorted(grams)])
    return minhash.hashvalues


def band_hashes(text: str) -> list[tuple[int, int]]:
    """(band_no, band_hash) for each band; empty for a text without letters or digits."""
    values = signature(text)
    if values is None:
        return []
    result = []
    for band in range(LSH_BANDS):
        rows = values[band * LSH_ROWS : (band + 1) * LSH_ROWS]
        digest = hashlib.blake2b(struct.pack("<H", band) + rows.astype("<u8").tobytes(), digest_size=8).digest()
        result.append((band, struct.unpack("<q", digest)[0]))
    return result
