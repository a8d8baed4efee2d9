"""Background work of duplicate detection: the nightly refit on agents' new decisions."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongdan.triage.duplicates import services
from gongdan.triage.models import DuplicateConfig, DuplicateSuspicion


@db_periodic_task(crontab(hour="3", minute="41"))
def refit_duplicate_calibration_nightly() -> bool:
    """Refit when agents decided pairs since the last fit; idempotent, so a doubled run does no harm."""
    config = DuplicateConfig.current()
    decided = DuplicateSuspicion.objects.exclude(decision=DuplicateSuspicion.Decision.OPEN)
    if config.fitted_at is not None:
        decided = decided.filter(decided_at__gt=config.fitted_at)
    if not decided.exists():
        return False
    services.refit()
    return True
