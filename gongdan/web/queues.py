"""The saved views of the agent workspace: each queue is a filter over the tickets the user may see.

Counts for every queue come from one aggregate query; a queue page is one query for its rows.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongdan.accounts.constants import Role
from gongdan.core import clock
from gongdan.tickets import access, selectors
from gongdan.tickets.constants import ACTIVE_KINDS, FINAL_KINDS, PriorityCode, SlaStatus, StatusKind
from gongdan.tickets.models import Status, Ticket

RECENT = timedelta(hours=24)


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


def queue_filter(key: str, user) -> Q:
    active = Q(status__kind__in=ACTIVE_KINDS)
    if key == "mine":
        return active & Q(assignee=user)
    if key == "team":
        if user.role == Role.DEPARTMENT:
            # Department staff see their department's work and what they are asked to collaborate on.
            return ~Q(status__kind__in=FINAL_KINDS)
        return active & Q(team__in=list(user.teams.values_list("id", flat=True)))
    if key == "unassigned":
        return active & Q(assignee__isnull=True)
    if key == "at_risk":
        return active & Q(sla_status__in=[SlaStatus.AT_RISK, SlaStatus.BREACHED])
    if key == "p0":
        return ~Q(status__kind__in=FINAL_KINDS) & Q(priority__code=PriorityCode.P0)
    if key == "pending":
        return Q(status__kind=StatusKind.PENDING)
    if key == "triage":
        # The classifier was not confident enough to categorise (gongdan.triage, R4.3).
        return active & Q(category__isnull=True, classification__needs_review=True)
    if key == "recent":
        return Q(updated_at__gte=clock.now() - RECENT)
    raise KeyError(key)


def countable(user) -> QuerySet[Ticket]:
    """The tickets some queue can show: not closed or merged, or updated within RECENT.

    Every queue filter lies inside this set, so the counts are unchanged; on a desk with years of
    closed tickets the one counting query then reads the open few percent through the status and
    updated_at indexes instead of scanning every ticket (measured in docs/performance.md).
    """
    open_ids = list(Status.objects.exclude(kind__in=FINAL_KINDS).values_list("pk", flat=True))
    return access.visible_tickets(user).filter(Q(status_id__in=open_ids) | Q(updated_at__gte=clock.now() - RECENT))


def counts(user) -> dict[str, int]:
    aggregates = {queue.key: Count("pk", filter=queue_filter(queue.key, user)) for queue in QUEUES}
    return countable(user).aggregate(**aggregates)


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
            queryset = queryset.filter(status__kind=self.status)
        if self.priority:
            queryset = queryset.filter(priority__code=self.priority)
        if self.team:
            queryset = queryset.filter(team__code=self.team)
        return queryset


def tickets(key: str, user, filters: Filters) -> QuerySet[Ticket]:
    queue = QUEUE_KEYS[key]
    queryset = (
        access.visible_tickets(user)
        .filter(queue_filter(key, user))
        .select_related("status", "priority", "customer", "assignee", "team")
        .annotate(next_due=next_due_expression())
    )
    return filters.apply(queryset).order_by(*queue.ordering, "-id")
