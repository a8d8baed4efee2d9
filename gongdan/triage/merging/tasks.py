"""Background merge work; the truth is in rows, so a doubled or lost tick does no harm."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongdan.triage.merging import services


@db_periodic_task(crontab(minute="*/5"))
def expire_merge_proposals_periodically() -> int:
    """Every five minutes: pending proposals whose tickets were closed or merged expire."""
    return services.expire_stale_proposals()
