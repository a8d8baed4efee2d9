"""What other apps do when a ticket is born, inside the creating transaction.

Triage (priority score, classification, duplicates, recurrence) and routing (assignment) run for
every ticket whatever its channel (API, portal, intake, demo), so they hang here rather than on
one caller. Hooks run in `order` (lowest first) and are registered from an AppConfig.ready(); a
hook may change the ticket only through `tickets.services`, like everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gongdan.core.context import Actor
from gongdan.tickets.models import Ticket

# Registration orders: scoring/classification first, then duplicates and recurrence, then routing.
ORDER_TRIAGE = 100
ORDER_DUPLICATES = 200
ORDER_ROUTING = 300


@dataclass(frozen=True)
class CreationHints:
    """What the creator chose explicitly, which a hook must respect rather than overwrite."""

    priority_given: bool = False
    category_given: bool = False
    team_given: bool = False
    assignee_given: bool = False


CreatedHook = Callable[[Ticket, Actor, CreationHints], None]
_HOOKS: list[tuple[int, str, CreatedHook]] = []
# Called after `update_fields` changed plain fields, with the names that changed (e.g. reindexing).
ChangedHook = Callable[[Ticket, Actor, frozenset[str]], None]
_CHANGED_HOOKS: list[tuple[str, ChangedHook]] = []


def register_created_hook(hook: CreatedHook, *, order: int) -> CreatedHook:
    name = f"{hook.__module__}.{hook.__qualname__}"
    if all(existing != name for _, existing, _ in _HOOKS):
        _HOOKS.append((order, name, hook))
        _HOOKS.sort(key=lambda entry: (entry[0], entry[1]))
    return hook


def run_created_hooks(ticket: Ticket, actor: Actor, hints: CreationHints) -> None:
    for _, _, hook in list(_HOOKS):
        hook(ticket, actor, hints)


def register_changed_hook(hook: ChangedHook) -> ChangedHook:
    name = f"{hook.__module__}.{hook.__qualname__}"
    if all(existing != name for existing, _ in _CHANGED_HOOKS):
        _CHANGED_HOOKS.append((name, hook))
    return hook


def run_changed_hooks(ticket: Ticket, actor: Actor, changed: frozenset[str]) -> None:
    for _, hook in list(_CHANGED_HOOKS):
        hook(ticket, actor, changed)
