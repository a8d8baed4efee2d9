"""Rebuild the LSH band and keyword indexes of every ticket (after a change of LSH parameters,
the text analysis, or a bulk import that bypassed `create_ticket`)."""

from django.core.management.base import BaseCommand

from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import services


class Command(BaseCommand):
    help = "Rebuild the duplicate-detection (LSH) and related-search indexes of all tickets."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size: int, **options):
        last_id, total = 0, 0
        while True:
            batch = list(
                Ticket.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", "subject", "description")[:batch_size]
            )
            if not batch:
                break
            services.reindex_batch(batch)
            last_id = batch[-1][0]
            total += len(batch)
            self.stdout.write(f"{total} tickets indexed")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} tickets."))
