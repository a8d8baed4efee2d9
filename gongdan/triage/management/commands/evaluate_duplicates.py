"""AUC and precision/recall at the threshold on the hand-written bilingual held-out pairs, for the
semantic model, the lexical model and the `rapidfuzz.fuzz.ratio` baseline (see docs/triage.md)."""

from django.core.management.base import BaseCommand

from gongdan.triage.duplicates import evaluation, selectors, services
from gongdan.triage.models import DuplicateConfig


class Command(BaseCommand):
    help = "Evaluate duplicate detection on the hand-written held-out pairs (--fit refits first)."

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, default=None, help="default: the configured threshold")
        parser.add_argument("--fit", action="store_true", help="refit on the tuning pairs + agents' verdicts")
        parser.add_argument("--part", choices=("held_out", "tuning"), default="held_out")

    def handle(self, *args, threshold: float | None, fit: bool, part: str, **options):
        embedded = evaluation.embed_set()
        config = services.refit(embedded=embedded) if fit else DuplicateConfig.current()
        threshold = config.threshold if threshold is None else threshold
        model = selectors.calibration(config)
        report = evaluation.evaluate(model, threshold, embedded, part=part)
        out = self.stdout.write
        origin = f"fitted {config.fitted_at:%Y-%m-%d %H:%M}" if config.fitted_at else "shipped defaults"
        out(f"Calibration: {origin}")
        out(f"  semantic: {model.semantic.as_dict()}")
        out(f"  lexical:  {model.lexical.as_dict()}")
        if embedded is None:
            out("Embeddings are off (GONGDAN_EMBEDDINGS_PROVIDER): the semantic model is not evaluated.")
        out(
            f"Pairs: {report.tuning_pairs} tuning; {report.held_out_pairs} evaluated ({part}), "
            f"{report.held_out_duplicates} duplicates"
        )
        out(f"{'scorer':22s}  AUC    flagged  precision  recall  (at {threshold:.2f})")
        for side in report.sides:
            m = side.at_threshold
            out(f"{side.name:22s}  {side.auc:.3f}  {m.flagged:7d}  {m.precision:9.3f}  {m.recall:6.3f}")
        for side in report.sides:
            out(f"{side.name}: threshold, flagged, precision, recall")
            for row in side.sweep:
                out(f"  {row.threshold:5.2f}  {row.flagged:5d}  {row.precision:.3f}  {row.recall:.3f}")
            out(f"  false alarms at {threshold:.2f} by kind: {side.false_alarms}")
