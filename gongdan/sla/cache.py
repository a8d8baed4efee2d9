"""A configuration cache scoped to one batch of work (a sweep, a recompute, the demo loader).

SLA configuration (policies, calendars, ladder, thresholds) changes rarely but is read on every
refresh. Inside `batch()` each piece is read once; outside it (a web request changing one ticket)
everything is read fresh, so an admin's edit is seen at once and no process holds stale rules.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_store: ContextVar[dict | None] = ContextVar("sla_config_cache", default=None)


@contextmanager
def batch() -> Iterator[None]:
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]
