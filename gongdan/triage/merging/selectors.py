"""Read queries of merging: the proposal queue, the ticket panel, provenance, R10.2 and the top-10 (R5.5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongdan.core import clock, configcache
from gongdan.tickets import access
from gongdan.tickets.constants import ACTIVE_KINDS, ClosureKind, LinkKind
from gongdan.tickets.models import Ticket, TicketLink
from gongdan.triage.merging import rules
from gongdan.triage.models.merging import MergePolicy, MergeProposal, MergeProvenance, ProposalState, RecurrenceRecord

TOP_SCENARIOS = 10
EXAMPLES_PER_SCENARIO = 3


def current_policy() -> MergePolicy:
    """The merge and recurrence policy, through the configuration cache (read on every creation)."""
    return configcache.cached(("merge-policy",), MergePolicy.current)


def open_proposals(user) -> QuerySet[MergeProposal]:
    """Pending proposals the user may act on, both tickets still active (closed/merged ones expire)."""
    visible = access.visible_tickets(user).values("pk")
    return (
        MergeProposal.objects.filter(
            state=ProposalState.PENDING,
            master__status__kind__in=ACTIVE_KINDS,
            original__status__kind__in=ACTIVE_KINDS,
            master__in=visible,
            original__in=visible,
        )
        .select_related("master", "original", "master__status", "original__status", "master__customer")
        .select_related("master__category__parent__parent", "original__category__parent__parent")
        .order_by("-created_at", "-id")
    )


def open_proposal_count(user) -> int:
    return open_proposals(user).count()


def proposals_for_ticket(user, ticket: Ticket) -> list[MergeProposal]:
    return list(open_proposals(user).filter(Q(master=ticket) | Q(original=ticket)))


def provenance_for_master(ticket: Ticket) -> list[MergeProvenance]:
    """Every original ever merged into `ticket`, undone ones included (marked) for the audit."""
    return list(
        MergeProvenance.objects.filter(master=ticket)
        .select_related("original", "original__status", "previous_status", "merged_by", "undone_by")
        .order_by("merged_at", "id")
    )


def active_provenance_of(ticket: Ticket) -> MergeProvenance | None:
    return MergeProvenance.objects.filter(original=ticket, undone_at__isnull=True).select_related("master").first()


# ---- R10.2 true resolution and failed closures ---------------------------------------------------


def true_resolution(ticket: Ticket, *, now: datetime | None = None) -> str:
    """One ticket's verdict: true_resolution, pending (window still open), failed or not_confirmed."""
    days = current_policy().recurrence_days
    return rules.resolution_verdict(
        confirmed=ticket.closure_kind == ClosureKind.CUSTOMER_CONFIRMED,
        recurred=RecurrenceRecord.objects.filter(earlier=ticket).exists(),
        closed_at=ticket.closed_at,
        now=now or clock.now(),
        days=days,
    )


def truly_resolved(queryset: QuerySet[Ticket] | None = None, *, now: datetime | None = None) -> QuerySet[Ticket]:
    """Tickets confirmed by the customer whose recurrence window passed without a recurrence."""
    days = current_policy().recurrence_days
    base = queryset if queryset is not None else Ticket.objects.all()
    recurred = RecurrenceRecord.objects.filter(earlier=OuterRef("pk"))
    return base.filter(
        closure_kind=ClosureKind.CUSTOMER_CONFIRMED,
        closed_at__lte=(now or clock.now()) - timedelta(days=days),
    ).exclude(Exists(recurred))


def failed_closures_by_closer(*, since: datetime, until: datetime) -> list[dict]:
    """Closures in [since, until) that a recurrence marked failed, counted against each closer."""
    rows = (
        RecurrenceRecord.objects.filter(earlier_closed_at__gte=since, earlier_closed_at__lt=until)
        .values("closer_id", "closer__username")
        .annotate(failed=Count("id"))
        .order_by("-failed", "closer__username")
    )
    return [{"closer_id": r["closer_id"], "closer": r["closer__username"], "failed": r["failed"]} for r in rows]


# ---- R5.5 monthly duplicate top-10 ---------------------------------------------------------------


@dataclass
class Scenario:
    category_code: str
    category_name: str
    key: str
    count: int = 0
    examples: list[dict] = field(default_factory=list)

    def as_dict(self, rank: int) -> dict:
        return {
            "rank": rank,
            "category": self.category_code,
            "category_name": self.category_name,
            "key": self.key,
            "count": self.count,
            "examples": self.examples,
        }


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in the desk's time zone, as aware datetimes [start, end)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=zone)


def _duplicate_pairs(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """(duplicate, surviving ticket) ids: active merges plus confirmed duplicate links in the month."""
    merged = MergeProvenance.objects.filter(merged_at__gte=start, merged_at__lt=end, undone_at__isnull=True)
    pairs = dict(merged.values_list("original_id", "master_id"))
    linked = TicketLink.objects.filter(kind=LinkKind.DUPLICATE_OF, created_at__gte=start, created_at__lt=end)
    for source_id, target_id in linked.values_list("source_id", "target_id"):
        pairs.setdefault(source_id, target_id)
    return sorted(pairs.items())


def duplicate_top10(month: date) -> dict:
    """The month's top duplicate scenarios: grouped by the surviving ticket's category and subject key."""
    start, end = month_bounds(month)
    pairs = _duplicate_pairs(start, end)
    ids = {pk for pair in pairs for pk in pair}
    tickets = Ticket.objects.select_related("category__parent__parent").in_bulk(ids)
    groups: dict[tuple[str, str], Scenario] = defaultdict(lambda: Scenario("", "", ""))
    for duplicate_id, survivor_id in pairs:
        duplicate, survivor = tickets[duplicate_id], tickets[survivor_id]
        category = survivor.category or duplicate.category
        code = category.code if category else ""
        key = rules.scenario_key(survivor.subject)
        scenario = groups[(code, key)]
        scenario.category_code, scenario.key = code, key
        scenario.category_name = str(category) if category else ""
        scenario.count += 1
        if len(scenario.examples) < EXAMPLES_PER_SCENARIO:
            scenario.examples.append(
                {"ticket": duplicate.number, "master": survivor.number, "subject": duplicate.subject}
            )
    ranked = sorted(groups.values(), key=lambda s: (-s.count, s.category_code, s.key))[:TOP_SCENARIOS]
    return {
        "month": f"{month:%Y-%m}",
        "duplicates": len(pairs),
        "scenarios": [scenario.as_dict(rank) for rank, scenario in enumerate(ranked, start=1)],
    }
