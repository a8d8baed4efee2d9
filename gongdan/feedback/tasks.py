from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongdan.feedback import services


@db_periodic_task(crontab(minute="7"))
def auto_close_resolved_tickets() -> int:
    return services.auto_close_due()
