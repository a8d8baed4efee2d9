"""Incident clusters (R5.2): many requesters reporting one problem — an outage — become one row with
a count, answered and resolved together. The only writer of `IncidentCluster` and `ClusterMember`.

A ticket joins the cluster of its best *same problem* match from another requester (texts at or above
the duplicate threshold, within the cluster window); a match that is in no open cluster yet starts one
with both. The bulk reply and bulk resolve go ticket by ticket through `tickets.services` (each with
its own access check, SLA, notifications and timeline), each in its own transaction, so one ticket
that cannot move (already closed, another agent's lock) does not undo the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from gongdan.accounts.constants import DESK_ROLES
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import DomainError, InvalidInput, PermissionDenied
from gongdan.core.text import is_blank
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import ACTIVE_KINDS, StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import selectors
from gongdan.triage.duplicates.scoring import Kind
from gongdan.triage.models.embeddings import ClusterMember, IncidentCluster


def _best_match(ticket: Ticket, candidates: Sequence[selectors.Candidate]) -> selectors.Candidate | None:
    config = selectors.current_config()
    matches = [
        c
        for c in candidates
        if c.ticket_id != ticket.pk
        and c.score.kind == Kind.PROBLEM
        and c.score.problem >= config.threshold
        and c.score.components.get("hours_apart", 0.0) <= config.cluster_window_hours
    ]
    return max(matches, key=lambda c: (c.score.problem, -c.ticket_id)) if matches else None


@transaction.atomic
def assign(*, ticket: Ticket, candidates: Sequence[selectors.Candidate]) -> IncidentCluster | None:
    """Put `ticket` in the incident cluster of its best same-problem match (or start one with it)."""
    if ClusterMember.objects.filter(ticket=ticket).exists():
        return None
    best = _best_match(ticket, candidates)
    if best is None:
        return None
    now = clock.now()
    member = ClusterMember.objects.filter(ticket_id=best.ticket_id).select_related("cluster").first()
    if member is not None and member.cluster.closed_at is not None:
        return None
    if member is None:
        match = Ticket.objects.get(pk=best.ticket_id)
        # The earlier of the two names the incident (the worker may check the later one first).
        first = min(match, ticket, key=lambda t: (t.created_at, t.pk))
        cluster = IncidentCluster.objects.create(
            first_ticket=first, subject=first.subject[:200], size=1, created_at=now, last_ticket_at=match.created_at
        )
        ClusterMember.objects.create(ticket=match, cluster=cluster, probability=best.score.problem, joined_at=now)
    else:
        cluster = IncidentCluster.objects.select_for_update().get(pk=member.cluster_id)
    ClusterMember.objects.create(ticket=ticket, cluster=cluster, probability=best.score.problem, joined_at=now)
    cluster.size = cluster.members.count()
    cluster.last_ticket_at = max(cluster.last_ticket_at, ticket.created_at)
    cluster.save(update_fields=["size", "last_ticket_at"])
    return cluster


def open_clusters() -> QuerySet[IncidentCluster]:
    """Open incidents, the latest burst first, with their first ticket."""
    return (
        IncidentCluster.objects.filter(closed_at__isnull=True, size__gte=2)
        .select_related("first_ticket")
        .order_by("-last_ticket_at", "-id")
    )


def member_tickets(cluster: IncidentCluster) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(pk__in=cluster.members.values("ticket_id"))
        .select_related("status", "priority", "customer")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class BulkResult:
    done: list[str]
    skipped: list[tuple[str, str]]  # (ticket number, why)


def _ensure_desk(actor: Actor) -> None:
    user = actor.user
    if actor.is_system or actor.is_customer or user is None or not (user.is_superuser or user.role in DESK_ROLES):
        raise PermissionDenied("Only the service desk acts on incidents.", "只有服务台可以处理事件。")


def _each(actor: Actor, cluster: IncidentCluster, action) -> BulkResult:
    done, skipped = [], []
    for ticket in member_tickets(cluster):
        if ticket.status.kind not in ACTIVE_KINDS:
            skipped.append((ticket.number, ticket.status.kind))
            continue
        try:
            with transaction.atomic():
                action(ticket)
        except DomainError as error:
            skipped.append((ticket.number, str(error)))
            continue
        done.append(ticket.number)
    return BulkResult(done, skipped)


def bulk_reply(*, actor: Actor, cluster: IncidentCluster, body: str) -> BulkResult:
    """One public reply to every active ticket of the incident."""
    _ensure_desk(actor)
    if is_blank(body):
        raise InvalidInput("The reply is empty.", "回复内容不能为空。", fields={"body": "required"})
    return _each(actor, cluster, lambda ticket: tickets.add_reply(actor=actor, ticket=ticket, body=body))


def bulk_resolve(*, actor: Actor, cluster: IncidentCluster, reason: str) -> BulkResult:
    """Resolve every active ticket of the incident with the reason, then close the cluster."""
    _ensure_desk(actor)
    if is_blank(reason):
        raise InvalidInput("Resolving needs a reason.", "解决需要填写原因。", fields={"reason": "required"})
    result = _each(
        actor,
        cluster,
        lambda ticket: tickets.change_status(actor=actor, ticket=ticket, status=StatusKind.RESOLVED, reason=reason),
    )
    IncidentCluster.objects.filter(pk=cluster.pk, closed_at__isnull=True).update(
        closed_at=clock.now(), closed_by=actor.user
    )
    return result
