"""The SLA engine: keep each ticket's clocks, deadlines and next check current, and fire what is due.

`refresh` runs inside the transaction of every ticket change (the ticket services call it after each
timeline event) and from the sweep. It advances the clock state, recomputes the stored deadlines,
fires the signals whose time has come and stores `sla_next_check_at`, the one indexed column the
sweep reads. A signal fires by inserting its `SlaSignal` row: the unique constraint lets exactly one
transaction win, so two sweepers, a doubled tick or a sweep racing a reply never double a breach.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from gongdan.core import clock
from gongdan.sla import businesstime as bt
from gongdan.sla import cache, calendars, notifications, policies
from gongdan.sla import constants as c
from gongdan.sla import deadlines as dl
from gongdan.sla.cache import memo
from gongdan.sla.models import BusinessCalendar, SlaPolicy, SlaSettings, SlaSignal, TicketSla
from gongdan.tickets.constants import EventType, PriorityCode, SlaStatus, StatusKind
from gongdan.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

STOPPED_KINDS = (StatusKind.RESOLVED, StatusKind.CLOSED, StatusKind.MERGED)
DONE_KINDS = (StatusKind.RESOLVED, StatusKind.CLOSED)


@dataclass
class Context:
    settings: SlaSettings
    policy: SlaPolicy | None
    calendar_row: BusinessCalendar | None
    calendar: bt.WorkCalendar
    now: datetime


def _context(ticket: Ticket, now: datetime) -> Context:
    policy = policies.match_policy(ticket)
    row = policy.calendar if policy and policy.calendar_id else calendars.calendar_for_team(ticket.team_id)
    settings = memo(("settings",), SlaSettings.current)
    return Context(settings, policy, row, calendars.load(row, now.date()), now)


def _new_state(ticket: Ticket, ctx: Context) -> TicketSla:
    start = ticket.created_at
    if ctx.policy is not None and ctx.policy.customer_timezone_first:
        customer_calendar = ctx.calendar.in_zone(policies.customer_timezone(ticket.customer))
        start = bt.next_working_moment(customer_calendar, start)
    return TicketSla(ticket=ticket, clock_start_at=start)


def _is_paused(ticket: Ticket, policy: SlaPolicy | None) -> bool:
    if ticket.status.kind in STOPPED_KINDS:
        return True
    return policy is not None and any(status.pk == ticket.status_id for status in policy.pause_statuses.all())


def _answers_customer(event: TicketEvent | None) -> bool:
    """A substantive public reply from the desk (acknowledgements such as 收到 do not answer)."""
    if event is None or event.event_type != EventType.REPLY or event.actor_customer_id is not None:
        return False
    from gongdan.tickets.models import DeskPolicy
    from gongdan.tickets.validation import is_acknowledgement_only

    return not is_acknowledgement_only(event.body, memo(("desk-policy",), DeskPolicy.current))


def _advance(state: TicketSla, ticket: Ticket, ctx: Context, event: TicketEvent | None) -> dl.Clock | None:
    """Move the clock state to `now`. Returns a next-response clock this event has just answered."""
    now, answered = ctx.now, None
    paused = _is_paused(ticket, ctx.policy)
    if paused and state.paused_at is None:
        state.paused_at = now
    elif not paused and state.paused_at is not None:
        state.paused_total += bt.business_time_between(ctx.calendar, state.paused_at, now)
        state.paused_wall += now - state.paused_at
        state.paused_at = None
    if ticket.status.kind not in DONE_KINDS and state.resolution_outcome:
        state.resolution_outcome = ""  # reopened: the resolution clock runs again
    state.in_progress_since = (state.in_progress_since or now) if ticket.status.kind == StatusKind.OPEN else None
    is_p0 = ticket.priority.code == PriorityCode.P0
    state.p0_since = (state.p0_since or now) if is_p0 else None
    if state.awaiting_reply_since is not None and (_answers_customer(event) or paused):
        answered = _next_response_clock(state, ctx, done_at=now if _answers_customer(event) else None)
        state.awaiting_reply_since = None
    if (
        event is not None
        and event.event_type == EventType.REPLY
        and event.actor_customer_id is not None
        and ticket.first_response_at is not None
        and not paused
        and state.awaiting_reply_since is None
    ):
        state.awaiting_reply_since = event.created_at
    return answered


def _paused_so_far(state: TicketSla, ctx: Context, cal: bt.WorkCalendar) -> timedelta:
    ongoing = bt.business_time_between(cal, state.paused_at, ctx.now) if state.paused_at else timedelta(0)
    if cal is ctx.calendar:
        return state.paused_total + ongoing
    # Round-the-clock targets (VIP first response) count paused wall-clock time.
    return state.paused_wall + ongoing


def _first_response_target(ticket: Ticket, ctx: Context) -> tuple[timedelta | None, bt.WorkCalendar]:
    amount = ctx.policy.target("first_response") if ctx.policy else None
    settings = ctx.settings
    if settings.vip_green_channel and ticket.customer.is_vip:
        vip = timedelta(minutes=settings.vip_first_response_minutes)
        return vip if amount is None else min(vip, amount), bt.ALWAYS
    return amount, ctx.calendar


def _percents(ctx: Context) -> list[int]:
    return list(ctx.policy.warning_percents) if ctx.policy else []


def _next_response_clock(state: TicketSla, ctx: Context, done_at: datetime | None = None) -> dl.Clock | None:
    amount = ctx.policy.target("next_response") if ctx.policy else None
    since = state.awaiting_reply_since
    if amount is None or since is None:
        return None
    zero = timedelta(0)
    return dl.Clock(
        target=c.Target.NEXT_RESPONSE,
        cycle=dl.cycle_key(since),
        start=since,
        due=dl.due_at(ctx.calendar, since, amount, zero),
        done_at=done_at,
        running=done_at is None and state.paused_at is None,
        warnings=dl.warning_points(ctx.calendar, since, amount, zero, _percents(ctx)),
    )


def _clocks(state: TicketSla, ticket: Ticket, ctx: Context) -> list[dl.Clock]:
    running = state.paused_at is None
    clocks = []
    amount, cal = _first_response_target(ticket, ctx)
    if amount is not None:
        paused = _paused_so_far(state, ctx, cal)
        frozen = state.first_response_outcome and ticket.first_response_due_at
        clocks.append(
            dl.Clock(
                target=c.Target.FIRST_RESPONSE,
                cycle="1",
                start=state.clock_start_at,
                due=ticket.first_response_due_at if frozen else dl.due_at(cal, state.clock_start_at, amount, paused),
                done_at=ticket.first_response_at,
                running=running,
                warnings=dl.warning_points(cal, state.clock_start_at, amount, paused, _percents(ctx)),
            )
        )
    next_response = _next_response_clock(state, ctx)
    if next_response is not None:
        clocks.append(next_response)
    amount = ctx.policy.target("resolution") if ctx.policy else None
    if amount is not None:
        paused = _paused_so_far(state, ctx, ctx.calendar)
        frozen = state.resolution_outcome and ticket.resolution_due_at
        done = ticket.resolved_at if ticket.status.kind in DONE_KINDS else None
        clocks.append(
            dl.Clock(
                target=c.Target.RESOLUTION,
                cycle="1",
                start=state.clock_start_at,
                due=ticket.resolution_due_at
                if frozen
                else dl.due_at(ctx.calendar, state.clock_start_at, amount, paused),
                done_at=done,
                running=running,
                warnings=dl.warning_points(ctx.calendar, state.clock_start_at, amount, paused, _percents(ctx)),
            )
        )
    return clocks


def _settle(state: TicketSla, clocks: list[dl.Clock]) -> None:
    """Record the outcome of a target the moment it is met; its deadline is frozen from then on."""
    for clock_ in clocks:
        if clock_.done_at is None:
            continue
        outcome = c.Outcome.BREACHED if clock_.done_at > clock_.due else c.Outcome.MET
        if clock_.target == c.Target.FIRST_RESPONSE and not state.first_response_outcome:
            state.first_response_outcome = outcome
        elif clock_.target == c.Target.RESOLUTION and not state.resolution_outcome:
            state.resolution_outcome = outcome


def _stagnation_base(state: TicketSla, ticket: Ticket) -> datetime | None:
    if ticket.status.kind != StatusKind.OPEN or state.in_progress_since is None:
        return None
    return max(ticket.last_effective_action_at or ticket.created_at, state.in_progress_since)


def _p0_signals(state: TicketSla, ticket: Ticket, ctx: Context) -> tuple[list[dl.Due], datetime | None]:
    if state.p0_since is None or ticket.status.kind in STOPPED_KINDS:
        return [], None
    cycle = dl.cycle_key(state.p0_since)
    due = [dl.Due(c.SignalKind.P0_ALERT, "", cycle, 0, state.p0_since)]
    acted = ticket.last_effective_action_at is not None and ticket.last_effective_action_at >= state.p0_since
    if acted:
        return due, None
    at = state.p0_since + timedelta(minutes=ctx.settings.p0_breaker_minutes)
    if at <= ctx.now:
        return [*due, dl.Due(c.SignalKind.P0_BREAKER, "", cycle, 0, at)], None
    return due, at


def _claim(ticket: Ticket, due: dl.Due, now: datetime) -> SlaSignal | None:
    try:
        with transaction.atomic():
            return SlaSignal.objects.create(
                ticket=ticket,
                kind=due.kind,
                target=due.target,
                cycle=due.cycle,
                stage=due.stage,
                due_at=due.at,
                fired_at=now,
            )
    except IntegrityError:
        return None  # fired before, by this or another worker


def _fired_keys(ticket: Ticket) -> set[tuple]:
    return set(SlaSignal.objects.filter(ticket=ticket).values_list("kind", "target", "cycle", "stage"))


def _fire(ticket: Ticket, state: TicketSla, ctx: Context, signals: list[dl.Due]) -> int:
    if not signals or ticket.status.kind == StatusKind.MERGED:
        return 0
    fired_before = _fired_keys(ticket)
    fired = 0
    for due in signals:
        if (due.kind, due.target, due.cycle, due.stage) in fired_before:
            continue
        signal = _claim(ticket, due, ctx.now)
        if signal is None:
            continue
        fired += 1
        notifications.announce(ticket, state, ctx.settings, signal)
        if due.kind == c.SignalKind.BREACH and (state.breached_at is None or due.at < state.breached_at):
            state.breached_at = due.at
        if due.kind == c.SignalKind.ESCALATION:
            state.escalation_level = max(state.escalation_level, due.stage)
        if due.kind == c.SignalKind.P0_BREAKER:
            state.p0_breaker_at = ctx.now
    return fired


def _status(ticket: Ticket, state: TicketSla, clocks: list[dl.Clock], now: datetime) -> str:
    if ticket.status.kind == StatusKind.MERGED:
        return ticket.sla_status
    breached = c.Outcome.BREACHED in (state.first_response_outcome, state.resolution_outcome)
    if breached or any(clock_.breached(now) for clock_ in clocks):
        return SlaStatus.BREACHED
    if ticket.status.kind in DONE_KINDS:
        return SlaStatus.MET
    if state.paused_at is not None:
        return SlaStatus.PAUSED
    if any(clock_.warning_stage(now) for clock_ in clocks):
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK


def _due_of(clocks: list[dl.Clock], target: str) -> datetime | None:
    return next((clock_.due for clock_ in clocks if clock_.target == target), None)


def refresh(ticket: Ticket, *, event: TicketEvent | None = None) -> Ticket:
    """Bring the ticket's SLA up to date and fire what is due. Call inside the change's transaction."""
    now = clock.now()
    ctx = _context(ticket, now)
    state = TicketSla.objects.select_for_update().filter(ticket=ticket).first() or _new_state(ticket, ctx)
    state.policy, state.calendar = ctx.policy, ctx.calendar_row
    answered = _advance(state, ticket, ctx, event)
    clocks = _clocks(state, ticket, ctx)
    _settle(state, clocks)
    signals = dl.clock_signals([*clocks, *([answered] if answered else [])], now)
    driver = dl.ladder_driver(clocks, now)
    ladder_due, ladder_next = dl.ladder_signals(driver, policies.ladder(ctx.policy), now)
    thresholds = policies.stagnation_thresholds(ticket, ctx.settings)
    level, stagnant_due, stagnant_next = dl.stagnation(
        _stagnation_base(state, ticket), thresholds.yellow, thresholds.red, now
    )
    p0_due, p0_next = _p0_signals(state, ticket, ctx)
    _fire(ticket, state, ctx, [*p0_due, *signals, *ladder_due, *stagnant_due])
    state.warning_stage = max((clock_.warning_stage(now) for clock_ in clocks), default=0)
    state.save()
    fields = {
        "first_response_due_at": _due_of(clocks, c.Target.FIRST_RESPONSE),
        "next_response_due_at": _due_of(clocks, c.Target.NEXT_RESPONSE),
        "resolution_due_at": _due_of(clocks, c.Target.RESOLUTION),
        "sla_status": _status(ticket, state, clocks, now),
        "stagnation_level": level,
        "sla_next_check_at": dl.next_check(clocks, now, ladder_next, stagnant_next, p0_next),
    }
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for name, value in fields.items():
        setattr(ticket, name, value)
    return ticket


# The name the ticket services' hook is known by in the brief; `record_event` calls `refresh`.
on_ticket_changed = refresh


def sweep(*, limit: int = c.SWEEP_BATCH) -> int:
    """Handle the tickets whose next check has come; safe on any number of workers at once.

    Reads only the indexed `sla_next_check_at`, so its cost follows the due tickets, not the open
    ones. Each ticket is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and re-checked under the
    lock; a ticket another worker or a web request holds is left for the next tick.
    """
    now = clock.now()
    due = list(
        Ticket.objects.filter(sla_next_check_at__lte=now)
        .order_by("sla_next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    with cache.batch():
        return _sweep_tickets(due, now)


def _sweep_tickets(due: list[int], now: datetime) -> int:
    handled = 0
    for pk in due:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("status", "priority", "customer", "category", "team")
                .filter(pk=pk, sla_next_check_at__lte=now)
                .first()
            )
            if ticket is None:
                continue
            try:
                refresh(ticket)
            except bt.NoWorkingTime:
                log.error("SLA calendar of ticket %s has no working time; check the calendar", pk)
                Ticket.objects.filter(pk=pk).update(sla_next_check_at=None)
                continue
            handled += 1
    return handled


def recompute_active(*, batch: int = 200, after_id: int = 0) -> int:
    """Recompute every active ticket (after an admin changed a policy or a calendar). Returns how many."""
    with cache.batch():
        return _recompute(batch, after_id)


def _recompute(batch: int, after_id: int) -> int:
    count = 0
    while True:
        ids = list(
            Ticket.objects.filter(pk__gt=after_id)
            .exclude(status__kind__in=STOPPED_KINDS)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return count
        for pk in ids:
            with transaction.atomic():
                ticket = (
                    Ticket.objects.select_for_update(of=("self",))
                    .select_related("status", "priority", "customer", "category", "team")
                    .get(pk=pk)
                )
                refresh(ticket)
            count += 1
        after_id = ids[-1]
