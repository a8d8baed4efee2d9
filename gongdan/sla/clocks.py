"""One ticket's SLA clocks from its state, its policy and a moment: no queries beyond lazy relations.

The engine (`engine.py`) calls these for each ticket of a batch; the configuration comes from the
cached snapshot (`config.py`), the deadline maths from `deadlines.py` and `businesstime.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gongdan.core import configcache
from gongdan.sla import businesstime as bt
from gongdan.sla import config, policies
from gongdan.sla import constants as c
from gongdan.sla import deadlines as dl
from gongdan.sla.models import BusinessCalendar, SlaPolicy, SlaSettings, TicketSla
from gongdan.tickets.constants import EventType, PriorityCode, SlaStatus, StatusKind
from gongdan.tickets.models import Ticket, TicketEvent

STOPPED_KINDS = (StatusKind.RESOLVED, StatusKind.CLOSED, StatusKind.MERGED)
DONE_KINDS = (StatusKind.RESOLVED, StatusKind.CLOSED)


@dataclass
class Context:
    settings: SlaSettings
    policy: SlaPolicy | None
    pause_status_ids: frozenset[int]
    calendar_row: BusinessCalendar | None
    calendar: bt.WorkCalendar
    now: datetime


def context(ticket: Ticket, snapshot: config.Snapshot, now: datetime) -> Context:
    match = policies.match(ticket, snapshot)
    policy = match.row if match else None
    own = policy is not None and policy.calendar_id
    row = policy.calendar if own else snapshot.calendar_for_team(ticket.team_id)
    pauses = match.pause_status_ids if match else frozenset()
    return Context(snapshot.settings, policy, pauses, row, snapshot.work_calendar(row, now.date()), now)


def new_state(ticket: Ticket, ctx: Context) -> TicketSla:
    start = ticket.created_at
    if ctx.policy is not None and ctx.policy.customer_timezone_first:
        customer_calendar = ctx.calendar.in_zone(policies.customer_timezone(ticket.customer))
        start = bt.next_working_moment(customer_calendar, start)
    return TicketSla(ticket=ticket, clock_start_at=start)


def is_paused(ticket: Ticket, ctx: Context) -> bool:
    return ticket.status.kind in STOPPED_KINDS or ticket.status_id in ctx.pause_status_ids


def _answers_customer(event: TicketEvent | None) -> bool:
    """A substantive public reply from the desk (acknowledgements such as 收到 do not answer)."""
    if event is None or event.event_type != EventType.REPLY or event.actor_customer_id is not None:
        return False
    from gongdan.tickets.models import DeskPolicy
    from gongdan.tickets.validation import is_acknowledgement_only

    return not is_acknowledgement_only(event.body, configcache.cached(("sla", "desk-policy"), DeskPolicy.current))


def advance(state: TicketSla, ticket: Ticket, ctx: Context, event: TicketEvent | None) -> dl.Clock | None:
    """Move the clock state to `now`. Returns a next-response clock this event has just answered."""
    now, answered = ctx.now, None
    paused = is_paused(ticket, ctx)
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
    due, warnings = dl.due_and_warnings(ctx.calendar, since, amount, timedelta(0), _percents(ctx))
    return dl.Clock(
        target=c.Target.NEXT_RESPONSE,
        cycle=dl.cycle_key(since),
        start=since,
        due=due,
        done_at=done_at,
        running=done_at is None and state.paused_at is None,
        warnings=warnings,
    )


def _target_clock(
    target: str, amount: timedelta, cal: bt.WorkCalendar, state: TicketSla, ctx: Context, frozen_due, done_at
) -> dl.Clock:
    paused = _paused_so_far(state, ctx, cal)
    due, warnings = dl.due_and_warnings(cal, state.clock_start_at, amount, paused, _percents(ctx))
    return dl.Clock(
        target=target,
        cycle="1",
        start=state.clock_start_at,
        due=frozen_due or due,
        done_at=done_at,
        running=state.paused_at is None,
        warnings=warnings,
    )


def clocks(state: TicketSla, ticket: Ticket, ctx: Context) -> list[dl.Clock]:
    out = []
    amount, cal = _first_response_target(ticket, ctx)
    if amount is not None:
        frozen = ticket.first_response_due_at if state.first_response_outcome else None
        out.append(_target_clock(c.Target.FIRST_RESPONSE, amount, cal, state, ctx, frozen, ticket.first_response_at))
    next_response = _next_response_clock(state, ctx)
    if next_response is not None:
        out.append(next_response)
    amount = ctx.policy.target("resolution") if ctx.policy else None
    if amount is not None:
        frozen = ticket.resolution_due_at if state.resolution_outcome else None
        done = ticket.resolved_at if ticket.status.kind in DONE_KINDS else None
        out.append(_target_clock(c.Target.RESOLUTION, amount, ctx.calendar, state, ctx, frozen, done))
    return out


def settle(state: TicketSla, clocks_: list[dl.Clock]) -> None:
    """Record the outcome of a target the moment it is met; its deadline is frozen from then on."""
    for clock_ in clocks_:
        if clock_.done_at is None:
            continue
        outcome = c.Outcome.BREACHED if clock_.done_at > clock_.due else c.Outcome.MET
        if clock_.target == c.Target.FIRST_RESPONSE and not state.first_response_outcome:
            state.first_response_outcome = outcome
        elif clock_.target == c.Target.RESOLUTION and not state.resolution_outcome:
            state.resolution_outcome = outcome


def stagnation_base(state: TicketSla, ticket: Ticket) -> datetime | None:
    if ticket.status.kind != StatusKind.OPEN or state.in_progress_since is None:
        return None
    return max(ticket.last_effective_action_at or ticket.created_at, state.in_progress_since)


def p0_signals(state: TicketSla, ticket: Ticket, ctx: Context) -> tuple[list[dl.Due], datetime | None]:
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


def status(ticket: Ticket, state: TicketSla, clocks_: list[dl.Clock], now: datetime) -> str:
    if ticket.status.kind == StatusKind.MERGED:
        return ticket.sla_status
    breached = c.Outcome.BREACHED in (state.first_response_outcome, state.resolution_outcome)
    if breached or any(clock_.breached(now) for clock_ in clocks_):
        return SlaStatus.BREACHED
    if ticket.status.kind in DONE_KINDS:
        return SlaStatus.MET
    if state.paused_at is not None:
        return SlaStatus.PAUSED
    if any(clock_.warning_stage(now) for clock_ in clocks_):
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK


def due_of(clocks_: list[dl.Clock], target: str) -> datetime | None:
    return next((clock_.due for clock_ in clocks_ if clock_.target == target), None)
