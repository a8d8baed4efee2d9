"""The SLA engine over a batch of tickets: advance clocks, fire what is due, store deadlines.

A ticket change refreshes a batch of one; the sweep a batch of hundreds. Either way the work is
the same three steps: read (the tickets' `TicketSla` rows and already-fired signal keys, one query
each), compute (pure clock maths over the cached configuration), write (signals, timeline events,
outbox messages, states and tickets with one statement each). Its cost per ticket is Python, not
round trips.

A signal fires by inserting its `SlaSignal` row. The caller holds the tickets' row locks, so no
other worker computes the same tickets meanwhile; the unique constraint stays the safety net: if
the batch insert meets a row another transaction wrote, the signals are claimed one by one and
only the winners are announced.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction

from gongdan.automation import services as outbox
from gongdan.core.context import Actor
from gongdan.sla import bulk, config, notifications, policies
from gongdan.sla import businesstime as bt
from gongdan.sla import clocks as ck
from gongdan.sla import constants as c
from gongdan.sla import deadlines as dl
from gongdan.sla.models import SlaSignal, TicketSla
from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

STATE_FIELDS = [
    "policy",
    "calendar",
    "clock_start_at",
    "paused_at",
    "paused_total",
    "paused_wall",
    "awaiting_reply_since",
    "in_progress_since",
    "p0_since",
    "first_response_outcome",
    "resolution_outcome",
    "warning_stage",
    "breached_at",
    "escalation_level",
    "escalation_cycle",
    "escalated_at",
    "p0_breaker_at",
]
# Every ticket column the engine reads or writes (a batch loads only these).
TICKET_READS = (
    "number",
    "subject",
    "channel",
    "customer",
    "category",
    "priority",
    "status",
    "assignee",
    "team",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "last_effective_action_at",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_status",
    "stagnation_level",
    "sla_next_check_at",
)
TICKET_FIELDS = [
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_status",
    "stagnation_level",
    "sla_next_check_at",
]


@dataclass
class Work:
    """One ticket of the batch, from its read to its writes."""

    ticket: Ticket
    event: TicketEvent | None = None
    state: TicketSla | None = None
    stored: tuple | None = None  # the state's values as read (None: a new state)
    ctx: ck.Context | None = None
    clocks: list[dl.Clock] = field(default_factory=list)
    due: list[dl.Due] = field(default_factory=list)  # signals whose moment has come
    steps: list[dl.Step] = field(default_factory=list)
    level: str = ""
    upcoming: tuple = ()  # the ladder's, stagnation's and P0 breaker's next moments
    fired: list[tuple[dl.Due, notifications.Plan, int]] = field(default_factory=list)  # (due, plan, signal pk)
    failed: bool = False  # the calendar has no working time: the ticket is left unchecked


def _values(state: TicketSla) -> tuple:
    return tuple(getattr(state, f"{name}_id" if name in ("policy", "calendar") else name) for name in STATE_FIELDS)


def process(works: list[Work], now: datetime, *, raise_errors: bool = False) -> int:
    """Refresh every ticket of the batch (locked by the caller). Returns how many were handled."""
    snapshot = config.current()
    for work in works:
        _attach_configuration(work.ticket, snapshot)
    _read_states(works)
    for work in works:
        try:
            _compute(work, snapshot, now)
        except bt.NoWorkingTime:
            if raise_errors:
                raise
            log.error("SLA calendar of ticket %s has no working time; check the calendar", work.ticket.pk)
            work.failed = True
    live = [work for work in works if not work.failed]
    _fire(live, snapshot, now)
    _write(works, now)
    return len(live)


def _attach_configuration(ticket: Ticket, snapshot: config.Snapshot) -> None:
    """The ticket's status and priority rows from the cache, unless the caller holds them already."""
    if not Ticket.status.is_cached(ticket):
        ticket.status = snapshot.statuses.get(ticket.status_id) or Ticket.status.get_object(ticket)
    if not Ticket.priority.is_cached(ticket):
        ticket.priority = snapshot.priorities.get(ticket.priority_id) or Ticket.priority.get_object(ticket)


def _read_states(works: list[Work]) -> None:
    by_ticket = {work.ticket.pk: work for work in works}
    rows = TicketSla.objects.select_for_update().filter(ticket_id__in=list(by_ticket))
    for state in rows:
        work = by_ticket[state.ticket_id]
        state.ticket = work.ticket
        work.state, work.stored = state, _values(state)


def _compute(work: Work, snapshot: config.Snapshot, now: datetime) -> None:
    ticket = work.ticket
    ctx = ck.context(ticket, snapshot, now)
    state = work.state or ck.new_state(ticket, ctx)
    state.policy, state.calendar = ctx.policy, ctx.calendar_row
    answered = ck.advance(state, ticket, ctx, work.event)
    clocks = ck.clocks(state, ticket, ctx)
    ck.settle(state, clocks)
    signals = dl.clock_signals([*clocks, *([answered] if answered else [])], now)
    steps = policies.ladder(ctx.policy, snapshot)
    driver = dl.ladder_driver(clocks, now)
    same = driver is not None and state.escalation_cycle == driver.cycle
    ladder_due, ladder_next = dl.ladder_signals(
        driver, steps, now, state.escalation_level if same else 0, state.escalated_at if same else None
    )
    thresholds = policies.stagnation_thresholds(ticket, ctx.settings, snapshot)
    level, stagnant_due, stagnant_next = dl.stagnation(
        ck.stagnation_base(state, ticket), thresholds.yellow, thresholds.red, now
    )
    p0_due, p0_next = ck.p0_signals(state, ticket, ctx)
    work.state, work.ctx, work.clocks, work.steps, work.level = state, ctx, clocks, steps, level
    work.due = [*p0_due, *signals, *ladder_due, *stagnant_due]
    work.upcoming = (ladder_next, stagnant_next, p0_next)


def _key(due: dl.Due) -> tuple:
    return (due.kind, due.target, due.cycle, due.stage)


def _fire(works: list[Work], snapshot: config.Snapshot, now: datetime) -> None:
    """Fire every new due signal of the batch: its row, its timeline event, its notices."""
    candidates = [work for work in works if work.due and work.ticket.status.kind != StatusKind.MERGED]
    if not candidates:
        return
    fired_before: set[tuple] = set(
        SlaSignal.objects.filter(ticket_id__in=[work.ticket.pk for work in candidates]).values_list(
            "ticket_id", "kind", "target", "cycle", "stage"
        )
    )
    staff = notifications.Staff(snapshot.people_ids)
    firings: list[Firing] = []
    for work in candidates:
        for due in work.due:
            key = (work.ticket.pk, *_key(due))
            if key in fired_before:
                continue
            fired_before.add(key)  # a key twice in one list fires once, as the constraint would have it
            firings.append(Firing(work, due, notifications.plan(work.ticket, due, staff, work.steps)))
    rows = [
        (f.work.ticket.pk, f.due.kind, f.due.target, f.due.cycle, f.due.stage, f.due.at, now, f.plan.usernames)
        for f in firings
    ]
    for firing, pk in zip(firings, _claim(rows), strict=True):
        if pk is not None:
            firing.work.fired.append((firing.due, firing.plan, pk))
            _apply(firing.work.state, firing.due, now)
    _announce([work for work in candidates if work.fired], now)


class Firing(NamedTuple):
    """A due signal not fired before, and what it would tell whom."""

    work: Work
    due: dl.Due
    plan: notifications.Plan


EVENT_FIELDS = ["ticket", "event_type", "channel", "summary", "new_value", "created_at"]
SIGNAL_FIELDS = ["ticket", "kind", "target", "cycle", "stage", "due_at", "fired_at", "recipients"]


def _claim(rows: list[tuple]) -> list[int | None]:
    """Insert the signal rows (values of SIGNAL_FIELDS); each one's pk, or None where another worker won."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return bulk.insert(SlaSignal, SIGNAL_FIELDS, rows)
    except IntegrityError:
        pass
    won: list[int | None] = []
    for row in rows:
        signal = SlaSignal(**dict(zip(["ticket_id", *SIGNAL_FIELDS[1:]], row, strict=True)))
        try:
            with transaction.atomic():
                signal.save(force_insert=True)
            won.append(signal.pk)
        except IntegrityError:
            won.append(None)  # fired before, by another worker
    return won


def _apply(state: TicketSla, due: dl.Due, now: datetime) -> None:
    if due.kind == c.SignalKind.BREACH and (state.breached_at is None or due.at < state.breached_at):
        state.breached_at = due.at
    if due.kind == c.SignalKind.ESCALATION:
        same = due.cycle == state.escalation_cycle
        state.escalation_level = max(state.escalation_level, due.stage) if same else due.stage
        state.escalation_cycle, state.escalated_at = due.cycle, now
    if due.kind == c.SignalKind.P0_BREAKER:
        state.p0_breaker_at = now


def _announce(works: list[Work], now: datetime) -> None:
    """Timeline events for the fired signals, then notices carrying the ticket history."""
    notifying = [work.ticket.pk for work in works if any(found.recipients for _due, found, _pk in work.fired)]
    history = notifications.histories(notifying)
    channel = Actor.system().channel  # the system acts: no actor, no IP (those columns' defaults)
    fired = [(work, due, found, signal_pk) for work in works for due, found, signal_pk in work.fired]
    rows = [
        (
            work.ticket.pk,
            found.event_type,
            channel,
            "",  # rendered from the parameters in the viewer's language (tickets.rendering)
            {
                "signal": due.kind,
                "target": due.target,
                "stage": due.stage,
                "step": found.step,
                "due": due.at.isoformat(),
            },
            now,
        )
        for work, due, found, _signal_pk in fired
    ]
    event_pks = bulk.insert(TicketEvent, EVENT_FIELDS, rows)
    notices = []
    for (work, _due, found, signal_pk), event_pk in zip(fired, event_pks, strict=True):
        lines = history.get(work.ticket.pk)
        if lines is not None:
            lines.append(notifications.line(now, event_pk, found.event_type, "system", False, found.headline))
            if found.recipients:
                text = notifications.history_text(lines)
                notices.append(notifications.notice(work.ticket, signal_pk, found, text))
    for work in works:
        work.ticket.updated_at = now  # what `record_event` does for each event it appends
    outbox.notify_many(notices)


def _write(works: list[Work], now: datetime) -> None:
    new_states, changed_states, quiet, announced, failed = [], [], [], [], []
    for work in works:
        ticket = work.ticket
        if work.failed:
            ticket.sla_next_check_at = None
            failed.append(ticket.pk)
            continue
        state = work.state
        state.warning_stage = max((clock_.warning_stage(now) for clock_ in work.clocks), default=0)
        if work.stored is None:
            new_states.append(state)
        elif _values(state) != work.stored:
            changed_states.append(state)
        for name, value in _ticket_fields(work, now).items():
            setattr(ticket, name, value)
        (announced if work.fired else quiet).append(ticket)
    if new_states:
        TicketSla.objects.bulk_create(new_states)
    if changed_states:
        bulk.update(TicketSla, changed_states, STATE_FIELDS)
    _update_tickets(quiet, TICKET_FIELDS)
    _update_tickets(announced, [*TICKET_FIELDS, "updated_at"])
    if failed:
        Ticket.objects.filter(pk__in=failed).update(sla_next_check_at=None)


def _update_tickets(tickets: list[Ticket], fields: list[str]) -> None:
    if len(tickets) == 1:
        ticket = tickets[0]
        Ticket.objects.filter(pk=ticket.pk).update(**{name: getattr(ticket, name) for name in fields})
    elif tickets:
        bulk.update(Ticket, tickets, fields)


def _ticket_fields(work: Work, now: datetime) -> dict:
    clocks, ticket, state = work.clocks, work.ticket, work.state
    return {
        "first_response_due_at": ck.due_of(clocks, c.Target.FIRST_RESPONSE),
        "next_response_due_at": ck.due_of(clocks, c.Target.NEXT_RESPONSE),
        "resolution_due_at": ck.due_of(clocks, c.Target.RESOLUTION),
        "sla_status": ck.status(ticket, state, clocks, now),
        "stagnation_level": work.level,
        "sla_next_check_at": dl.next_check(clocks, now, *work.upcoming),
    }
