"""What other apps do when a ticket is born or changes, inside the writing transaction.

The ticket core announces and never reaches up: `tickets` imports no higher app (a test scans the
imports). Each app registers its reactions here from its AppConfig.ready(): creation and field
changes (triage, duplicates, merging, routing), every recorded event (the SLA engine), status
changes (feedback asks the customer to confirm a resolution), merges and un-merges (triage keeps
the provenance), and public replies (automation tells the customer).

Created hooks run in the request: keep them cheap. The judgement of a new ticket (classification,
priority score, duplicates, merge proposals, routing) is not a created hook but a batch step of
`tickets.services.judgement`, run by the worker behind the request. Hooks run in `order` (lowest
first) and are registered from an AppConfig.ready(); a hook may change the ticket only through
`tickets.services`, like everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongdan.core.context import Actor
from gongdan.tickets.models import Status, Ticket, TicketEvent

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


class _Registry:
    """Named hooks run in registration order; registering the same function twice is a no-op."""

    def __init__(self) -> None:
        self._hooks: list[tuple[str, Callable[..., None]]] = []

    def register(self, hook: Callable[..., None]) -> Callable[..., None]:
        name = f"{hook.__module__}.{hook.__qualname__}"
        if all(existing != name for existing, _ in self._hooks):
            self._hooks.append((name, hook))
        return hook

    def run(self, *args: Any) -> None:
        for _, hook in list(self._hooks):
            hook(*args)


@dataclass(frozen=True)
class Merged:
    """`original` was merged into `master`; `previous_status` is what the original was before."""

    actor: Actor
    original: Ticket
    master: Ticket
    previous_status: Status
    reason: str
    proposal: Any = None  # the triage merge proposal the agent confirmed, if any


@dataclass(frozen=True)
class Unmerged:
    actor: Actor
    original: Ticket
    master: Ticket
    reason: str


# (ticket, event): every event `record_event` appends (not the SLA engine's own signals).
RecordedHook = Callable[[Ticket, TicketEvent], None]
# (ticket, actor, old status, the status event): after a move is written; `ticket.status` is the new one.
StatusHook = Callable[[Ticket, Actor, Status, TicketEvent], None]
MergedHook = Callable[[Merged], None]
UnmergedHook = Callable[[Unmerged], None]
# (ticket, actor, reply event): after a public reply and the status move it caused are written.
ReplyHook = Callable[[Ticket, Actor, TicketEvent], None]

_recorded, _status, _merged, _unmerged, _reply = _Registry(), _Registry(), _Registry(), _Registry(), _Registry()


def register_recorded_hook(hook: RecordedHook) -> RecordedHook:
    return _recorded.register(hook)


def run_recorded_hooks(ticket: Ticket, event: TicketEvent) -> None:
    _recorded.run(ticket, event)


def register_status_hook(hook: StatusHook) -> StatusHook:
    return _status.register(hook)


def run_status_hooks(ticket: Ticket, actor: Actor, old: Status, event: TicketEvent) -> None:
    _status.run(ticket, actor, old, event)


def register_merged_hook(hook: MergedHook) -> MergedHook:
    return _merged.register(hook)


def run_merged_hooks(merged: Merged) -> None:
    _merged.run(merged)


def register_unmerged_hook(hook: UnmergedHook) -> UnmergedHook:
    return _unmerged.register(hook)


def run_unmerged_hooks(unmerged: Unmerged) -> None:
    _unmerged.run(unmerged)


def register_reply_hook(hook: ReplyHook) -> ReplyHook:
    return _reply.register(hook)


def run_reply_hooks(ticket: Ticket, actor: Actor, event: TicketEvent) -> None:
    _reply.run(ticket, actor, event)
