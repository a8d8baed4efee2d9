"""What other apps do when a ticket is born or re-categorised, inside the changing transaction.

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


def register_created_hook(hook: CreatedHook, *, order: int) -> CreatedHook:
    name = f"{hook.__module__}.{hook.__qualname__}"
    if all(existing != name for _, existing, _ in _HOOKS):
        _HOOKS.append((order, name, hook))
        _HOOKS.sort(key=lambda entry: (entry[0], entry[1]))
    return hook


def run_created_hooks(ticket: Ticket, actor: Actor, hints: CreationHints) -> None:
    for _, _, hook in list(_HOOKS):
        hook(ticket, actor, hints)


# Hooks run after `set_category` changed a ticket's category (merge proposals, recurrence, …).
CategoryHook = Callable[[Ticket, Actor], None]
_CATEGORY_HOOKS: list[tuple[int, str, CategoryHook]] = []


def register_category_changed_hook(hook: CategoryHook, *, order: int) -> CategoryHook:
    name = f"{hook.__module__}.{hook.__qualname__}"
    if all(existing != name for _, existing, _ in _CATEGORY_HOOKS):
        _CATEGORY_HOOKS.append((order, name, hook))
        _CATEGORY_HOOKS.sort(key=lambda entry: (entry[0], entry[1]))
    return hook


def run_category_changed_hooks(ticket: Ticket, actor: Actor) -> None:
    for _, _, hook in list(_CATEGORY_HOOKS):
        hook(ticket, actor)
