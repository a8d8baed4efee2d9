"""The evaluation of duplicate detection on the generated held-out pairs (no database needed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gongdan.triage.duplicates import calibration, dataset, lsh, scoring
from gongdan.triage.duplicates.calibration import CalibrationBin, Metrics
from gongdan.triage.duplicates.dataset import LabelledPair
from gongdan.triage.duplicates.scoring import Calibration

TABLE_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.82, 0.9, 1.0)
SWEEP = (0.5, 0.6, 0.7, 0.82, 0.9, 0.95)


@dataclass(frozen=True)
class Report:
    training_pairs: int
    held_out_pairs: int
    held_out_duplicates: int
    at_threshold: Metrics
    sweep: list[Metrics]
    lsh_recall: float
    candidate_recall: float
    lsh_negative_hits: float
    table: list[CalibrationBin]
    missed: dict[str, int]
    false_alarms: dict[str, int]


def shares_band(pair: LabelledPair) -> bool:
    return bool(set(lsh.band_hashes(pair.a.text)) & set(lsh.band_hashes(pair.b.text)))


def reaches_candidates(pair: LabelledPair) -> bool:
    """Whether `find_candidates` would rescore the pair: an LSH hit, the same customer or the same SN."""
    same_customer = pair.a.customer_id == pair.b.customer_id
    same_device = bool(pair.a.device_sn) and pair.a.device_sn == pair.b.device_sn
    return same_customer or same_device or shares_band(pair)


def evaluate(model: Calibration, threshold: float, *, seed: int = dataset.DEFAULT_SEED) -> Report:
    training, held_out = dataset.generate(seed)
    scored = [(scoring.probability(pair.components(), model), pair.label) for pair in held_out]
    positives = [pair for pair in held_out if pair.label]
    negatives = [pair for pair in held_out if not pair.label]
    return Report(
        training_pairs=len(training),
        held_out_pairs=len(held_out),
        held_out_duplicates=len(positives),
        at_threshold=calibration.metrics_at(scored, threshold),
        sweep=[calibration.metrics_at(scored, t) for t in SWEEP],
        lsh_recall=sum(map(shares_band, positives)) / len(positives),
        candidate_recall=sum(map(reaches_candidates, positives)) / len(positives),
        lsh_negative_hits=sum(map(shares_band, negatives)) / len(negatives),
        table=calibration.calibration_table(scored, TABLE_EDGES),
        missed=dict(Counter(p.kind for (prob, y), p in zip(scored, held_out, strict=True) if y and prob < threshold)),
        false_alarms=dict(
            Counter(p.kind for (prob, y), p in zip(scored, held_out, strict=True) if not y and prob >= threshold)
        ),
    )
