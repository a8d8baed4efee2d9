"""The only writers of routing rows, and the routing decisions that assign tickets through `tickets.services`.

Auto-assignment runs as a ticket-created hook (after triage set priority and category), again for
held tickets when the P0 breaker clears or an agent comes on shift, and as an agent's "next ticket"
claim. Every decision is stored with the top candidates' scores and explained on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from gongdan.accounts.models import Skill, Team, User
from gongdan.core import clock, configcache
from gongdan.core.aftercommit import after_commit
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.core.text import is_blank
from gongdan.customers.constants import Tier
from gongdan.routing import access, config, scoring, selectors
from gongdan.routing import constants as c
from gongdan.routing.constants import AgentState
from gongdan.routing.models import (
    BreakerState,
    BreakerTransition,
    Dispatch,
    HeldTicket,
    RoutingDecision,
    RoutingPolicy,
)
from gongdan.tickets import access as ticket_access
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import EventType, PriorityCode
from gongdan.tickets.models import Ticket
from gongdan.tickets.services.hooks import CreationHints

RELEASE_BATCH = 100


@dataclass(frozen=True)
class Outcome:
    """What routing did with one ticket: assigned to someone, held (and why), or left alone."""

    assignee: User | None = None
    held: str = ""


# The P0 circuit breaker (R6.2).


def refresh_breaker() -> BreakerState:
    """Count waiting P0s and switch the breaker if needed. A conditional UPDATE makes each switch happen once.

    The row is written only on a switch, so claims and ticket creation never queue behind it.
    """
    policy = config.policy()
    state = selectors.breaker_state()
    waiting = selectors.waiting_p0_count()
    should_open = scoring.breaker_should_be_open(waiting, policy.breaker_threshold)
    if should_open == state.is_open:
        return state
    now = clock.now()
    switched = BreakerState.objects.filter(pk=state.pk, is_open=state.is_open).update(
        is_open=should_open, waiting=waiting, changed_at=now
    )
    if switched:
        BreakerTransition.objects.create(
            opened=should_open, waiting=waiting, threshold=policy.breaker_threshold, at=now
        )
        if not should_open:
            # Held P3/P4 tickets are assigned once the switch is committed, by the worker.
            from gongdan.routing.tasks import release_held_tickets

            after_commit(release_held_tickets)
    state.refresh_from_db()
    return state


# Auto-assignment (R6.1).


def strategy_for(team_id: int | None, policy: RoutingPolicy) -> str:
    if team_id is None:
        return policy.default_strategy
    return config.tree().team_strategy.get(team_id) or policy.default_strategy


def _need(ticket: Ticket, extra_skill: Skill | None = None) -> scoring.Need:
    skills = selectors.required_skills(ticket.category_id)
    if extra_skill is not None:
        skills[extra_skill.pk] = max(skills.get(extra_skill.pk, 1), 1)
    return scoring.Need(skills=skills, vip=ticket.customer.tier == Tier.VIP)


def _last_round_robin(team_id: int | None) -> int | None:
    decisions = RoutingDecision.objects.filter(strategy=c.Strategy.ROUND_ROBIN, chosen__isnull=False, team_id=team_id)
    return decisions.order_by("-at", "-id").values_list("chosen_id", flat=True).first()


def _candidates_json(ranked: list[scoring.Ranked]) -> list[dict]:
    return [
        {
            "user": r.candidate.user_id,
            "name": r.candidate.name,
            "score": r.score,
            "skill_fit": r.skill_fit,
            "load": r.load,
            "seniority": r.candidate.seniority,
        }
        for r in ranked[: c.EXPLAINED_CANDIDATES]
    ]


def _hold(ticket: Ticket, reason: str, team_id: int | None, strategy: str, explanation: str, *, new: bool) -> Outcome:
    now = clock.now()
    if new:
        HeldTicket.objects.create(ticket=ticket, reason=reason, since=now)
    else:
        HeldTicket.objects.update_or_create(ticket=ticket, defaults={"reason": reason, "since": now})
    RoutingDecision.objects.create(
        ticket=ticket, kind=c.DecisionKind.HELD, strategy=strategy, team_id=team_id, explanation=explanation, at=now
    )
    return Outcome(held=reason)


def _team(ticket: Ticket, team_id: int | None) -> Team | None:
    if team_id is None or team_id == ticket.team_id:
        return ticket.team
    return Team.objects.get(pk=team_id)


def _leave_to_team(ticket: Ticket, team_id: int | None, *, new: bool) -> None:
    """Manual strategy: no assignee, but the ticket lands in its team's queue."""
    team = _team(ticket, team_id)
    if team is not None and ticket.team_id != team.pk:
        tickets.assign(
            actor=Actor.system(), ticket=ticket, assignee=None, team=team, reason="strategy=manual", locked=new
        )


def route(ticket: Ticket, *, kind: str = c.DecisionKind.AUTO, new: bool = False) -> Outcome:
    """Choose an agent for an unassigned ticket and assign it, or hold it.

    `ticket` comes with its priority, category, customer, status and team. `new`: the ticket is being
    created in this transaction, so nobody else can see its row yet (it is not read again to be locked)
    and it has no hold.
    """
    policy = config.policy()
    team_id = ticket.team_id or selectors.team_id_for(ticket.category_id)
    strategy = strategy_for(team_id, policy)
    if strategy == c.Strategy.MANUAL:
        _leave_to_team(ticket, team_id, new=new)
        if ticket.priority.code != PriorityCode.P0:
            return Outcome()
        # A P0 must land somewhere visible: ranked like anywhere else, or held on the assignment board.
        strategy = c.Strategy.BEST_MATCH
    breaker = refresh_breaker()
    if scoring.breaker_holds(ticket.priority.code, breaker.is_open, policy.held_priorities):
        why = f"P0 breaker open: more than {policy.breaker_threshold} P0 tickets wait"
        return _hold(ticket, c.HoldReason.BREAKER, team_id, strategy, why, new=new)
    people = {user.pk: user for user in selectors.agents(team_id)}
    pool = selectors.candidates(people.values(), clock.now())
    last = _last_round_robin(team_id) if strategy == c.Strategy.ROUND_ROBIN else None
    ranked = scoring.rank(strategy, pool, _need(ticket), selectors.weights(policy), last)
    if not ranked:
        why = f"strategy={strategy}: nobody qualified on shift"
        return _hold(ticket, c.HoldReason.NO_CANDIDATE, team_id, strategy, why, new=new)
    explanation = scoring.explain(strategy, ranked, c.EXPLAINED_CANDIDATES)
    chosen = people[ranked[0].candidate.user_id]
    team = _team(ticket, team_id)
    tickets.assign(actor=Actor.system(), ticket=ticket, assignee=chosen, team=team, reason=explanation, locked=new)
    if not new:
        HeldTicket.objects.filter(ticket=ticket).delete()
    RoutingDecision.objects.create(
        ticket=ticket,
        kind=kind,
        strategy=strategy,
        team_id=team_id,
        chosen=chosen,
        candidates=_candidates_json(ranked),
        explanation=explanation,
        at=clock.now(),
    )
    return Outcome(assignee=chosen)


def _fresh(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related("priority", "category", "customer", "status", "team").get(pk=ticket_id)


@configcache.scope()
def on_ticket_created(ticket: Ticket, actor: Actor, hints: CreationHints) -> None:
    """Route one new ticket: the batch step for a batch of one."""
    route_new_tickets([ticket], {ticket.pk: hints})


@configcache.scope()
def route_new_tickets(batch: list[Ticket], hints: dict[int, CreationHints]) -> None:
    """Judgement step (ORDER_ROUTING), oldest first: auto-assign each new ticket unless the creator
    chose the assignee, or someone took, closed or merged it while it waited for the worker.

    The batch's rows are read again in one query (triage may have changed priority and category
    through its own service calls); the worker holds their locks, and a new ticket has no hold.
    """
    wanted = [ticket.pk for ticket in batch if not hints[ticket.pk].assignee_given and not ticket.assignee_id]
    fresh = Ticket.objects.select_related("priority", "category", "customer", "status", "team").in_bulk(wanted)
    for pk in wanted:
        ticket = fresh[pk]
        if ticket.assignee_id or ticket.merged_into_id or ticket.status.kind not in selectors.CLAIMABLE_KINDS:
            continue
        route(ticket, new=True)


@configcache.scope()
def release_held(limit: int = RELEASE_BATCH) -> int:
    """Try the held tickets again (breaker cleared, someone came on shift). Safe on two workers at once."""
    with transaction.atomic():
        policy = config.policy()
        breaker = refresh_breaker()
        holds = HeldTicket.objects.select_for_update(skip_locked=True, of=("self",)).order_by(
            "ticket__priority__rank", "since", "pk"
        )
        if breaker.is_open:
            holds = holds.exclude(ticket__priority__code__in=policy.held_priorities)
        assigned = 0
        for hold in list(holds[:limit]):
            ticket = _fresh(hold.ticket_id)
            if ticket.assignee_id or ticket.status.kind not in selectors.CLAIMABLE_KINDS:
                hold.delete()
                continue
            assigned += route(ticket, kind=c.DecisionKind.RELEASED).assignee is not None
        return assigned


# Pull mode: "next ticket" (R6.1, R6.2, R6.4).


def _qualified(base, user: User, policy: RoutingPolicy):
    skills = dict(user.skills.values_list("skill_id", "proficiency"))
    teams = list(user.teams.values_list("pk", flat=True))
    base = base.filter(Q(team__isnull=True) | Q(team_id__in=teams))
    base = base.filter(Q(category__isnull=True) | Q(category_id__in=selectors.qualified_category_ids(skills)))
    if user.seniority < policy.vip_min_seniority:
        base = base.exclude(customer__tier=Tier.VIP)
    return base


def _claim_queries(user: User, breaker_open: bool) -> list:
    """Where to look, in turn. With the breaker open: any P0 first (all hands, whatever team or skills),
    then the agent's own work except the held priorities."""
    policy = config.policy()
    base = Ticket.objects.filter(
        assignee__isnull=True, merged_into__isnull=True, status__kind__in=selectors.CLAIMABLE_KINDS
    )
    if not breaker_open:
        return [_qualified(base, user, policy)]
    return [
        base.filter(priority__code=PriorityCode.P0),
        _qualified(base, user, policy).exclude(priority__code__in=policy.held_priorities),
    ]


def _most_urgent(queryset):
    return queryset.order_by(
        "priority__rank",
        F("first_response_due_at").asc(nulls_last=True),
        F("resolution_due_at").asc(nulls_last=True),
        "created_at",
        "pk",
    )


@configcache.scope()
@transaction.atomic
def claim_next(*, actor: Actor) -> Ticket | None:
    """Assign the most urgent ticket this agent is qualified for; rows others are claiming are skipped."""
    access.ensure_can_pull(actor)
    user = actor.user
    breaker = refresh_breaker()
    ticket = None
    for queryset in _claim_queries(user, breaker.is_open):
        locked = _most_urgent(queryset).select_for_update(skip_locked=True, of=("self",))
        # With what `assign` reads, so that it need not read the row it knows is locked again.
        ticket = locked.select_related("priority", "status", "customer").first()
        if ticket is not None:
            break
    if ticket is None:
        return None
    due = ticket.first_response_due_at or ticket.resolution_due_at
    due_text = due.isoformat(timespec="minutes") if due else "—"
    why = "P0 breaker open: P0 work first" if breaker.is_open else "most urgent ticket you are qualified for"
    explanation = f"next ticket: {why} ({ticket.priority.code}, due {due_text})"
    ticket = tickets.assign(actor=actor, ticket=ticket, assignee=user, reason=explanation, locked=True)
    HeldTicket.objects.filter(ticket=ticket).delete()
    RoutingDecision.objects.create(
        ticket=ticket,
        kind=c.DecisionKind.PULLED,
        team=ticket.team,
        chosen=user,
        explanation=explanation,
        at=clock.now(),
    )
    return ticket


# Reassignment by leads (R6.1: manual override).


@transaction.atomic
def reassign(*, actor: Actor, ticket: Ticket, assignee: User | None, reason: str) -> Ticket:
    access.ensure_lead(actor)
    if is_blank(reason):
        raise InvalidInput("Say why the ticket is reassigned.", "请填写改派原因。", fields={"reason": "blank"})
    ticket = tickets.assign(actor=actor, ticket=ticket, assignee=assignee, reason=reason.strip())
    HeldTicket.objects.filter(ticket=ticket).delete()
    return ticket


# Field dispatch (R6.3).


def _check_coordinates(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise InvalidInput(
            "Latitude is between -90 and 90, longitude between -180 and 180.",
            "纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间。",
            fields={"latitude": "range", "longitude": "range"},
        )


def _qualified_engineers(need: scoring.Need, policy: RoutingPolicy) -> list[scoring.Engineer]:
    """Field engineers with the needed skills and a known position (last known if fresh, else home), with their
    state: only those on shift are sent, the others are listed so the lead sees who is near."""
    now = clock.now()
    people = list(selectors.field_engineers())
    pool = selectors.candidates(people, now)
    state = {cand.user_id: cand.state for cand in pool}
    qualified = {cand.user_id for cand in pool if scoring.skill_fit(cand.skills, need.skills) is not None}
    engineers = []
    for person in people:
        where = scoring.position(
            (person.home_latitude, person.home_longitude),
            (person.last_latitude, person.last_longitude),
            person.last_located_at,
            now,
            policy.location_fresh_hours,
        )
        if person.pk in qualified and where is not None:
            engineers.append(scoring.Engineer(person.pk, str(person), where[0], where[1], state[person.pk]))
    return engineers


def _dispatch_explanation(ranked: list[scoring.Distance], choice, fallback_used: bool, policy: RoutingPolicy) -> str:
    lines = [f"range={policy.field_range_km} km, fallback={policy.field_fallback}"]
    for position, d in enumerate(ranked[: c.EXPLAINED_CANDIDATES], 1):
        away = "" if d.engineer.state == AgentState.ON_SHIFT else f" ({d.engineer.state})"
        lines.append(f"{position}. {d.engineer.name}: {d.km:g} km{away}")
    if choice is None:
        lines.append("no engineer chosen: left to the field team lead")
    elif fallback_used:
        lines.append("nobody within range: nearest qualified engineer chosen")
    return "\n".join(lines)


@configcache.scope()
@transaction.atomic
def dispatch(
    *, actor: Actor, ticket: Ticket, latitude: float, longitude: float, skill: Skill | None = None
) -> Dispatch:
    """Record the site's coordinates and send the nearest available qualified engineer."""
    ticket_access.ensure_desk(actor, ticket)
    _check_coordinates(latitude, longitude)
    ticket = _fresh(ticket.pk)
    policy = config.policy()
    engineers = _qualified_engineers(_need(ticket, skill), policy)
    ranked = scoring.by_distance(engineers, latitude, longitude)
    choice, fallback_used = scoring.choose_engineer(ranked, policy.field_range_km, policy.field_fallback)
    engineer = User.objects.get(pk=choice.engineer.user_id) if choice else None
    now = clock.now()
    job, _created = Dispatch.objects.update_or_create(
        ticket=ticket,
        defaults={
            "latitude": latitude,
            "longitude": longitude,
            "skill": skill,
            "engineer": engineer,
            "distance_km": choice.km if choice else None,
            "fallback_used": fallback_used,
            "decided_at": now,
        },
    )
    explanation = _dispatch_explanation(ranked, choice, fallback_used, policy)
    if engineer is not None:
        tickets.update_fields(actor=actor, ticket=ticket, changes={"engineer": engineer})
    sent = {"engineer": str(engineer) if engineer else None, "km": choice.km if choice else None}
    tickets.record_event(ticket, actor, EventType.NOTE, body=explanation, new={"dispatch": sent})
    RoutingDecision.objects.create(
        ticket=ticket,
        kind=c.DecisionKind.DISPATCHED,
        team=ticket.team,
        chosen=engineer,
        candidates=[
            {"user": d.engineer.user_id, "name": d.engineer.name, "km": d.km, "state": d.engineer.state}
            for d in ranked[: c.EXPLAINED_CANDIDATES]
        ],
        explanation=explanation,
        at=now,
    )
    return job
