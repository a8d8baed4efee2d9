"""`manage.py duplicate_report --month 2026-11`: the month's top 10 duplicate scenarios as JSON (R5.5)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gongdan.core import clock
from gongdan.triage.merging.selectors import duplicate_top10


class Command(BaseCommand):
    help = "Print the top 10 duplicate scenarios of a month (merged or confirmed duplicates) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; the current month when left out.")

    def handle(self, *args, month: str | None = None, **options):
        try:
            chosen = date.fromisoformat(f"{month}-01") if month else clock.now().date()
        except ValueError as error:
            raise CommandError("--month must look like 2026-11") from error
        self.stdout.write(json.dumps(duplicate_top10(chosen), ensure_ascii=False, indent=2))
