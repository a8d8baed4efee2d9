"""Background SLA work. The truth is in rows, so a lost or doubled tick, or two workers, do no harm."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongdan.core import clock
from gongdan.sla import calendars, services


@db_periodic_task(crontab(minute="*"))
def sla_sweep_periodically() -> int:
    """Every minute: handle the tickets whose next SLA check has come (warnings, breaches, ladder…)."""
    total = 0
    while True:
        handled = services.sweep()
        total += handled
        if handled < services.c.SWEEP_BATCH:
            return total


@db_task()
def recompute_active_tickets() -> int:
    """After an admin changed a policy, calendar or threshold: recompute every active ticket."""
    return services.recompute_active()


@db_periodic_task(crontab(day="1", hour="3", minute="17"))
def seed_holidays_monthly() -> int:
    """Keep this year's and next year's holidays in every calendar's day table (admin edits are kept)."""
    year = clock.now().year
    return calendars.seed_all([year, year + 1])
