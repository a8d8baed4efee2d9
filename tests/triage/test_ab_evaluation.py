"""A/B: a share of new tickets is scored by the previous rule set (by ticket id); the report compares
ticket count, mean CSAT and SLA breach rate per group; leads see it."""

import pytest
from django.test import Client

from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.tickets import services as ticket_services
from gongdan.tickets.constants import EventType, SlaStatus
from gongdan.tickets.models import Ticket
from gongdan.triage import scoring, selectors, services
from gongdan.triage.constants import DEFAULT_RULES
from gongdan.triage.models import TicketTriage, TriagePolicy
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(db):
    services.publish_rule_set(actor=Actor.system(), name="v1", config=DEFAULT_RULES)
    stricter = {**DEFAULT_RULES, "fault_points": {**DEFAULT_RULES["fault_points"], "fault": 60}}
    return services.publish_rule_set(actor=Actor.system(), name="v2 faults matter more", config=stricter)


def _fault(customer, n=1):
    return [factories.ticket_for(customer, subject=f"Scanner error {i}", fault_code="E-9") for i in range(n)]


def test_with_a_full_share_every_ticket_is_scored_by_the_previous_version(two_versions, customer):
    TriagePolicy.objects.create(ab_share_percent=100)
    [ticket] = _fault(customer)
    ticket.refresh_from_db()
    assert (ticket.triage.ab_group, ticket.triage.rule_set_version, ticket.triage.score, ticket.priority.code) == (
        "B",
        1,
        30.0,
        "P2",
    )


def test_without_a_share_every_ticket_is_scored_by_the_active_version(two_versions, customer):
    TriagePolicy.objects.create(ab_share_percent=0)
    [ticket] = _fault(customer)
    ticket.refresh_from_db()
    assert (ticket.triage.ab_group, ticket.triage.rule_set_version, ticket.triage.score, ticket.priority.code) == (
        "A",
        2,
        60.0,
        "P1",
    )


def test_the_default_ten_percent_follows_the_ticket_id(two_versions, customer):
    tickets = _fault(customer, 25)
    rows = TicketTriage.objects.filter(ticket__in=tickets).values_list("ticket_id", "ab_group", "rule_set_version")
    assert sorted(rows) == sorted(
        (t.pk, scoring.ab_group(t.pk, 10), 1 if scoring.ab_group(t.pk, 10) == "B" else 2) for t in tickets
    )


def test_without_a_previous_version_everyone_is_in_group_a(customer):
    TriagePolicy.objects.create(ab_share_percent=100)
    [ticket] = _fault(customer)
    assert (ticket.triage.ab_group, ticket.triage.rule_set_version) == ("A", 1)


def test_publishing_refuses_an_invalid_rule_set_and_keeps_the_active_one(two_versions, lead_actor, agent_actor):
    with pytest.raises(InvalidInput):
        services.publish_rule_set(actor=lead_actor, name="broken", config={**DEFAULT_RULES, "bands": []})
    with pytest.raises(PermissionDenied):
        services.publish_rule_set(actor=agent_actor, name="agent's", config=DEFAULT_RULES)
    assert services._active_rule_set().version == 2


def test_the_report_compares_count_csat_and_breach_rate_per_group(two_versions, customer, lead):
    TriagePolicy.objects.create(ab_share_percent=100)
    b_tickets = _fault(customer, 2)
    policy = TriagePolicy.objects.get()
    policy.ab_share_percent = 0
    policy.save()  # through the model: a QuerySet.update would not renew cached configuration
    a_tickets = _fault(customer, 3)
    Ticket.objects.filter(pk__in=[a_tickets[0].pk, b_tickets[0].pk]).update(rating=5)
    Ticket.objects.filter(pk=a_tickets[1].pk).update(rating=2)
    Ticket.objects.filter(pk=a_tickets[2].pk).update(sla_status=SlaStatus.BREACHED)
    ticket_services.record_event(b_tickets[1], Actor.system(), EventType.SLA_BREACHED, summary="breach")
    report = {(row.group, row.rule_set_version): row for row in selectors.ab_report()}
    a, b = report[("A", 2)], report[("B", 1)]
    assert (a.tickets, a.rated, a.mean_rating, a.breached, a.breach_rate) == (3, 2, 3.5, 1, 0.3333)
    assert (b.tickets, b.rated, b.mean_rating, b.breached, b.breach_rate) == (2, 1, 5.0, 1, 0.5)

    client = Client()
    client.force_login(lead)
    page = client.get("/desk/triage/ab/")
    assert page.status_code == 200 and 'data-group="B"' in page.content.decode()
    api = client.get("/api/v1/triage/ab-report").json()
    assert api[0] == {
        "group": "A",
        "rule_set_version": 2,
        "tickets": 3,
        "rated": 2,
        "mean_rating": 3.5,
        "breached": 1,
        "breach_rate": 0.3333,
    }


def test_agents_do_not_see_the_ab_report(agent):
    client = Client()
    client.force_login(agent)
    assert client.get("/desk/triage/ab/").status_code == 404
    assert client.get("/api/v1/triage/ab-report").status_code == 403
