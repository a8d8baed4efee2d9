"""Auto-assignment on creation: strategies, category → team, VIP, holds, and the explanation on the timeline."""

from gongdan.accounts.constants import Availability
from gongdan.customers.constants import Tier
from gongdan.routing import tasks
from gongdan.routing.constants import DecisionKind, HoldReason, Strategy
from gongdan.routing.models import HeldTicket, RoutingDecision, TeamRouting
from gongdan.tickets.constants import EventType
from tests import factories


def assigned(ticket):
    ticket.refresh_from_db()
    return str(ticket.assignee) if ticket.assignee_id else None


def test_best_match_assigns_the_strongest_agent_and_explains_the_scores(customer, crew, network, service_team):
    ticket = factories.ticket_for(customer, category=network)

    assert assigned(ticket) == "Bo"
    assert ticket.team == service_team
    event = ticket.events.get(event_type=EventType.ASSIGNED)
    assert event.actor is None
    assert event.body == (
        "strategy=best_match\n"
        "1. Bo: score 10 (skills 1, load 0, seniority 4)\n"
        "2. Anna: score 8 (skills 0.8, load 0, seniority 2)"
    )
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert (decision.kind, decision.chosen, decision.strategy) == (DecisionKind.AUTO, crew.bo, Strategy.BEST_MATCH)
    assert [(c["name"], c["score"]) for c in decision.candidates] == [("Bo", 10.0), ("Anna", 8.0)]


def test_load_spreads_the_work_once_the_best_agent_has_tickets(customer, crew, network):
    first = factories.ticket_for(customer, category=network)
    second = factories.ticket_for(customer, category=network)  # Bo: 10 - 2 (one P2) = 8 ties Anna's 8; less load wins

    assert [assigned(first), assigned(second)] == ["Bo", "Anna"]


def test_a_vip_ticket_goes_to_a_senior_agent_even_when_loaded(crew, network):
    vip = factories.customer_with_login("vip_wu", tier=Tier.VIP)
    factories.ticket_for(vip, category=network, priority_code="P0")
    ticket = factories.ticket_for(vip, category=network)

    assert assigned(ticket) == "Bo"  # 10 - 5 + 2*4 = 13; Anna (seniority 2) is not senior


def test_round_robin_takes_turns_among_the_qualified(customer, crew, network, service_team):
    TeamRouting.objects.create(team=service_team, strategy=Strategy.ROUND_ROBIN)
    tickets = [factories.ticket_for(customer, category=network) for _ in range(3)]

    assert [assigned(t) for t in tickets] == ["Anna", "Bo", "Anna"]


def test_least_loaded_ignores_proficiency(customer, crew, network, service_team):
    TeamRouting.objects.create(team=service_team, strategy=Strategy.LEAST_LOADED)
    factories.ticket_for(customer, category=network, assignee=crew.anna, priority_code="P4")
    ticket = factories.ticket_for(customer, category=network)

    assert assigned(ticket) == "Bo"


def test_a_manual_team_is_left_to_pulling_and_leads(customer, crew, network, service_team):
    TeamRouting.objects.create(team=service_team, strategy=Strategy.MANUAL)
    ticket = factories.ticket_for(customer, category=network)

    assert assigned(ticket) is None
    assert ticket.team == service_team  # in the team's queue, for its agents to pull
    assert not HeldTicket.objects.exists()
    assert not RoutingDecision.objects.exists()


def test_a_p0_in_a_manual_team_is_still_assigned_to_the_best_qualified_agent(customer, crew, network, service_team):
    TeamRouting.objects.create(team=service_team, strategy=Strategy.MANUAL)
    ticket = factories.ticket_for(customer, category=network, priority_code="P0")

    assert assigned(ticket) == "Bo"
    assert ticket.team == service_team
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert (decision.kind, decision.chosen, decision.strategy) == (DecisionKind.AUTO, crew.bo, Strategy.BEST_MATCH)


def test_a_p0_in_a_manual_team_with_nobody_on_shift_is_held_in_its_team(customer, crew, network, service_team):
    TeamRouting.objects.create(team=service_team, strategy=Strategy.MANUAL)
    for person in (crew.anna, crew.bo, crew.chen):
        person.availability = Availability.OFF
        person.save()
    ticket = factories.ticket_for(customer, category=network, priority_code="P0")

    assert assigned(ticket) is None
    assert ticket.team == service_team
    assert HeldTicket.objects.get(ticket=ticket).reason == HoldReason.NO_CANDIDATE
    assert RoutingDecision.objects.get(ticket=ticket).kind == DecisionKind.HELD


def test_an_explicit_assignee_is_respected(customer, crew, network, agent):
    ticket = factories.ticket_for(customer, category=network, assignee=agent)

    assert ticket.assignee == agent
    assert not RoutingDecision.objects.exists()


def test_a_sub_category_routes_to_the_team_of_its_parent(customer, crew, network, service_team):
    wifi = factories.category("wifi", "无线网络", parent=network)
    ticket = factories.ticket_for(customer, category=wifi)

    ticket.refresh_from_db()
    assert (ticket.team, str(ticket.assignee)) == (service_team, "Bo")


def test_with_nobody_on_shift_the_ticket_is_held_and_assigned_when_someone_comes(customer, crew, network):
    for person in (crew.anna, crew.bo):
        person.availability = Availability.ON_BREAK
        person.save()
    ticket = factories.ticket_for(customer, category=network)

    assert assigned(ticket) is None
    assert HeldTicket.objects.get().reason == HoldReason.NO_CANDIDATE

    crew.anna.availability = Availability.ON_SHIFT
    crew.anna.save()
    assert tasks.routing_tick.call_local() == 1

    assert assigned(ticket) == "Anna"
    assert not HeldTicket.objects.exists()
    assert RoutingDecision.objects.filter(ticket=ticket).values_list("kind", flat=True)[0] == DecisionKind.RELEASED
