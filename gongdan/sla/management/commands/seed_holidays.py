from django.core.management.base import BaseCommand, CommandError

from gongdan.sla import calendars
from gongdan.sla.models import BusinessCalendar


class Command(BaseCommand):
    help = "Seed public holidays and make-up workdays (调休) from the holidays library into calendar day tables."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--calendar", help="calendar code (default: every calendar with a holiday country)")

    def handle(self, *args, years, calendar=None, **options):
        if calendar:
            row = BusinessCalendar.objects.filter(code=calendar).first()
            if row is None:
                raise CommandError(f"no calendar with code {calendar!r}")
            added = calendars.seed_holidays(row, years)
        else:
            added = calendars.seed_all(years)
        self.stdout.write(f"{added} day(s) added")
