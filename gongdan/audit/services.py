"""The one writer of audit events. Callers pass who acted and from where; nothing here reads the request."""

from __future__ import annotations

from typing import Any

from gongdan.audit.constants import Action
from gongdan.audit.models import AuditEvent
from gongdan.core import clock


def record(
    *,
    action: Action | str,
    actor: Any = None,
    actor_label: str = "",
    ip: str | None = None,
    user_agent: str = "",
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event. `actor` is the account that acted (or whose sign-in this is), `target` the
    object concerned (a model instance) if any."""
    label = actor_label or (actor.get_username() if actor is not None else "")
    event = AuditEvent(
        at=clock.now(),
        action=str(action),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label[:150],
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
        before=before,
        after=after,
        detail=detail[:300],
    )
    if target is not None:
        event.object_type = target._meta.label
        event.object_id = str(target.pk)[:64]
        event.object_repr = str(target)[:200]
    event.save()
    return event


def record_from_request(request, *, action: Action | str, actor: Any = None, **kwargs) -> AuditEvent:
    """The same, with IP and browser taken from a request (sign-in views)."""
    from gongdan.core.context import client_ip

    return record(
        action=action,
        actor=actor,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        **kwargs,
    )
