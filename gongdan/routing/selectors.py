"""Read queries of routing: rows turned into the values the pure scoring functions take."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q, QuerySet

from gongdan.accounts.constants import Role, TeamKind
from gongdan.accounts.models import Shift, Team, User, UserSkill
from gongdan.routing import scoring
from gongdan.routing.models import BreakerState, CategorySkill, Dispatch, HeldTicket, RoutingPolicy
from gongdan.tickets.constants import ACTIVE_KINDS, PriorityCode, StatusKind
from gongdan.tickets.models import Category, Ticket

# "Waiting" for the breaker: the desk owes the next move (a ticket pending on the customer does not wait on us).
WAITING_KINDS = [kind for kind in ACTIVE_KINDS if kind != StatusKind.PENDING]
# Tickets a "next ticket" claim may take.
CLAIMABLE_KINDS = [StatusKind.NEW, StatusKind.OPEN]


def weights(policy: RoutingPolicy) -> scoring.Weights:
    return scoring.Weights(
        skill=policy.skill_weight,
        load=policy.load_weight,
        seniority=policy.seniority_weight,
        vip_min_seniority=policy.vip_min_seniority,
        load_by_priority=policy.load_weights,
    )


def waiting_p0_count() -> int:
    """P0 tickets the desk owes: unassigned, or assigned but without a first response."""
    return (
        Ticket.objects.filter(priority__code=PriorityCode.P0, status__kind__in=WAITING_KINDS)
        .filter(Q(assignee__isnull=True) | Q(first_response_at__isnull=True))
        .count()
    )


def breaker_state() -> BreakerState:
    return BreakerState.objects.get_or_create(pk=1)[0]


def required_skills(category: Category | None) -> dict[str, int]:
    """Skill code -> minimum proficiency for a category and its ancestors (the strictest wins)."""
    if category is None:
        return {}
    ids = [node.pk for node in category.path()]
    need: dict[str, int] = {}
    for code, level in CategorySkill.objects.filter(category_id__in=ids).values_list("skill__code", "min_proficiency"):
        need[code] = max(level, need.get(code, 0))
    return need


def team_for(category: Category | None) -> Team | None:
    """The category → team mapping: the nearest category up the tree with a default team."""
    if category is None:
        return None
    for node in reversed(category.path()):
        if node.default_team_id:
            return node.default_team
    return None


def _local(now: datetime, zone: str) -> datetime:
    try:
        return now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return now


def _skills_by_user(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, code, level in UserSkill.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "skill__code", "proficiency"
    ):
        skills[user_id][code] = level
    return skills


def _shifts_by_user(user_ids: Iterable[int]) -> dict[int, list[scoring.ShiftWindow]]:
    shifts: dict[int, list[scoring.ShiftWindow]] = defaultdict(list)
    for user_id, weekday, start, end in Shift.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "weekday", "start", "end"
    ):
        shifts[user_id].append(scoring.ShiftWindow(weekday, start, end))
    return shifts


def open_by_priority(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Ticket.objects.filter(assignee_id__in=list(user_ids), status__kind__in=ACTIVE_KINDS)
        .values_list("assignee_id", "priority__code")
        .annotate(n=Count("pk"))
    )
    for user_id, code, n in rows:
        loads[user_id][code] = n
    return loads


def states(users: Iterable[User], now: datetime) -> dict[int, str]:
    users = list(users)
    shifts = _shifts_by_user(u.pk for u in users)
    return {u.pk: scoring.agent_state(u.availability, shifts.get(u.pk, []), _local(now, u.timezone)) for u in users}


def agents(team: Team | None) -> QuerySet[User]:
    """Who takes desk tickets: active agents of the ticket's team; without a team, any agent but field engineers."""
    people = User.objects.filter(is_active=True, role=Role.AGENT)
    return people.filter(teams=team) if team is not None else people.exclude(teams__kind=TeamKind.FIELD)


def candidates(users: Iterable[User], now: datetime) -> list[scoring.Candidate]:
    users = list(users)
    ids = [u.pk for u in users]
    skills, loads, state = _skills_by_user(ids), open_by_priority(ids), states(users, now)
    return [
        scoring.Candidate(
            user_id=u.pk,
            name=str(u),
            state=state[u.pk],
            skills=skills.get(u.pk, {}),
            seniority=u.seniority,
            open_by_priority=loads.get(u.pk, {}),
        )
        for u in users
    ]


def qualified_category_ids(skills: dict[str, int]) -> list[int]:
    """Categories whose needs (with their ancestors') the given skills meet."""
    needs: dict[int, dict[str, int]] = defaultdict(dict)
    for category_id, code, level in CategorySkill.objects.values_list("category_id", "skill__code", "min_proficiency"):
        needs[category_id][code] = level
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    qualified = []
    for category_id in parents:
        node: int | None = category_id
        ok = True
        while node is not None and ok:
            ok = scoring.skill_fit(skills, needs.get(node, {})) is not None
            node = parents.get(node)
        if ok:
            qualified.append(category_id)
    return qualified


def field_engineers() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, teams__kind=TeamKind.FIELD)
        .exclude(role=Role.CUSTOMER)
        .distinct()
        .order_by("pk")
    )


# Pages: the lead's assignment board, the ticket panel, the dispatch list.


def board_rows(now: datetime) -> list[dict]:
    """Each active agent or lead with state, open tickets, weighted load and skills: a fixed handful of queries."""
    policy = RoutingPolicy.current()
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.LEAD])
        .prefetch_related("teams")
        .order_by("username")
    )
    ids = [p.pk for p in people]
    loads, skills, state = open_by_priority(ids), _skills_by_user(ids), states(people, now)
    rows = [
        {
            "user": person,
            "state": state[person.pk],
            "open": sum(loads.get(person.pk, {}).values()),
            "urgent": sum(n for code, n in loads.get(person.pk, {}).items() if code in ("P0", "P1")),
            "load": scoring.weighted_load(loads.get(person.pk, {}), policy.load_weights),
            "skills": sorted(skills.get(person.pk, {}).items()),
            "teams": sorted(team.code for team in person.teams.all()),
        }
        for person in people
    ]
    return sorted(rows, key=lambda row: (row["state"] != "on_shift", -row["load"], row["user"].username))


def held_tickets():
    return HeldTicket.objects.select_related("ticket__priority", "ticket__status", "ticket__team").order_by(
        "ticket__priority__rank", "since"
    )


def suggested_site(ticket: Ticket) -> tuple[float, float] | None:
    """Coordinates of an earlier job at the same device, else for the same customer (no geocoding service)."""
    earlier = Dispatch.objects.exclude(ticket=ticket).order_by("-decided_at")
    found = None
    if ticket.device_sn:
        found = earlier.filter(ticket__device_sn=ticket.device_sn).values_list("latitude", "longitude").first()
    return found or earlier.filter(ticket__customer_id=ticket.customer_id).values_list("latitude", "longitude").first()
