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

# The model's inputs, in order. `recency` is 1 / (1 + hours apart / 24), so it needs no cap.
FEATURES = (
    "text",
    "words",
    "same_customer",
    "same_device_sn",
    "same_phone",
    "same_category_group",
    "recency",
    "text_recency",
    "customer_recency",
    "embedding",
)

# Shipped calibration: logistic regression fitted by `manage.py evaluate_duplicates --fit` on the
# generated training split (seed 20261125); a refit on agents' decisions replaces it in the database.
DEFAULT_MODEL = {
    "intercept": -7.3198,
    "coefficients": {
        "text": 0.9543,
        "words": 1.3043,
        "same_customer": 0.7593,
        "same_device_sn": 1.0945,
        "same_phone": 1.3915,
        "same_category_group": 0.2053,
        "recency": 2.0034,
        "text_recency": 4.8564,
        "customer_recency": 3.3196,
        "embedding": 0.0,
    },
}


def default_coefficients() -> dict[str, float]:
    return dict(DEFAULT_MODEL["coefficients"])
