"""Macro-F1 of the classifier on the generated bilingual set (gongdan/triage/datasets), two splits:
`random` (stratified 75/25: test texts are rewordings of phrasings seen in training) and `unseen`
(each kind's last phrasing per language is held out: wording the model never saw)."""

import json
import random

from django.core.management.base import BaseCommand

from gongdan.triage.classification import training
from gongdan.triage.classification.features import Sample
from gongdan.triage.datasets.generator import SEED, LabelledText, generate


def _samples(items: list[LabelledText]) -> list[Sample]:
    return [Sample(text=item.text, category=item.category) for item in items]


def random_split(items: list[LabelledText], seed: int) -> tuple[list[LabelledText], list[LabelledText]]:
    rng = random.Random(seed)
    by_category: dict[str, list[LabelledText]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    train, test = [], []
    for group in by_category.values():
        rng.shuffle(group)
        cut = max(1, len(group) // 4)
        test += group[:cut]
        train += group[cut:]
    return train, test


def evaluate(split: str, seed: int, per_phrasing: int) -> dict:
    items = generate(seed=seed, per_phrasing=per_phrasing)
    if split == "unseen":
        train = [i for i in items if not i.held_out]
        test = [i for i in items if i.held_out]
    else:
        train, test = random_split(items, seed)
    bundle = training.train(_samples(train))
    report = training.evaluate(bundle, _samples(test))
    for language in ("zh", "en"):
        subset = [i for i in test if i.language == language]
        report[f"macro_f1_{language}"] = training.evaluate(bundle, _samples(subset))["macro_f1"]
    return {"split": split, "train": len(train), **report}


class Command(BaseCommand):
    help = "Train on a split of the generated bilingual set and print macro-F1 and per-category figures."

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=["random", "unseen", "both"], default="both")
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--per-phrasing", type=int, default=8)
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="k-fold cross-validated and unseen-wording comparison with the char 1-3-gram baseline",
        )
        parser.add_argument("--folds", type=int, default=5)

    def handle(self, *args, **options):
        if options["compare"]:
            self._compare(options["seed"], options["per_phrasing"], options["folds"])
            return
        splits = ["random", "unseen"] if options["split"] == "both" else [options["split"]]
        results = [evaluate(split, options["seed"], options["per_phrasing"]) for split in splits]
        if options["format"] == "json":
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        for result in results:
            self.stdout.write(
                f"split={result['split']} train={result['train']} test={result['samples']} "
                f"accuracy={result['accuracy']} macro_f1={result['macro_f1']} "
                f"(zh {result['macro_f1_zh']}, en {result['macro_f1_en']})"
            )
            self.stdout.write(f"{'category':<28} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
            for category, row in result["per_category"].items():
                self.stdout.write(
                    f"{category:<28} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                    f"{row['f1']:>6.3f} {row['support']:>4}"
                )

    def _compare(self, seed: int, per_phrasing: int, k: int) -> None:
        import numpy as np

        from gongdan.triage.classification import evaluation
        from gongdan.triage.duplicates import embeddings

        items = generate(seed=seed, per_phrasing=per_phrasing)
        texts, labels = [i.text for i in items], [i.category for i in items]
        embedded = embeddings.embed(texts)
        if embedded is None:
            self.stdout.write("Embeddings are off: the embedding variant is left out.")
        index = np.arange(len(items))
        unseen = [(index[[not i.held_out for i in items]], index[[i.held_out for i in items]])]
        for title, folds in (
            (f"{k}-fold cross-validation (stratified, seed {seed})", evaluation.cross_validated_folds(labels, k, seed)),
            ("unseen wording (each kind's last phrasing per language held out)", unseen),
        ):
            self.stdout.write(f"{title}: {len(items)} texts, {len(set(labels))} categories")
            floors = "  ".join(f"cov@{f:.1f}" for f in evaluation.FLOORS)
            self.stdout.write(f"  {'model':<28} macro-F1  accuracy  {floors}")
            for result in evaluation.compare(texts, labels, folds, embedded):
                cells = "  ".join(f"{result.coverage[f][0]:.3f}/{result.coverage[f][1]:.2f}" for f in evaluation.FLOORS)
                self.stdout.write(f"  {result.name:<28} {result.macro_f1:8.4f}  {result.accuracy:8.4f}  {cells}")
            self.stdout.write("  (coverage/accuracy of the covered, at each confidence floor)")
