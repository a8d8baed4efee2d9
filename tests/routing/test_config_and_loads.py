"""Routing reads configuration from the config cache and counts loads without joins: the values stay exact,
configuration changes apply to the next ticket, and routing a created ticket reads its row once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongdan.core.context import Actor
from gongdan.routing import config, selectors, services
from gongdan.routing.constants import Strategy
from gongdan.routing.models import CategorySkill, RoutingDecision, RoutingPolicy, TeamRouting
from gongdan.sla import config as sla_config
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Status, Ticket
from gongdan.tickets.services.hooks import CreationHints
from tests import factories


def assigned(ticket):
    ticket.refresh_from_db()
    return str(ticket.assignee) if ticket.assignee_id else None


def _reads_of_tickets(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "tickets_ticket"' in q["sql"]]


def test_loads_count_each_agents_active_tickets_by_priority_code(customer, crew, lead):
    desk = Actor(user=lead)
    factories.ticket_for(customer, assignee=crew.anna, priority_code="P0")
    factories.ticket_for(customer, assignee=crew.anna, priority_code="P2")
    waiting = factories.ticket_for(customer, assignee=crew.anna, priority_code="P2")
    tickets.change_status(actor=desk, ticket=waiting, status=StatusKind.PENDING)
    done = factories.ticket_for(customer, assignee=crew.bo, priority_code="P1")
    tickets.change_status(actor=desk, ticket=done, status=StatusKind.RESOLVED)

    loads = selectors.open_by_priority([crew.anna.pk, crew.bo.pk, crew.chen.pk])

    assert loads == {crew.anna.pk: {"P0": 1, "P2": 2}}


def test_a_status_added_later_counts_in_loads_and_in_the_breaker(customer, crew, lead):
    assert selectors.open_by_priority([crew.anna.pk]) == {} and selectors.waiting_p0_count() == 0  # cache warm
    triage = Status.objects.create(key="in-triage", kind=StatusKind.OPEN, label_zh="分诊中", label_en="In triage")
    ticket = factories.ticket_for(customer, assignee=crew.anna, priority_code="P0")
    tickets.change_status(actor=Actor(user=lead), ticket=ticket, status=triage)

    assert selectors.open_by_priority([crew.anna.pk]) == {crew.anna.pk: {"P0": 1}}
    assert selectors.waiting_p0_count() == 1  # assigned but not answered yet


def test_a_team_setting_changed_after_routing_applies_to_the_next_ticket(customer, crew, network, service_team):
    first = factories.ticket_for(customer, category=network)
    TeamRouting.objects.create(team=service_team, strategy=Strategy.MANUAL)
    second = factories.ticket_for(customer, category=network)

    assert [assigned(first), assigned(second)] == ["Bo", None]
    assert list(RoutingDecision.objects.values_list("ticket_id", flat=True)) == [first.pk]


def test_a_skill_need_raised_after_routing_applies_to_the_next_ticket(customer, crew, network):
    first = factories.ticket_for(customer, category=network)  # Bo: 10 - 2 (one P2) ties Anna's 8 for the next
    need = CategorySkill.objects.get(category=network)
    need.min_proficiency = 5
    need.save()
    second = factories.ticket_for(customer, category=network)

    assert [assigned(first), assigned(second)] == ["Bo", "Bo"]  # Anna (4) no longer qualifies


def test_a_policy_change_applies_to_the_next_ticket(customer, crew, network):
    first = factories.ticket_for(customer, category=network)
    policy = RoutingPolicy.current()
    policy.skill_weight = 0
    policy.save()
    second = factories.ticket_for(customer, category=network)

    decision = RoutingDecision.objects.get(ticket=second)
    assert [assigned(first), assigned(second)] == ["Bo", "Anna"]
    assert [(c["name"], c["score"]) for c in decision.candidates] == [("Anna", 0.0), ("Bo", -2.0)]


def test_routing_a_created_ticket_reads_its_row_once_and_no_configuration(customer, crew, network, service_team):
    factories.ticket_for(customer, category=network)  # fills the configuration cache
    TeamRouting.objects.create(team=service_team, strategy=Strategy.MANUAL)
    ticket = factories.ticket_for(customer, category=network)  # left unassigned
    routing = TeamRouting.objects.get(team=service_team)
    routing.strategy = Strategy.BEST_MATCH
    routing.save()
    config.policy(), config.codes(), config.tree()  # the cache again, after the change
    sla_config.current()  # and the SLA engine's snapshot, which the assignment event refreshes

    with CaptureQueriesContext(connection) as queries:
        services.on_ticket_created(ticket, Actor.system(), CreationHints())

    sql = [q["sql"] for q in queries.captured_queries]
    assert assigned(ticket) == "Anna"  # Bo has the first ticket
    reads = _reads_of_tickets(queries.captured_queries)
    assert len(reads) == 3 and sum("COUNT" in q for q in reads) == 2  # the ticket; waiting P0s and loads
    loads = next(q for q in sql if "COUNT(*)" in q and '"assignee_id" IN' in q)
    assert "JOIN" not in loads
    configuration = ("routing_routingpolicy", "routing_teamrouting", "routing_categoryskill", "tickets_category")
    routing_sql = [q for q in sql if "sla_" not in q]  # the SLA engine's own reads are not routing's
    assert not [q for q in routing_sql if any(f'FROM "{table}"' in q for table in configuration)]
    assert not [q for q in sql if "routing_heldticket" in q]  # a ticket being created has no hold
    assert not [q for q in sql if "routing_routingdecision" in q and q.startswith("SELECT")]  # best match: no turn


def test_assign_by_a_caller_holding_the_row_does_not_read_it_again(customer, agent, lead):
    first, second = factories.ticket_for(customer), factories.ticket_for(customer)
    desk = Actor(user=lead)
    # What a caller holding the row passes (tests run in one transaction: it holds every row it wrote).
    current = Ticket.objects.select_related("status", "priority", "customer").get(pk=second.pk)

    with CaptureQueriesContext(connection) as plain:
        tickets.assign(actor=desk, ticket=first, assignee=agent)
    with CaptureQueriesContext(connection) as locked:
        tickets.assign(actor=desk, ticket=current, assignee=agent, locked=True)

    assert len(_reads_of_tickets(plain.captured_queries)) == len(_reads_of_tickets(locked.captured_queries)) + 1
    assert [assigned(first), assigned(second)] == ["李坐席", "李坐席"]


@pytest.mark.postgres
def test_assign_locks_only_the_ticket_row(customer, agent, lead):
    ticket = factories.ticket_for(customer)

    with CaptureQueriesContext(connection) as queries:
        tickets.assign(actor=Actor(user=lead), ticket=ticket, assignee=agent)

    sql = [q["sql"] for q in queries.captured_queries]
    locks = [q for q in sql if "FOR UPDATE" in q and 'FROM "tickets_ticket"' in q]
    assert len(locks) == 1 and locks[0].endswith('FOR UPDATE OF "tickets_ticket"')
    # No joins at all: a row locked with joins is dropped when another transaction changed the
    # joined key (status, priority) meanwhile; the status and priority come from the cached tables.
    assert "JOIN" not in locks[0]
