"""A process-wide cache of configuration rows, valid while the configuration generation is unchanged.

Configuration (SLA policies and calendars, desk and triage policies, categories, priorities,
statuses …) is read by every ticket change but edited rarely. Reading it per change cost dozens of
queries per created ticket. Instead each cached value is stored with the generation token it was
computed under, and reused while the token in `core_configgeneration` is the same.

- Apps declare which models are configuration with `watch(Model, …)` in their `AppConfig.ready()`;
  saving or deleting one (or changing its many-to-many rows) calls `bump()`, which writes a fresh
  random token in the same transaction. Other processes see it when that transaction commits.
- Writes that bypass model signals (`QuerySet.update`, `bulk_create`) on watched models must call
  `bump()` themselves.
- The token is read once per `scope()` (a web request, a task, a sweep batch) and once per call
  outside any scope. `bump()` inside a scope forgets the scope's token, so the writer reads its own
  change back.
- Cached values are shared between threads: treat them as read-only.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_values: dict[Hashable, tuple[str, object]] = {}
_lock = threading.Lock()
_scope_token: ContextVar[list[str | None] | None] = ContextVar("configcache_scope", default=None)


def _read_token() -> str:
    from gongdan.core.models import ConfigGeneration

    return ConfigGeneration.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def current_token() -> str:
    holder = _scope_token.get()
    if holder is None:
        return _read_token()
    if holder[0] is None:
        holder[0] = _read_token()
    return holder[0]


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s value for `key`, computed again only after the configuration changed."""
    token = current_token()
    hit = _values.get(key)
    if hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _values[key] = (token, value)
    return value


def bump(**_signal_kwargs) -> None:
    """Mark the configuration as changed (inside the changing transaction). Also a signal receiver."""
    from gongdan.core.models import ConfigGeneration

    token = uuid.uuid4().hex
    if not ConfigGeneration.objects.filter(pk=1).update(token=token):
        ConfigGeneration.objects.create(pk=1, token=token)  # a flushed test database has no row
    holder = _scope_token.get()
    if holder is not None:
        holder[0] = None


def clear() -> None:
    """Forget every cached value (tests start from an empty cache)."""
    with _lock:
        _values.clear()


@contextmanager
def scope() -> Iterator[None]:
    """Read the generation token once for the work inside (nested scopes share the outer one)."""
    if _scope_token.get() is not None:
        yield
        return
    reset = _scope_token.set([None])
    try:
        yield
    finally:
        _scope_token.reset(reset)


def watch(*models) -> None:
    """Declare models as configuration: saving, deleting or re-linking one bumps the generation."""
    for model in models:
        uid = f"configcache:{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _m2m_bump, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}", weak=False
            )


def _m2m_bump(action: str, **_kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


class ScopeMiddleware:
    """One generation read per request, however many services consult the configuration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope():
            return self.get_response(request)
