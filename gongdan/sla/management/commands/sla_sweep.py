from django.core.management.base import BaseCommand

from gongdan.sla import services


class Command(BaseCommand):
    help = "Run the SLA sweep once (what the worker does every minute); safe next to running workers."

    def handle(self, *args, **options):
        total = 0
        while (handled := services.sweep()) > 0:
            total += handled
            if handled < services.c.SWEEP_BATCH:
                break
        self.stdout.write(f"SLA sweep: {total} ticket(s) handled")
