from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongdan.intake import health
from gongdan.intake.adapters import imap, webhooks


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> int:
    return imap.poll_all()


@db_periodic_task(crontab(minute="*"))
def check_channel_health() -> list[str]:
    return health.check_channels()


@db_periodic_task(crontab(minute="*/30"))
def purge_webhook_nonces() -> int:
    return webhooks.purge_nonces()
