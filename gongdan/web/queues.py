"""The saved views of the agent workspace: each queue is a filter over the tickets the user may see.

Counts for every queue come from one aggregate query (`recount`), kept per user and process for
`COUNTS_MAX_AGE` (`counts`): at most 5 seconds stale, so page loads and live refreshes of one agent
within that time share one count instead of each aggregating every open ticket (docs/performance.md).
A queue page is one query for the page's ids and one for those rows (`PageRows`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongdan.accounts.constants import Role
from gongdan.core import clock
from gongdan.tickets import access, selectors
from gongdan.tickets.constants import ACTIVE_KINDS, FINAL_KINDS, PriorityCode, SlaStatus, StatusKind
from gongdan.tickets.models import Ticket

RECENT = timedelta(hours=24)
# How stale the queue counts may be (documented in docs/ui.md and docs/performance.md).
COUNTS_MAX_AGE = timedelta(seconds=5)
COUNTS_KEPT = 5000  # users' entries per process before the expired ones are dropped
_counts: dict[tuple, tuple[datetime, dict[str, int]]] = {}


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    ordering: tuple[str, ...] = ("-updated_at",)


QUEUES = [
    Queue("mine", _("Mine")),
    Queue("team", _("My team")),
    Queue("unassigned", _("Unassigned"), ("created_at",)),
    Queue("at_risk", _("SLA at risk"), ("next_due", "created_at")),
    Queue("p0", _("P0 board"), ("status__order", "created_at")),
    Queue("pending", _("Pending on customer")),
    Queue("triage", _("Needs triage"), ("created_at",)),
    Queue("recent", _("Recently updated")),
]
QUEUE_KEYS = {queue.key: queue for queue in QUEUES}


def next_due_expression():
    """The nearest open deadline (first response until given, next response, resolution); shared with the API."""
    return selectors.sla_due_expression()


def _kinds(*kinds) -> Q:
    """Status kinds as status ids (cached configuration): no join to the status table, and the
    (team, status) / (assignee, status) / (status, priority) indexes apply."""
    return Q(status_id__in=selectors.status_ids_of_kinds(kinds))


def _not_final() -> Q:
    return _kinds(*(kind for kind in StatusKind if kind not in FINAL_KINDS))


def _p0() -> Q:
    return Q(priority_id__in=selectors.priority_ids(PriorityCode.P0))


def queue_filter(key: str, user, team_ids: list[int] | None = None) -> Q:
    """The queue's condition; `team_ids` (the user's teams) may be passed to save looking them up again."""
    active = _kinds(*ACTIVE_KINDS)
    if key == "mine":
        return active & Q(assignee=user)
    if key == "team":
        if user.role == Role.DEPARTMENT:
            # Department staff see their department's work and what they are asked to collaborate on.
            return _not_final()
        return active & Q(team__in=user_team_ids(user) if team_ids is None else team_ids)
    if key == "unassigned":
        return active & Q(assignee__isnull=True)
    if key == "at_risk":
        return active & Q(sla_status__in=[SlaStatus.AT_RISK, SlaStatus.BREACHED])
    if key == "p0":
        return _not_final() & _p0()
    if key == "pending":
        return _kinds(StatusKind.PENDING)
    if key == "triage":
        # The classifier was not confident enough to categorise (gongdan.triage, R4.3).
        return active & Q(category__isnull=True, classification__needs_review=True)
    if key == "recent":
        return Q(updated_at__gte=clock.now() - RECENT)
    raise KeyError(key)


def user_team_ids(user) -> list[int]:
    return list(user.teams.values_list("id", flat=True))


def countable(user) -> QuerySet[Ticket]:
    """The tickets some queue can show: active ones, unfinished P0s, and any updated within RECENT
    (department staff: every unfinished ticket, their team queue).

    Every queue filter lies inside this set, so the counts are unchanged; on a desk with years of
    closed and resolved tickets the one counting query then reads the open few percent through the
    status, (status, priority) and updated_at indexes instead of scanning every ticket
    (measured in docs/performance.md).
    """
    recent = Q(updated_at__gte=clock.now() - RECENT)
    if user.role == Role.DEPARTMENT:
        return access.visible_tickets(user).filter(_not_final() | recent)
    return access.visible_tickets(user).filter(_kinds(*ACTIVE_KINDS) | (_not_final() & _p0()) | recent)


def recount(user, team_ids: list[int] | None = None) -> dict[str, int]:
    """Every queue's count now, in one aggregate query."""
    team_ids = user_team_ids(user) if team_ids is None else team_ids
    aggregates = {queue.key: Count("pk", filter=queue_filter(queue.key, user, team_ids)) for queue in QUEUES}
    return countable(user).aggregate(**aggregates)


def counts(user, team_ids: list[int] | None = None) -> dict[str, int]:
    """The queue counts as `recount` gave them at most `COUNTS_MAX_AGE` ago for this user (same role
    and teams), in this process; recounted when older."""
    team_ids = user_team_ids(user) if team_ids is None else team_ids
    key = (user.pk, user.role, tuple(sorted(team_ids)))
    now = clock.now()
    kept = _counts.get(key)
    if kept is not None and now - COUNTS_MAX_AGE < kept[0] <= now:
        return dict(kept[1])
    fresh = recount(user, team_ids)
    if len(_counts) >= COUNTS_KEPT:
        for stale in [k for k, (at, _) in list(_counts.items()) if not now - COUNTS_MAX_AGE < at <= now]:
            _counts.pop(stale, None)
    _counts[key] = (now, fresh)
    return dict(fresh)


def forget_counts() -> None:
    """Drop every kept count (tests start from none)."""
    _counts.clear()


@dataclass(frozen=True)
class Filters:
    q: str = ""
    status: str = ""
    priority: str = ""
    team: str = ""

    @classmethod
    def from_request(cls, data) -> "Filters":
        return cls(
            q=(data.get("q") or "").strip()[:100],
            status=(data.get("status") or "").strip()[:30],
            priority=(data.get("priority") or "").strip()[:2],
            team=(data.get("team") or "").strip()[:50],
        )

    def apply(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.q:
            queryset = queryset.filter(
                Q(number__iexact=self.q)
                | Q(subject__icontains=self.q)
                | Q(description__icontains=self.q)
                | Q(device_sn__iexact=self.q)
                | Q(customer__name__icontains=self.q)
            )
        if self.status:
            queryset = queryset.filter(_kinds(self.status))
        if self.priority:
            queryset = queryset.filter(priority_id__in=selectors.priority_ids(self.priority))
        if self.team:
            queryset = queryset.filter(team_id=selectors.team_id(self.team))
        return queryset


def tickets(key: str, user, filters: Filters, team_ids: list[int] | None = None) -> QuerySet[Ticket]:
    queue = QUEUE_KEYS[key]
    queryset = (
        access.visible_tickets(user)
        .filter(queue_filter(key, user, team_ids))
        .select_related("status", "priority", "customer", "assignee", "team")
        .annotate(next_due=next_due_expression())
    )
    return filters.apply(queryset).order_by(*queue.ordering, "-id")


class PageRows:
    """A queue's rows for the Paginator, fetched in two steps: the page's ids sorted on the ticket
    table alone, then those rows with their joins. Joining customers, people and teams to every
    ticket of a large queue before sorting cost more than the whole rest of the query."""

    ordered = True

    def __init__(self, queryset: QuerySet[Ticket]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[Ticket]:
        ids = list(self.queryset.values_list("pk", flat=True)[window])
        rows = {ticket.pk: ticket for ticket in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
