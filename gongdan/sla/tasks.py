"""Background SLA work. The truth is in rows, so a lost or doubled tick, or two workers, do no harm."""

import gc

from django.urls import reverse
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from gongdan.core import clock
from gongdan.sla import calendars, services


@on_startup()
def warm_up() -> None:
    """Pay the one-off costs when a worker starts, not inside the first sweep's transaction.

    The notices link to the ticket page: the first `reverse` imports every view (≈ 250 ms). Then the
    start-up objects (modules, URL patterns, cached configuration) are frozen out of the garbage
    collector: a sweep allocates enough objects to set off a full collection, which otherwise walks
    them all again (≈ 100 ms of a 1,000-ticket sweep).
    """
    reverse("web:ticket", args=["GD-1"])
    gc.collect()
    gc.freeze()


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
