"""Side effects after commit that must never fail the request that committed (issue 24.1).

Once a transaction has committed, the truth is in the database: a kick of the worker (a huey
enqueue that needs Redis) is only a shortcut, and the periodic sweeps drain whatever a failed kick
missed. So every after-commit hook goes through `after_commit`, which logs a failure instead of
raising it into the request (where it used to turn a committed create into a 500 and a duplicate
on retry).
"""

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)


def after_commit(fn: Callable[[], object], *, using: str | None = None) -> None:
    """Run `fn` once the current transaction commits (now, outside one); never raises."""
    transaction.on_commit(lambda: run_safely(fn), using=using)


def run_safely(fn: Callable[[], object]) -> bool:
    """Call `fn`; True if it returned, False if it raised (logged with what failed, not where)."""
    try:
        fn()
    except Exception as exc:  # a kick is best effort by design: any failure is left to the sweep
        log.warning(
            "after-commit %s failed (%s); the periodic sweep will catch up",
            getattr(fn, "__name__", repr(fn)),
            type(exc).__name__,
            exc_info=True,
        )
        return False
    return True
