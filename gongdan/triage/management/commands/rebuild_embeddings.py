"""Embed every ticket that has no embedding by the configured model (after a model change, an
import, or enabling embeddings). Resumable: stop it any time and run it again."""

from django.core.management.base import BaseCommand, CommandError

from gongdan.triage.duplicates import batch, embeddings


class Command(BaseCommand):
    help = "Embed tickets lacking an embedding by the configured model, newest first (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=256)
        parser.add_argument("--limit", type=int, default=None, help="stop after this many tickets")

    def handle(self, *args, batch_size: int, limit: int | None, **options):
        provider = embeddings.provider()
        if provider is None:
            raise CommandError("Embeddings are off (GONGDAN_EMBEDDINGS_PROVIDER=off).")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(f"Model {provider.model_id} {provider.version}")
        done = batch.rebuild(
            batch_size=batch_size, limit=limit, report=lambda n: self.stdout.write(f"  {n} tickets embedded")
        )
        left = "more pending (run again to resume)" if batch.pending_ids(provider, 1) else "none pending"
        self.stdout.write(f"Embedded {done} tickets; {left}")
