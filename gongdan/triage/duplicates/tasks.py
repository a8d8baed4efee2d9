"""Background work of duplicate detection: embeddings and the semantic check every minute, and the
nightly refit on agents' new verdicts."""

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from gongdan.triage.duplicates import batch, services
from gongdan.triage.models import DuplicateConfig, DuplicateSuspicion

logger = logging.getLogger(__name__)

# One minute's work at most (≈ 45 texts/s on one loaded core): the next tick continues the backlog.
EMBED_BATCHES_PER_TICK = 40


def embed_and_check(batches: int = EMBED_BATCHES_PER_TICK, size: int = batch.DEFAULT_BATCH) -> tuple[int, int]:
    """Embed what is pending, then check it, batch after batch, until nothing is left or the
    tick's budget is spent. Returns (embedded, checked)."""
    embedded = checked = 0
    for _ in range(batches):
        done = batch.embed_pending(size)
        seen = batch.check_pending(size)
        embedded, checked = embedded + done, checked + seen
        if not done and not seen:
            break
    return embedded, checked


@db_periodic_task(crontab(minute="*"))
def embed_and_check_periodically() -> tuple[int, int] | None:
    """Claimed: a second consumer (or an overlapping tick) skips while one runs."""
    try:
        with HUEY.lock_task("triage-embed-and-check"):
            return embed_and_check()
    except TaskLockedException:
        logger.info("Embedding batch already running elsewhere")
        return None


@db_periodic_task(crontab(hour="3", minute="41"))
def refit_duplicate_calibration_nightly() -> bool:
    """Refit when agents decided pairs since the last fit; idempotent, so a doubled run does no harm."""
    config = DuplicateConfig.current()
    decided = DuplicateSuspicion.objects.exclude(decision=DuplicateSuspicion.Decision.OPEN)
    if config.fitted_at is not None:
        decided = decided.filter(decided_at__gt=config.fitted_at)
    if not decided.exists():
        return False
    services.refit(bounded=True)
    return True
