from django.core.management.base import BaseCommand

from gongdan.automation import services as outbox
from gongdan.feedback import services as feedback
from gongdan.sla import services as sla


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps once, now (SLA, auto-close) and deliver the due outbox. `make run` calls it "
        "before printing its banner, so the mail a freshly loaded demo sends is not printed over the banner."
    )

    def handle(self, *args, **options):
        feedback.auto_close_due()
        while sla.sweep() == sla.c.SWEEP_BATCH:
            pass
        delivered = 0
        while True:
            sent = outbox.deliver_due(limit=1000)
            delivered += sent
            if sent < 1000:
                break
        self.stdout.write(f"Sweeps run; {delivered} notifications delivered.")
