"""Defaults of duplicate detection (rule 10: the live values sit in `DuplicateConfig`)."""

DEFAULT_THRESHOLD = 0.82
DEFAULT_SIMILAR_THRESHOLD = 0.4
DEFAULT_POOL_DAYS = 90
DEFAULT_CANDIDATE_LIMIT = 50

# MinHash LSH over character bigrams: NUM_PERM = BANDS × ROWS. With 2 rows per band a pair of
# Jaccard s becomes a candidate with probability 1 − (1 − s²)^BANDS: 0.85 at s = 0.3, 0.18 at s = 0.1.
LSH_BANDS = 20
LSH_ROWS = 2
LSH_SEED = 1
# At most this many of a band's tickets (the newest) count towards a lookup: bounds its work at 1M.
BAND_BUCKET_CAP = 200

# The same customer's tickets are always rescored (cross-language rewording shares no bigrams):
# this many of the newest, of any age; and as many of the same device's within the pool.
SAME_CUSTOMER_CANDIDATES = 30

TERM_MAX_LENGTH = 64
RELATED_LIMIT = 20

# The text model's inputs, in order (`scoring.text_vector`). The probability that two texts describe
# the same problem is computed from the texts alone; who reported them and when decides only which
# kind of match it is (same request or same problem), never how likely (docs/triage.md).
SEMANTIC_FEATURES = (
    "embedding",
    "embedding_cross",
    "cross_language",
    "text",
    "words",
    "numbers_differ",
    "negation_differs",
    "opposite",
)
# Without an embedding for both tickets (not computed yet, or embeddings off) the lexical model scores.
LEXICAL_FEATURES = ("text", "words", "cross_language", "numbers_differ", "negation_differs", "opposite")
FEATURES = SEMANTIC_FEATURES

# Same request (a duplicate to merge): the same customer, device or phone within this many hours.
DEFAULT_REQUEST_WINDOW_HOURS = 72
# Same problem from other requesters within this many hours joins an incident cluster.
DEFAULT_CLUSTER_WINDOW_HOURS = 48
# The newest tickets of this window are candidates too (other customers hit by the same outage).
RECENT_CANDIDATES = 200
# One nightly refit may move each coefficient by at most this much (a floor on its stability).
MAX_NIGHTLY_STEP = 0.5

# Shipped calibration: logistic regressions fitted by `manage.py evaluate_duplicates --fit` on the
# tuning part of the hand-written set (`datasets/pairs.py`); a refit on agents' verdicts replaces
# them in the database.
DEFAULT_MODEL = {
    "intercept": -10.2886,
    "coefficients": {
        "embedding": 10.1353,
        "embedding_cross": 3.7814,
        "cross_language": -0.8381,
        "text": 4.5743,
        "words": -0.8669,
        "numbers_differ": -4.3443,
        "negation_differs": -0.8787,
        "opposite": -3.8042,
    },
}
DEFAULT_LEXICAL_MODEL = {
    "intercept": -1.1436,
    "coefficients": {
        "text": 5.302,
        "words": 0.0643,
        "cross_language": 1.7892,
        "numbers_differ": -4.1793,
        "negation_differs": -0.9644,
        "opposite": -3.8988,
    },
}
# The same normalised text (every bigram and word shared) is the same problem, whoever wrote it: the
# hand-written set has no identical pairs, so the fitted models alone would not say so.
IDENTICAL_PROBABILITY = 0.99


def default_coefficients() -> dict[str, float]:
    return dict(DEFAULT_MODEL["coefficients"])


def default_lexical_coefficients() -> dict[str, float]:
    return dict(DEFAULT_LEXICAL_MODEL["coefficients"])
