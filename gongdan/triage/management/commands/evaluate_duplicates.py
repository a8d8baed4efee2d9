"""Precision/recall of duplicate detection at the configured threshold, LSH candidate recall and the
calibration table, on the generated held-out pairs (see docs/triage-duplicates.md)."""

from django.core.management.base import BaseCommand

from gongdan.triage.duplicates import dataset, evaluation, selectors, services
from gongdan.triage.models import DuplicateConfig


class Command(BaseCommand):
    help = "Evaluate duplicate detection on the generated bilingual held-out set (--fit refits first)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=dataset.DEFAULT_SEED)
        parser.add_argument("--threshold", type=float, default=None, help="default: the configured threshold")
        parser.add_argument("--fit", action="store_true", help="refit on the training pairs + agents' decisions")

    def handle(self, *args, seed: int, threshold: float | None, fit: bool, **options):
        config = services.refit(seed=seed) if fit else DuplicateConfig.current()
        threshold = config.threshold if threshold is None else threshold
        model = selectors.calibration(config)
        report = evaluation.evaluate(model, threshold, seed=seed)
        out = self.stdout.write
        origin = f"fitted {config.fitted_at:%Y-%m-%d %H:%M}" if config.fitted_at else "shipped defaults"
        out(f"Calibration: {origin}; intercept {model.intercept}, coefficients {dict(model.coefficients)}")
        out(
            f"Pairs: {report.training_pairs} training, {report.held_out_pairs} held out "
            f"({report.held_out_duplicates} duplicates)"
        )
        m = report.at_threshold
        out(
            f"At threshold {threshold:.2f}: flagged {m.flagged}, precision {m.precision:.3f}, "
            f"recall {m.recall:.3f}, F1 {m.f1:.3f}"
        )
        out("threshold  flagged  precision  recall  F1")
        for row in report.sweep:
            out(f"{row.threshold:9.2f}  {row.flagged:7d}  {row.precision:9.3f}  {row.recall:6.3f}  {row.f1:.3f}")
        out(
            f"Candidate stage: LSH recall {report.lsh_recall:.3f} of held-out duplicates, with the same "
            f"customer/device pool {report.candidate_recall:.3f}; "
            f"LSH hits on non-duplicates {report.lsh_negative_hits:.3f}"
        )
        out("Calibration table (held out): probability bin, pairs, mean probability, share of duplicates")
        for row in report.table:
            out(
                f"[{row.low:.2f}, {row.high:.2f})  {row.pairs:5d}  "
                f"{row.mean_probability:.3f}  {row.duplicate_share:.3f}"
            )
        out(f"Missed duplicates by rewording: {report.missed}")
        out(f"False alarms by kind: {report.false_alarms}")
