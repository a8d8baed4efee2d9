"""What other apps do when a ticket is born, inside the creating transaction.

Created hooks run in the request: keep them cheap. The judgement of a new ticket (classification,
priority score, duplicates, merge proposals, routing) is not a created hook but a batch step of
`tickets.services.judgement`, run by the worker behind the request. Hooks run in `order` (lowest
first) and are registered from an AppConfig.ready(); a hook may change the ticket only through
`tickets.services`, like everyone else.
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

    def to_bits(self) -> int:
        """Stored on the ticket (`triage_hints`) so the worker's judgement respects them too."""
        return sum(1 << n for n, name in enumerate(_HINT_NAMES) if getattr(self, name))

    @classmethod
    def from_bits(cls, bits: int) -> CreationHints:
        return cls(**{name: bool(bits & (1 << n)) for n, name in enumerate(_HINT_NAMES)})


_HINT_NAMES = ("priority_given", "category_given", "team_given", "assignee_given")


CreatedHook = Callable[[Ticket, Actor, CreationHints], None]
_HOOKS: list[tuple[int, str, CreatedHook]] = []
# Called after `update_fields` changed plain fields or `set_category` the category, with the names
# that changed (e.g. reindexing, merge proposals and recurrence on a new category).
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
