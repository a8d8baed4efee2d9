from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongdan.automation import services


@db_task()
def deliver_outbox_task() -> int:
    return services.deliver_due()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_periodically() -> int:
    return services.deliver_due()
