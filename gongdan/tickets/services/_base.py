"""Shared helpers of the ticket services: the timeline writer, lookups. Locking is in `locking.py`.

The names without a leading underscore are shared by the service modules; nothing outside
`tickets.services` should need them.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import F

from gongdan.accounts.constants import STAFF_ROLES
from gongdan.accounts.models import User
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.tickets import constants as c
from gongdan.tickets import selectors
from gongdan.tickets.models import (
    DeskPolicy,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)
from gongdan.tickets.services.hooks import run_recorded_hooks

MENTION = re.compile(r"@([\w.\-]+)")


class Upload:
    """A file handed to a service: a name, a declared type and its bytes."""

    def __init__(self, name: str, content: bytes, content_type: str = ""):
        self.name = name
        self.content = content
        self.content_type = content_type


def record_event(
    ticket: Ticket,
    actor: Actor,
    event_type: str,
    *,
    summary: str = "",
    body: str = "",
    old: Any = None,
    new: Any = None,
    is_public: bool = False,
    is_effective: bool = False,
    first_response: bool = False,
    refresh_sla: bool = True,
    ticket_fields: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append one event to the timeline, bump the ticket's version, then announce the event.

    The recorded hooks run (the SLA engine recomputes the ticket's clocks); `refresh_sla=False` is
    for the engine's own events (warnings, breaches, escalations), which announce nothing.
    `ticket_fields` are written to the ticket in the same UPDATE as its `updated_at` (one round trip
    instead of two for a service that changes a field and records the change).
    """
    at = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        event_type=event_type,
        actor=actor.user,
        actor_customer=actor.customer,
        ip=actor.ip,
        channel=actor.channel,
        summary=summary,
        body=body,
        old_value=old,
        new_value=new,
        is_public=is_public,
        is_effective=is_effective,
        counts_as_first_response=first_response,
        created_at=at,
    )
    fields = {**(ticket_fields or {}), "updated_at": at}
    if is_effective:
        fields["last_effective_action_at"] = at
    if first_response:
        fields["first_response_at"] = at
    # The version counts writes for optimistic concurrency (ETag / If-Match); F() keeps it exact
    # even for a caller whose copy of the ticket is not the locked one.
    Ticket.objects.filter(pk=ticket.pk).update(**fields, version=F("version") + 1)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.version = (ticket.version or 0) + 1
    if refresh_sla:
        run_recorded_hooks(ticket, event)
    return event


def counts_as_effective(event_type: str, policy: DeskPolicy, actor: Actor) -> bool:
    # Effective actions are work done by the desk (R3.3); a customer's own message is not one.
    return event_type in policy.effective_event_types and not actor.is_customer


def _statuses() -> tuple[dict[str, Status], dict[str, Status]]:
    """Statuses by key and the default status of each kind, from the cached table (read-only)."""
    rows = selectors.statuses()
    defaults: dict[str, Status] = {}
    for status in rows:
        if status.is_default:
            defaults.setdefault(status.kind, status)
    return {status.key: status for status in rows}, defaults


def status_for(kind: str) -> Status:
    default = _statuses()[1].get(kind)
    # No default for the kind: the original query raises Status.DoesNotExist as it always did.
    return default if default is not None else Status.objects.get(kind=kind, is_default=True)


def resolve_status(value: str | Status) -> Status:
    if isinstance(value, Status):
        return value
    by_key, defaults = _statuses()
    status = by_key.get(value) or defaults.get(value)
    if status is None:
        raise InvalidInput(f"Unknown status: {value}.", f"未知的状态：{value}。", fields={"status": "unknown"})
    return status


def _priorities() -> dict[str, Priority]:
    return {priority.code: priority for priority in selectors.priorities()}


def resolve_priority(code: str | None) -> Priority:
    code = code or c.DEFAULT_PRIORITY
    priority = _priorities().get(code)
    if priority is None:
        raise InvalidInput(
            f"Unknown priority: {code}. Use P0–P4.",
            f"未知的优先级：{code}，请使用 P0–P4。",
            fields={"priority": "unknown"},
        )
    return priority


def staff_user(user_id_or_user: User | int | None, field: str) -> User | None:
    if user_id_or_user is None:
        return None
    user = user_id_or_user if isinstance(user_id_or_user, User) else User.objects.filter(pk=user_id_or_user).first()
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise InvalidInput(
            "The chosen person is not an active staff member.",
            "所选人员不是在职的员工账号。",
            fields={field: "invalid"},
        )
    return user


def mentioned_staff(body: str) -> list[User]:
    names = set(MENTION.findall(body))
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True, role__in=STAFF_ROLES))


def clean_tags(names: Iterable[str]) -> list[str]:
    cleaned = sorted({name.strip() for name in names if name and name.strip()})
    too_long = [name for name in cleaned if len(name) > 50]
    if too_long:
        raise InvalidInput("Tags are at most 50 characters.", "标签最多 50 个字符。", fields={"tags": "too_long"})
    return cleaned


def set_tags(ticket: Ticket, names: Iterable[str]) -> tuple[list[str], list[str]]:
    old = sorted(ticket.tags.values_list("name", flat=True))
    cleaned = clean_tags(names)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in cleaned]
    ticket.tags.set(tags)
    return old, cleaned
