"""Moving tickets along the lifecycle table, closing, reopening and merging."""

from typing import Any

from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import ConcurrentChange, IllegalTransition, InvalidInput, ReasonRequired
from gongdan.core.text import is_blank
from gongdan.tickets import access, lifecycle, rendering
from gongdan.tickets import constants as c
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import (
    DeskPolicy,
    Status,
    Ticket,
    TicketEvent,
)
from gongdan.tickets.services._base import (
    counts_as_effective,
    resolve_status,
    status_for,
)
from gongdan.tickets.services._base import (
    record_event as _record,
)
from gongdan.tickets.services.hooks import Merged, Unmerged, run_merged_hooks, run_status_hooks, run_unmerged_hooks
from gongdan.tickets.services.locking import atomic_write, lock_ticket, lock_tickets
from gongdan.tickets.validation import (
    clean_summary,
)


def move_status(
    ticket: Ticket,
    actor: Actor,
    target: Status,
    *,
    summary: str,
    reason: str,
    effective: bool,
    event_type: str = EventType.STATUS_CHANGED,
    closure_kind: str = "",
    params: dict | None = None,
) -> TicketEvent:
    """`summary` is only what a person typed: the move itself is rendered from the parameters
    (`tickets.rendering`) in the viewer's language."""
    old = ticket.status
    now = clock.now()
    updates: dict[str, Any] = {"status": target}
    if target.kind == StatusKind.RESOLVED:
        updates["resolved_at"] = now
    if target.kind == StatusKind.CLOSED:
        updates.update(closed_at=now, closure_kind=closure_kind or c.ClosureKind.AGENT_CLOSED)
    if old.kind in (StatusKind.RESOLVED, StatusKind.CLOSED) and target.kind not in lifecycle.DONE_KINDS:
        updates.update(resolved_at=None, closed_at=None, closure_kind="", reopen_count=ticket.reopen_count + 1)
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    for name, value in updates.items():
        setattr(ticket, name, value)
    event = _record(
        ticket,
        actor,
        event_type,
        summary=summary,
        body=reason,
        old={"status": old.key, "kind": old.kind, "label": rendering.names(old, "label")},
        new={"status": target.key, "kind": target.kind, "label": rendering.names(target, "label"), **(params or {})},
        is_public=True,
        is_effective=effective,
    )
    run_status_hooks(ticket, actor, old, event)
    return event


@atomic_write
def change_status(*, actor: Actor, ticket: Ticket, status: str | Status, reason: str = "", summary: str = "") -> Ticket:
    """Move a ticket along the lifecycle table; a step back (回退) or an agent close needs a reason."""
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    target = resolve_status(status)
    policy = DeskPolicy.current()
    summary = clean_summary(summary, policy)
    current = ticket.status
    if target.pk == current.pk:
        raise IllegalTransition(f"The ticket is already {current.label_en}.", f"工单已经是“{current.label_zh}”状态。")
    rule = lifecycle.rule_for(current.kind, target.kind)
    if target.kind == StatusKind.MERGED:
        raise IllegalTransition("Use merge to merge tickets.", "合并工单请使用“合并”操作。")
    if current.kind == target.kind:
        rule = lifecycle.TransitionRule(allowed=True, needs_reason=False, is_step_back=False)
    if not rule.allowed:
        allowed = ", ".join(lifecycle.allowed_targets(current.kind)) or "none"
        raise IllegalTransition(
            f"A {current.kind} ticket cannot move to {target.kind} (allowed: {allowed}).",
            f"“{current.label_zh}”的工单不能变为“{target.label_zh}”（允许：{allowed}）。",
        )
    if rule.needs_reason and is_blank(reason):
        raise ReasonRequired(
            f"Moving from {current.kind} to {target.kind} needs a reason.",
            f"从“{current.label_zh}”变为“{target.label_zh}”（回退或直接关闭）需要填写原因。",
            fields={"reason": "required"},
        )
    effective = bool(summary) and counts_as_effective(EventType.STATUS_CHANGED, policy, actor)
    move_status(ticket, actor, target, summary=summary, reason=(reason or "").strip(), effective=effective)
    return ticket


def reopen_status(ticket: Ticket, actor: Actor, *, reason: str, effective: bool) -> TicketEvent:
    return move_status(
        ticket,
        actor,
        status_for(StatusKind.OPEN),
        summary="",
        reason=reason,
        effective=effective,
        event_type=EventType.REOPENED,
    )


@atomic_write
def reopen(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    if ticket.status.kind not in lifecycle.DONE_KINDS:
        raise IllegalTransition(
            "Only resolved or closed tickets can be reopened.", "只有已解决或已关闭的工单可以重新打开。"
        )
    if is_blank(reason):
        raise ReasonRequired("Reopening needs a reason.", "重新打开需要填写原因。", fields={"reason": "required"})
    policy = DeskPolicy.current()
    reopen_status(
        ticket, actor, reason=reason.strip(), effective=counts_as_effective(EventType.REOPENED, policy, actor)
    )
    return ticket


@atomic_write
def close_resolved(*, actor: Actor, ticket: Ticket, closure_kind: str, rating: int | None = None) -> Ticket:
    """Close a resolved ticket by the customer's confirmation or the auto-close sweep (R10.1, R10.3)."""
    ticket = lock_ticket(ticket)
    if ticket.status.kind != StatusKind.RESOLVED:
        raise IllegalTransition("Only a resolved ticket can be closed this way.", "只有已解决的工单可以这样关闭。")
    event_type = EventType.AUTO_CLOSED if closure_kind == c.ClosureKind.AUTO_CLOSED else EventType.CUSTOMER_CONFIRMED
    if rating is not None:
        Ticket.objects.filter(pk=ticket.pk).update(rating=rating)
        ticket.rating = rating
    move_status(
        ticket,
        actor,
        status_for(StatusKind.CLOSED),
        summary="",
        reason="",
        effective=False,
        event_type=event_type,
        closure_kind=closure_kind,
    )
    return ticket


@atomic_write
def reopen_by_customer(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """The customer says a resolution did not solve the problem."""
    ticket = lock_ticket(ticket)
    if ticket.status.kind != StatusKind.RESOLVED:
        raise IllegalTransition("Only a resolved ticket can be rejected.", "只有已解决的工单可以反馈未解决。")
    move_status(
        ticket,
        actor,
        status_for(StatusKind.OPEN),
        summary="",
        reason=reason,
        effective=False,
        event_type=EventType.CUSTOMER_REJECTED,
    )
    return ticket


def _chain_end(start: Ticket | int) -> int:
    """The id at the end of the stored merge chain from `start` (a cycle ends where it closes)."""
    seen: list[int] = []
    node_id: int | None = start.pk if isinstance(start, Ticket) else start
    while node_id is not None and node_id not in seen:
        seen.append(node_id)
        node_id = Ticket.objects.filter(pk=node_id).values_list("merged_into_id", flat=True).first()
    return seen[-1]


def _refuse_cycle(target: Ticket, source: Ticket) -> None:
    raise InvalidInput(
        f"{target.number} is merged into {source.number}: merging back would make a cycle.",
        f"{target.number} 已合并到 {source.number}，反向合并会形成循环。",
        fields={"target": "cycle"},
    )


def _lock_pair(source: Ticket, target: Ticket) -> tuple[Ticket, Ticket]:
    """Lock the source and the live master at the end of `target`'s merge chain, lowest id first.

    The chain is read before the locks and checked again under them: two crossed merges (A→B and
    B→A at once) queue on the same pair of rows, and the second one finds its target merged into
    its source and is refused as a cycle.
    """
    master_id = _chain_end(target)
    if master_id == source.pk:
        _refuse_cycle(target, source)
    source, master = lock_tickets(source, master_id)
    if master.merged_into_id is not None:
        if _chain_end(master) == source.pk:
            _refuse_cycle(master, source)
        raise ConcurrentChange(
            f"{master.number} was merged into another ticket meanwhile; please try again.",
            f"{master.number} 刚刚被合并到其他工单，请重试。",
            fields={"target": "changed"},
        )
    return source, master


@atomic_write
def merge(*, actor: Actor, source: Ticket, target: Ticket, reason: str = "", proposal: Any = None) -> Ticket:
    """Merge `source` into `target` (or into the master `target` was itself merged into).

    The source becomes `merged` and points at the master; the merged hooks keep what it was
    (triage's provenance row, R5.3). `proposal` is the triage merge proposal the agent confirmed,
    if any. Returns the master.
    """
    access.ensure_desk(actor, source)
    access.ensure_desk(actor, target)
    if source.pk == target.pk:
        raise InvalidInput("A ticket cannot be merged into itself.", "工单不能合并到自身。", fields={"target": "self"})
    source, target = _lock_pair(source, target)
    if source.status.kind not in lifecycle.MERGEABLE_KINDS:
        raise IllegalTransition(
            f"{source.number} is {source.status.label_en} and cannot be merged (only new, open, pending or "
            "on-hold tickets can).",
            f"{source.number} 当前为“{source.status.label_zh}”，不能合并"
            "（只有新建、处理中、待回复或挂起的工单可以合并）。",
        )
    access.ensure_desk(actor, target)
    previous = source.status
    Ticket.objects.filter(pk=source.pk).update(merged_into=target)
    source.merged_into = target
    move_status(
        source,
        actor,
        status_for(StatusKind.MERGED),
        summary="",
        params={"into": target.number},
        reason=reason,
        effective=False,
        event_type=EventType.MERGED,
    )
    _record(target, actor, EventType.MERGED, body=reason, new={"merged": source.number})
    run_merged_hooks(
        Merged(actor=actor, original=source, master=target, previous_status=previous, reason=reason, proposal=proposal)
    )
    return target


def _status_before_merge(ticket: Ticket) -> Status:
    event = ticket.events.filter(event_type=EventType.MERGED, old_value__isnull=False).order_by("-id").first()
    previous = event.old_value if event else {}
    status = Status.objects.filter(key=previous.get("status")).first()
    if status is None or status.kind not in lifecycle.MERGEABLE_KINDS:
        status = status_for(previous.get("kind") if previous.get("kind") in lifecycle.MERGEABLE_KINDS else "open")
    return status


@atomic_write
def unmerge(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """Take a merged original out of its master: back to the status it had, provenance kept as undone.

    Allowed whatever the master's state: un-merging says the two were different problems, so the
    master's closure says nothing about the original (docs/triage.md).
    """
    access.ensure_desk(actor, ticket)
    if is_blank(reason):
        raise ReasonRequired("Un-merging needs a reason.", "取消合并需要填写原因。", fields={"reason": "required"})
    # Both rows change: read the master's id first, then lock the pair lowest id first.
    master_id = Ticket.objects.filter(pk=ticket.pk).values_list("merged_into_id", flat=True).first()
    ticket, master = lock_tickets(ticket, master_id if master_id is not None else ticket.pk)
    if ticket.status.kind != StatusKind.MERGED or ticket.merged_into_id is None:
        raise IllegalTransition("This ticket is not merged.", "该工单未被合并。")
    if ticket.merged_into_id != master.pk:
        raise ConcurrentChange(
            f"{ticket.number} changed meanwhile; please reload it.", f"{ticket.number} 刚刚被修改，请刷新后重试。"
        )
    Ticket.objects.filter(pk=ticket.pk).update(merged_into=None)
    ticket.merged_into = None
    reason = reason.strip()
    move_status(
        ticket,
        actor,
        _status_before_merge(ticket),
        summary="",
        params={"from": master.number},
        reason=reason,
        effective=False,
        event_type=EventType.UNMERGED,
    )
    _record(master, actor, EventType.UNMERGED, body=reason, old={"merged": ticket.number})
    run_unmerged_hooks(Unmerged(actor=actor, original=ticket, master=master, reason=reason))
    return ticket
