"""The only writers of merge proposals, provenance and recurrence records.

Ticket fields change only through `gongdan.tickets.services` (merge, unmerge, link); this module
keeps the triage rows beside them. Hooks run inside the creating / re-categorising transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from gongdan.accounts.constants import STAFF_ROLES
from gongdan.core import clock, configcache
from gongdan.core.context import Actor
from gongdan.core.errors import IllegalTransition, ReasonRequired
from gongdan.core.text import is_blank
from gongdan.tickets import access
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import ACTIVE_KINDS, FINAL_KINDS, EventType, LinkKind, StatusKind
from gongdan.tickets.models import Category, Status, Ticket
from gongdan.tickets.services import hooks
from gongdan.triage.duplicates import pair_score, pair_scores
from gongdan.triage.duplicates.selectors import current_config as duplicate_config
from gongdan.triage.merging import rules
from gongdan.triage.merging.selectors import current_policy
from gongdan.triage.models.merging import (
    MergePolicy,
    MergeProposal,
    MergeProvenance,
    ProposalState,
    ProposalTrigger,
    RecurrenceRecord,
)

# At most this many candidates are scored per ticket, newest first (the gates keep the pool small).
MAX_CANDIDATES = 20


def _gates(policy: MergePolicy) -> rules.Gates:
    # A merge is offered only for the same request at or above the duplicate threshold, whatever the
    # policy's own minimum says: below it, unrelated problems were offered with one-click merge.
    threshold = duplicate_threshold()
    return rules.Gates(
        require_same_customer=policy.require_same_customer,
        require_window=policy.require_window,
        window_hours=policy.window_hours,
        require_same_category_group=policy.require_same_category_group,
        min_probability=max(policy.min_probability, threshold),
    )


def duplicate_threshold() -> float:
    return duplicate_config().threshold


def category_root(category: Category | None) -> Category | None:
    return category.path()[0] if category is not None else None


def _in_group(root: Category) -> Q:
    # Categories nest at most three levels (tickets.models.MAX_CATEGORY_DEPTH).
    return Q(category=root) | Q(category__parent=root) | Q(category__parent__parent=root)


def _candidates(ticket: Ticket, gates: rules.Gates) -> list[Ticket]:
    pool = Ticket.objects.filter(status__kind__in=ACTIVE_KINDS).exclude(pk=ticket.pk)
    if gates.require_same_customer:
        pool = pool.filter(customer_id=ticket.customer_id)
    if gates.require_window:
        span = timedelta(hours=gates.window_hours)
        pool = pool.filter(created_at__gte=ticket.created_at - span, created_at__lte=ticket.created_at + span)
    if gates.require_same_category_group:
        root = category_root(ticket.category)
        if root is None:
            return []
        pool = pool.filter(_in_group(root))
    # Pairs proposed once (pending or decided) are never proposed again.
    proposed = MergeProposal.objects.filter(
        Q(low_id=ticket.pk, high_id=OuterRef("pk")) | Q(high_id=ticket.pk, low_id=OuterRef("pk"))
    )
    pool = pool.exclude(Exists(proposed)).select_related("status", "category__parent__parent", "customer")
    return list(pool.order_by("-created_at", "-id")[:MAX_CANDIDATES])


def _facts(a: Ticket, b: Ticket) -> rules.PairFacts:
    roots = (category_root(a.category), category_root(b.category))
    same_group = None if None in roots else roots[0].pk == roots[1].pk
    return rules.PairFacts(
        same_customer=a.customer_id == b.customer_id,
        hours_apart=abs((a.created_at - b.created_at).total_seconds()) / 3600,
        same_category_group=same_group,
        both_active=a.status.kind in ACTIVE_KINDS and b.status.kind in ACTIVE_KINDS,
    )


def _ordered(a: Ticket, b: Ticket) -> tuple[Ticket, Ticket]:
    """(master, original): the older ticket is the master by default."""
    return (a, b) if rules.master_first((a.created_at, a.pk), (b.created_at, b.pk)) else (b, a)


def propose_merges(*, ticket: Ticket, trigger: str) -> list[MergeProposal]:
    """Propose merging `ticket` with every ticket that passes the policy's gates (R5.3)."""
    policy = current_policy()
    ticket = Ticket.objects.select_related("status", "category__parent__parent", "customer").get(pk=ticket.pk)
    if not policy.proposals_enabled or ticket.status.kind not in ACTIVE_KINDS:
        return []
    gates = _gates(policy)
    created = []
    candidates = _candidates(ticket, gates)
    # A ticket being created has no embedding yet (the worker adds it): no read for it.
    scores = pair_scores(ticket, candidates, semantic=trigger != ProposalTrigger.CREATED)
    for other, score in zip(candidates, scores, strict=True):
        if rules.failed_gates(_facts(ticket, other), gates, score.probability):
            continue
        master, original = _ordered(ticket, other)
        proposal, is_new = MergeProposal.objects.get_or_create(
            low_id=min(ticket.pk, other.pk),
            high_id=max(ticket.pk, other.pk),
            defaults={
                "master": master,
                "original": original,
                "trigger": trigger,
                "probability": score.probability,
                "components": dict(score.components),
                "created_at": clock.now(),
            },
        )
        if is_new:
            created.append(proposal)
    return created


def _ensure_pending(proposal: MergeProposal) -> MergeProposal:
    # Only the proposal's row: the two tickets are locked by `tickets.merge`, lowest id first.
    locked = (
        MergeProposal.objects.select_for_update(of=("self",)).select_related("master", "original").get(pk=proposal.pk)
    )
    if locked.state != ProposalState.PENDING:
        raise IllegalTransition(
            f"This proposal is already {locked.state}.", f"该合并建议已处理（{locked.get_state_display()}）。"
        )
    return locked


@tickets.atomic_write
def confirm_proposal(*, actor: Actor, proposal: MergeProposal, swap: bool = False, reason: str = "") -> Ticket:
    """The agent agrees: merge the original into the master (or the other way round with `swap`)."""
    access.ensure_desk(actor, proposal.master)
    access.ensure_desk(actor, proposal.original)
    proposal = _ensure_pending(proposal)
    master, original = (proposal.original, proposal.master) if swap else (proposal.master, proposal.original)
    reason = (reason or "").strip() or f"确认合并建议 / merge proposal #{proposal.pk} confirmed"
    return tickets.merge(actor=actor, source=original, target=master, reason=reason, proposal=proposal)


@transaction.atomic
def reject_proposal(*, actor: Actor, proposal: MergeProposal, reason: str) -> MergeProposal:
    """The agent disagrees; the pair is never proposed again (the proposal row stays)."""
    access.ensure_desk(actor, proposal.master)
    access.ensure_desk(actor, proposal.original)
    if is_blank(reason):
        raise ReasonRequired("Rejecting needs a reason.", "拒绝合并建议需要填写原因。", fields={"reason": "required"})
    proposal = _ensure_pending(proposal)
    proposal.state = ProposalState.REJECTED
    proposal.reject_reason = reason.strip()
    proposal.decided_by = actor.user
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["state", "reject_reason", "decided_by", "decided_at"])
    return proposal


def expire_stale_proposals() -> int:
    """Pending proposals whose tickets became closed or merged expire (safe to run twice or in parallel)."""
    stale = Q(master__status__kind__in=FINAL_KINDS) | Q(original__status__kind__in=FINAL_KINDS)
    ids = list(MergeProposal.objects.filter(stale, state=ProposalState.PENDING).values_list("pk", flat=True))
    return MergeProposal.objects.filter(pk__in=ids, state=ProposalState.PENDING).update(
        state=ProposalState.EXPIRED, decided_at=clock.now()
    )


def _attachment_rows(ticket: Ticket) -> list[dict]:
    return [
        {"filename": name, "size": size, "sha256": sha}
        for name, size, sha in ticket.attachments.order_by("created_at", "id").values_list("filename", "size", "sha256")
    ]


def _settle_proposals(actor: Actor, original: Ticket, master: Ticket, proposal: MergeProposal | None) -> None:
    """The merged pair's proposal is confirmed (whoever merged); the original's other proposals expire."""
    now = clock.now()
    pair = Q(low_id=min(original.pk, master.pk), high_id=max(original.pk, master.pk))
    MergeProposal.objects.filter(pair, state=ProposalState.PENDING).update(
        state=ProposalState.CONFIRMED, master=master, original=original, decided_by=actor.user, decided_at=now
    )
    MergeProposal.objects.filter(Q(low=original) | Q(high=original), state=ProposalState.PENDING).update(
        state=ProposalState.EXPIRED, decided_at=now
    )


def record_provenance(
    *,
    actor: Actor,
    original: Ticket,
    master: Ticket,
    previous_status: Status,
    reason: str,
    proposal: MergeProposal | None = None,
) -> MergeProvenance:
    """Called on a merge (`on_ticket_merged`) inside its transaction: what the original was, and how alike."""
    attachments = _attachment_rows(original)
    on_master = set(master.attachments.values_list("sha256", flat=True))
    score = pair_score(original, master)
    _settle_proposals(actor, original, master, proposal)
    return MergeProvenance.objects.create(
        master=master,
        original=original,
        original_created_at=original.created_at,
        channel=original.channel,
        subject=original.subject,
        customer_id=original.customer_id,
        previous_status=previous_status,
        attachments=attachments,
        missing_on_master=[row for row in attachments if row["sha256"] not in on_master],
        probability=score.probability,
        components=dict(score.components),
        proposal=proposal,
        reason=reason,
        merged_by=actor.user if actor.is_staff_member else None,
        merged_at=clock.now(),
    )


def on_ticket_merged(merged: hooks.Merged) -> None:
    """Registered with the ticket services (TriageConfig.ready): keep what the original was."""
    record_provenance(
        actor=merged.actor,
        original=merged.original,
        master=merged.master,
        previous_status=merged.previous_status,
        reason=merged.reason,
        proposal=merged.proposal,
    )


def on_ticket_unmerged(unmerged: hooks.Unmerged) -> None:
    mark_undone(actor=unmerged.actor, original=unmerged.original, master=unmerged.master, reason=unmerged.reason)


def mark_undone(*, actor: Actor, original: Ticket, master: Ticket, reason: str) -> int:
    """Called on an un-merge (`on_ticket_unmerged`): the provenance row stays for the audit, marked undone."""
    return MergeProvenance.objects.filter(original=original, master=master, undone_at__isnull=True).update(
        undone_at=clock.now(), undone_by=actor.user if actor.is_staff_member else None, undo_reason=reason
    )


def _closer(ticket: Ticket):
    """The staff member who resolved or closed the ticket last; the assignee when no staff member did."""
    event = (
        ticket.events.filter(
            event_type__in=[EventType.STATUS_CHANGED, EventType.CUSTOMER_CONFIRMED, EventType.AUTO_CLOSED],
            new_value__kind__in=[StatusKind.RESOLVED, StatusKind.CLOSED],
            actor__role__in=STAFF_ROLES,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event is not None else ticket.assignee


def _earlier_closed(ticket: Ticket, days: int) -> Ticket | None:
    window = timedelta(days=days)
    return (
        Ticket.objects.filter(
            customer_id=ticket.customer_id,
            category_id=ticket.category_id,
            status__kind=StatusKind.CLOSED,
            closed_at__gte=ticket.created_at - window,
            closed_at__lte=ticket.created_at,
        )
        .exclude(pk=ticket.pk)
        .order_by("-closed_at", "-id")
        .first()
    )


def record_recurrence(*, ticket: Ticket) -> RecurrenceRecord | None:
    """Same customer, same category, within the window after a close: link and mark that closure failed (R5.4)."""
    policy = current_policy()
    if not policy.recurrence_enabled or ticket.category_id is None:
        return None
    if RecurrenceRecord.objects.filter(ticket=ticket).exists():
        return None
    earlier = _earlier_closed(ticket, policy.recurrence_days)
    if earlier is None or not rules.is_recurrence(earlier.closed_at, ticket.created_at, policy.recurrence_days):
        return None
    tickets.link(actor=Actor.system(), ticket=ticket, target=earlier, kind=LinkKind.RECURRENCE_OF)
    return RecurrenceRecord.objects.create(
        ticket=ticket,
        earlier=earlier,
        earlier_closed_at=earlier.closed_at,
        earlier_closure_kind=earlier.closure_kind,
        closer=_closer(earlier),
        days_after_close=rules.recurrence_days_after(earlier.closed_at, ticket.created_at),
        created_at=clock.now(),
    )


def on_ticket_created(ticket: Ticket, actor: Actor, hints) -> None:
    with configcache.scope():
        propose_merges(ticket=ticket, trigger=ProposalTrigger.CREATED)
        record_recurrence(ticket=ticket)


def on_ticket_changed(ticket: Ticket, actor: Actor, changed: frozenset[str]) -> None:
    """A new category can open a merge proposal or reveal a recurrence (R5.3, R5.4)."""
    if "category" not in changed:
        return
    propose_merges(ticket=ticket, trigger=ProposalTrigger.CATEGORY_CHANGED)
    record_recurrence(ticket=ticket)
