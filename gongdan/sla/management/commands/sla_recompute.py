from django.core.management.base import BaseCommand

from gongdan.sla import services


class Command(BaseCommand):
    help = "Recompute the SLA clocks and deadlines of every active ticket (after an upgrade or a bulk import)."

    def handle(self, *args, **options):
        count = services.recompute_active()
        self.stdout.write(f"SLA recomputed for {count} active ticket(s)")
