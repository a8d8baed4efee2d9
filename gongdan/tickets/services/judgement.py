"""Accept in the request, judge behind it (DESIGN rule 12, ADR 0019).

The creating request writes the ticket with an initial priority from cheap pure rules and marks it
"triage pending"; the judgement (classification, the full priority score, embeddings, duplicates,
merge proposals, routing and what they notify) runs in the worker, in batches: one transaction claims
up to `BATCH_SIZE` pending tickets (`FOR UPDATE SKIP LOCKED`, so two workers never share a ticket),
runs every registered batch step over the whole batch in `order`, and clears the marker with the
time it was judged (`triaged_at`: intake-to-routed time). Agents see the ticket before or after its
judgement, never half-way: the batch commits as a whole.

A P0 or an alarm (a machine-reported fault code) takes the fast lane: a task of its own, enqueued at
commit, claims just that ticket. Normal tickets enqueue a kick that drains the pending batch; the
minute sweep picks up whatever a lost kick left behind.

In tests and with an immediate huey the judgement runs inline, at the end of the creating
transaction, through the same steps: synchronous-equivalent behaviour (`runs_inline`).

Batch steps are registered from an AppConfig.ready() with `register_batch_step(fn, order=…)`:
`fn(tickets, hints)` gets the claimed tickets (oldest first, with customer, organization, category,
priority and status) and their `CreationHints` by ticket id, and writes through `tickets.services`.
The orders leave room for each other: triage 100, embeddings 150, duplicates 200, merging 210,
routing 300.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from gongdan.core import clock, configcache
from gongdan.core.aftercommit import after_commit
from gongdan.tickets.constants import PriorityCode
from gongdan.tickets.models import Ticket
from gongdan.tickets.services.hooks import CreationHints

log = logging.getLogger(__name__)

BATCH_SIZE = 100
ORDER_TRIAGE = 100
ORDER_EMBEDDINGS = 150
ORDER_DUPLICATES = 200
ORDER_MERGING = 210
ORDER_ROUTING = 300

BatchStepFn = Callable[[list[Ticket], dict[int, CreationHints]], None]
# (unsaved ticket with its customer, category, text and fault code) → a priority code, or None to pass.
InitialPriorityRule = Callable[[Ticket], str | None]


@dataclass(frozen=True)
class BatchStep:
    order: int
    name: str
    run: BatchStepFn


_STEPS: list[BatchStep] = []
_INITIAL_RULES: list[InitialPriorityRule] = []
_inline: ContextVar[bool | None] = ContextVar("gongdan_judge_inline", default=None)


def register_batch_step(run: BatchStepFn, *, order: int) -> BatchStepFn:
    name = f"{run.__module__}.{run.__qualname__}"
    if all(step.name != name for step in _STEPS):
        _STEPS.append(BatchStep(order, name, run))
        _STEPS.sort(key=lambda step: (step.order, step.name))
    return run


def batch_steps() -> list[BatchStep]:
    """The ordered list of batch steps (a new judgement, e.g. embeddings, registers its own)."""
    return list(_STEPS)


def register_initial_priority(rule: InitialPriorityRule) -> InitialPriorityRule:
    if rule not in _INITIAL_RULES:
        _INITIAL_RULES.append(rule)
    return rule


def initial_priority(ticket: Ticket) -> str | None:
    """The first registered rule's priority for an unsaved ticket; None leaves the default."""
    for rule in _INITIAL_RULES:
        code = rule(ticket)
        if code:
            return code
    return None


# ---- where the judgement runs ------------------------------------------------------------------


def runs_inline() -> bool:
    """Inline (in the creating transaction) when forced by `synchronously()`, or when the setting
    `GONGDAN_JUDGE_INLINE` says so; by default whenever huey runs tasks immediately (tests)."""
    forced = _inline.get()
    if forced is not None:
        return forced
    configured = getattr(settings, "GONGDAN_JUDGE_INLINE", None)
    if configured is not None:
        return bool(configured)
    from huey.contrib.djhuey import HUEY

    return bool(HUEY.immediate)


@contextmanager
def synchronously(inline: bool = True) -> Iterator[None]:
    """Judge inline (or, with `inline=False`, behind) within the block: the demo loader, tests."""
    token = _inline.set(inline)
    try:
        yield
    finally:
        _inline.reset(token)


def in_fast_lane(ticket: Ticket) -> bool:
    """A P0 or an alarm (a machine-reported fault code) is judged on its own, at once."""
    return ticket.priority.code == PriorityCode.P0 or bool(ticket.fault_code)


def accept(ticket: Ticket) -> None:
    """Called by `create_ticket` after the created event: judge now (inline) or hand to the worker."""
    if not ticket.triage_pending:
        return
    if runs_inline():
        _judge_claimed([ticket])
        # The steps wrote through the services on their own copies: the caller gets what was written.
        ticket.refresh_from_db()
        return
    from gongdan.tickets import tasks

    if in_fast_lane(ticket):
        pk = ticket.pk

        def judge_in_fast_lane() -> None:
            tasks.judge_now(pk)

        after_commit(judge_in_fast_lane)
    else:
        after_commit(tasks.judge_batch)


# ---- the worker's batch ------------------------------------------------------------------------


def _claim(limit: int, ticket_ids: list[int] | None) -> list[Ticket]:
    pending = Ticket.objects.filter(triage_pending=True)
    if ticket_ids is not None:
        pending = pending.filter(pk__in=ticket_ids)
    locked = pending.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
    related = locked.select_related("customer", "organization", "category", "priority", "status")
    return list(related[:limit])


def judge_pending(*, limit: int = BATCH_SIZE, ticket_ids: list[int] | None = None) -> int:
    """Claim up to `limit` pending tickets (or those of `ticket_ids` still pending), judge them in one
    transaction and return how many. Tickets another worker holds are skipped, not waited for."""
    with configcache.scope(), transaction.atomic():
        claimed = _claim(limit, ticket_ids)
        if claimed:
            _judge_claimed(claimed)
    return len(claimed)


def drain(limit: int = BATCH_SIZE) -> int:
    """Judge pending tickets batch after batch until none is left (kick and sweep)."""
    total = 0
    while (judged := judge_pending(limit=limit)) == limit:
        total += judged
    return total + judged


def _run_steps(tickets: list[Ticket]) -> None:
    hints = {ticket.pk: CreationHints.from_bits(ticket.triage_hints) for ticket in tickets}
    for step in batch_steps():
        step.run(tickets, hints)


def _judge_claimed(tickets: list[Ticket]) -> None:
    """Run the steps over the batch; a failing batch is retried ticket by ticket, so one bad ticket
    cannot hold the others back (it is logged and released without judgement)."""
    judged = [ticket.pk for ticket in tickets]
    try:
        with transaction.atomic():
            _run_steps(tickets)
    except Exception:
        log.exception("judging tickets %s failed", judged)
        judged = [] if len(tickets) == 1 else [ticket.pk for ticket in tickets if _judge_alone(ticket)]
    done = {ticket.pk for ticket in tickets}
    now = clock.now()
    Ticket.objects.filter(pk__in=judged).update(triage_pending=False, triaged_at=now)
    Ticket.objects.filter(pk__in=done - set(judged)).update(triage_pending=False)
    for ticket in tickets:
        ticket.triage_pending = False
        ticket.triaged_at = now if ticket.pk in judged else None


def _judge_alone(ticket: Ticket) -> bool:
    try:
        with transaction.atomic():
            _run_steps(
                [
                    Ticket.objects.select_related("customer", "organization", "category", "priority", "status").get(
                        pk=ticket.pk
                    )
                ]
            )
        return True
    except Exception:
        log.exception("judging ticket %s failed", ticket.pk)
        return False
