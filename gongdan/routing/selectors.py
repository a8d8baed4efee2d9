"""Read queries of routing: rows turned into the values the pure scoring functions take."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from gongdan.accounts.constants import Role, TeamKind
from gongdan.accounts.models import Shift, User, UserSkill
from gongdan.routing import config, scoring
from gongdan.routing.models import BreakerState, Dispatch, HeldTicket, RoutingPolicy
from gongdan.tickets.constants import ACTIVE_KINDS, PriorityCode, StatusKind
from gongdan.tickets.models import Ticket

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
    """P0 tickets the desk owes: unassigned, or assigned but without a first response.

    Filtered on the configuration's P0 and status ids rather than joined, so the (status, priority) index
    finds the few active P0 tickets among all the closed ones.
    """
    cfg = config.codes()
    p0 = cfg.priority_id(PriorityCode.P0)
    if p0 is None:
        return 0
    return (
        Ticket.objects.filter(priority_id=p0, status_id__in=cfg.statuses_of(WAITING_KINDS))
        .filter(Q(assignee__isnull=True) | Q(first_response_at__isnull=True))
        .count()
    )


def breaker_state() -> BreakerState:
    return BreakerState.objects.get_or_create(pk=1)[0]


def required_skills(category_id: int | None) -> dict[int, int]:
    """Skill id -> minimum proficiency for a category and its ancestors (the strictest wins)."""
    if category_id is None:
        return {}
    cfg = config.tree()
    need: dict[int, int] = {}
    for node in cfg.path(category_id):
        for skill_id, level in cfg.category_needs.get(node, {}).items():
            need[skill_id] = max(level, need.get(skill_id, 0))
    return need


def team_id_for(category_id: int | None) -> int | None:
    """The category → team mapping: the nearest category up the tree with a default team."""
    if category_id is None:
        return None
    cfg = config.tree()
    return next((cfg.category_team[node] for node in reversed(cfg.path(category_id)) if cfg.category_team[node]), None)


def _local(now: datetime, zone: str) -> datetime:
    try:
        return now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return now


def _skills_by_user(user_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """User id -> skill id -> proficiency (what scoring compares with `required_skills`)."""
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, skill_id, level in UserSkill.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "skill_id", "proficiency"
    ):
        skills[user_id][skill_id] = level
    return skills


def _skill_codes_by_user(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """User id -> skill name (in the current language) -> proficiency, for display."""
    chinese = (get_language() or "").startswith("zh")
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, zh, en, level in UserSkill.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "skill__name_zh", "skill__name_en", "proficiency"
    ):
        skills[user_id][(zh if chinese else en) or zh or en] = level
    return skills


def _shifts_by_user(user_ids: Iterable[int]) -> dict[int, list[scoring.ShiftWindow]]:
    shifts: dict[int, list[scoring.ShiftWindow]] = defaultdict(list)
    for user_id, weekday, start, end in Shift.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "weekday", "start", "end"
    ):
        shifts[user_id].append(scoring.ShiftWindow(weekday, start, end))
    return shifts


def open_by_priority(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """User id -> priority code -> active tickets assigned.

    Filtered on status ids and grouped by priority id (no joins), so the (assignee, status, priority)
    index answers it alone however many closed tickets the agents have.
    """
    cfg = config.codes()
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Ticket.objects.filter(assignee_id__in=list(user_ids), status_id__in=cfg.statuses_of(ACTIVE_KINDS))
        .order_by()
        .values_list("assignee_id", "priority_id")
        .annotate(n=Count("*"))  # not COUNT(id): the id is not in the index
    )
    for user_id, priority_id, n in rows:
        loads[user_id][cfg.priority_codes[priority_id]] = n
    return loads


def states(users: Iterable[User], now: datetime) -> dict[int, str]:
    users = list(users)
    shifts = _shifts_by_user(u.pk for u in users)
    return {u.pk: scoring.agent_state(u.availability, shifts.get(u.pk, []), _local(now, u.timezone)) for u in users}


def agents(team_id: int | None) -> QuerySet[User]:
    """Who takes desk tickets: active agents of the ticket's team; without a team, any agent but field engineers."""
    people = User.objects.filter(is_active=True, role=Role.AGENT)
    return people.filter(teams=team_id) if team_id is not None else people.exclude(teams__kind=TeamKind.FIELD)


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


def qualified_category_ids(skills: dict[int, int]) -> list[int]:
    """Categories whose needs (with their ancestors') the given skills (skill id -> proficiency) meet."""
    cfg = config.tree()

    def meets(node: int) -> bool:
        return scoring.skill_fit(skills, cfg.category_needs.get(node, {})) is not None

    return [category_id for category_id in cfg.category_parent if all(map(meets, cfg.path(category_id)))]


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
    policy = config.policy()
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.LEAD])
        .prefetch_related("teams")
        .order_by("username")
    )
    ids = [p.pk for p in people]
    chinese = (get_language() or "").startswith("zh")
    loads, skills, state = open_by_priority(ids), _skill_codes_by_user(ids), states(people, now)
    rows = [
        {
            "user": person,
            "state": state[person.pk],
            "open": sum(loads.get(person.pk, {}).values()),
            "urgent": sum(n for code, n in loads.get(person.pk, {}).items() if code in ("P0", "P1")),
            "load": scoring.weighted_load(loads.get(person.pk, {}), policy.load_weights),
            "skills": sorted(skills.get(person.pk, {}).items()),
            "teams": sorted(team.name_zh if chinese else team.name_en for team in person.teams.all()),
            "availability": person.availability,
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
