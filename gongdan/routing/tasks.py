"""Routing background work. The truth is in rows (holds, breaker state), so a doubled tick does no harm."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongdan.routing import services


@db_task()
def release_held_tickets() -> int:
    """After the P0 breaker closed: assign the tickets it held."""
    return services.release_held()


@db_periodic_task(crontab(minute="*"))
def routing_tick() -> int:
    """Every minute: switch the breaker if the P0 backlog changed, and retry held tickets."""
    total = 0
    while (assigned := services.release_held()) == services.RELEASE_BATCH:
        total += assigned
    return total + assigned
