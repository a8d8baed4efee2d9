"""Read queries for tickets: the list/detail querysets (no N+1), filters and cursor pagination."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Model, Prefetch, Q, QuerySet, Subquery

from gongdan.accounts.models import Team
from gongdan.core import configcache
from gongdan.core.errors import InvalidInput, not_found
from gongdan.tickets import access, models
from gongdan.tickets.models import Attachment, Priority, Status, Ticket, TicketEvent, TicketLink

CURSOR_SALT = "gongdan.api.cursor"


def ticket_queryset(*, internal: bool = True) -> QuerySet[Ticket]:
    """Everything the ticket schemas read, in a constant number of queries; `internal` adds the staff fields."""
    queryset = Ticket.objects.select_related(
        "status", "priority", "category__parent__parent", "assignee", "merged_into"
    )
    if not internal:
        return queryset
    return queryset.select_related("team", "parent").prefetch_related(
        "tags",
        "collaborating_departments",
        "external_refs",
        Prefetch("children", queryset=Ticket.objects.only("id", "number", "parent_id")),
        Prefetch("links_out", queryset=TicketLink.objects.select_related("target")),
        Prefetch("links_in", queryset=TicketLink.objects.select_related("source")),
    )


def get_ticket(user, number: str, *, internal: bool = True) -> Ticket:
    """The ticket `number` if `user` may see it, ready for the schemas; 404 otherwise."""
    ticket = access.visible_tickets(user, ticket_queryset(internal=internal)).filter(number=number).first()
    if ticket is None:
        raise not_found("ticket")
    return ticket


def events_for(user, ticket: Ticket) -> QuerySet[TicketEvent]:
    return (
        access.visible_events(user, ticket)
        .select_related("actor", "actor_customer")
        .prefetch_related("mentions")
        .order_by("created_at", "id")
    )


def attachments_for(user, ticket: Ticket) -> QuerySet[Attachment]:
    return access.visible_attachments(user, ticket).order_by("created_at", "id")


# ---- configuration ids ----------------------------------------------------------------------
# Filters name statuses, priorities and teams by key or code. Turning those into ids before the
# query lets PostgreSQL use the (team_id, status_id) / (status_id, priority_id) indexes instead of
# joining the small tables first and scanning every ticket (docs/performance.md, API list).


def statuses() -> tuple[Status, ...]:
    """Every status, by id: the one cached copy of the table (shared between threads: read-only)."""
    return configcache.cached(("statuses",), lambda: tuple(Status.objects.order_by("pk")))


def priorities() -> tuple[Priority, ...]:
    """Every priority, by id: the one cached copy of the table (shared between threads: read-only)."""
    return configcache.cached(("priorities",), lambda: tuple(Priority.objects.order_by("pk")))


def status_ids(value: str) -> list[int]:
    """Ids of the statuses whose key or kind is `value`."""
    return [status.pk for status in statuses() if value in (status.key, status.kind)]


def status_ids_of_kinds(kinds) -> list[int]:
    kinds = {str(kind) for kind in kinds}
    return [status.pk for status in statuses() if status.kind in kinds]


def priority_ids(code: str) -> list[int]:
    return [priority.pk for priority in priorities() if priority.code == code]


def team_id(code: str) -> Subquery:
    """The team's id as a scalar subquery: PostgreSQL computes it once and then reads the index."""
    return Subquery(Team.objects.filter(code=code).values("pk")[:1])


# ---- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketQuery:
    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    team: str | None = None
    customer: int | None = None
    category: str | None = None
    tag: str | None = None
    q: str | None = None


def _assignee_filter(value: str, user) -> Q:
    if value == "me":
        return Q(assignee=user)
    if value == "none":
        return Q(assignee__isnull=True)
    return Q(assignee_id=int(value))


def _category_filter(code: str) -> Q:
    # Categories nest at most three levels deep, so "this one or below" is three joins, not a walk.
    return Q(category__code=code) | Q(category__parent__code=code) | Q(category__parent__parent__code=code)


def _text_filter(text: str) -> Q:
    text = text.strip()
    return Q(subject__icontains=text) | Q(description__icontains=text) | Q(number__icontains=text)


def filter_tickets(queryset: QuerySet[Ticket], query: TicketQuery, user) -> QuerySet[Ticket]:
    conditions = Q()
    if query.status:
        conditions &= Q(status_id__in=status_ids(query.status))
    if query.priority:
        conditions &= Q(priority_id__in=priority_ids(query.priority))
    if query.assignee:
        conditions &= _assignee_filter(query.assignee, user)
    if query.team:
        conditions &= Q(team_id=team_id(query.team))
    if query.customer:
        conditions &= Q(customer_id=query.customer)
    if query.category:
        conditions &= _category_filter(query.category)
    if query.tag:
        conditions &= Q(tags__name=query.tag.strip())
    if query.q and query.q.strip():
        conditions &= _text_filter(query.q)
    return queryset.filter(conditions)


def search_tickets(user, query: TicketQuery, *, internal: bool = True) -> QuerySet[Ticket]:
    return filter_tickets(access.visible_tickets(user, ticket_queryset(internal=internal)), query, user)


# ---- ordering by SLA deadline ---------------------------------------------------------------

# The expression lives with the model, whose index `ticket_team_status_due` sorts by it.
FAR_FUTURE = models.FAR_FUTURE
sla_due_expression = models.sla_due_expression


# ---- cursor pagination ----------------------------------------------------------------------


def encode_cursor(last_id: int) -> str:
    return signing.dumps({"before": last_id}, salt=CURSOR_SALT)


def _decode(cursor: str, keys: tuple[str, ...]) -> dict:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        values = {key: data[key] for key in keys}
        if "before" in values:
            values["before"] = int(values["before"])
        if "after" in values:
            values["after"] = int(values["after"])
            values["due"] = datetime.fromisoformat(values["due"])
        return values
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "The cursor is not valid; start again from the first page.",
            "分页游标无效，请从第一页重新开始。",
            fields={"cursor": "invalid"},
        ) from exc


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    return int(_decode(cursor, ("before",))["before"])


def _paginate_by_due(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Nearest SLA deadline first, then by id; the cursor carries the last (deadline, id) seen."""
    queryset = queryset.annotate(sla_due=sla_due_expression())
    if cursor:
        last = _decode(cursor, ("due", "after"))
        queryset = queryset.filter(Q(sla_due__gt=last["due"]) | Q(sla_due=last["due"], pk__gt=last["after"]))
    rows: list[Model] = list(queryset.order_by("sla_due", "pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last_row = rows[-1]
    return rows, signing.dumps({"due": last_row.sla_due.isoformat(), "after": last_row.pk}, salt=CURSOR_SALT)


def paginate(
    queryset: QuerySet, *, cursor: str | None, limit: int, order: str = "newest"
) -> tuple[list[Any], str | None]:
    """Newest first by id (or by SLA deadline). The cursor is opaque (signed) and survives rows added in between."""
    if order == "sla_due":
        return _paginate_by_due(queryset, cursor=cursor, limit=limit)
    before = decode_cursor(cursor)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows: list[Model] = list(queryset.order_by("-pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk)
