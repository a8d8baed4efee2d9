"""Routing over the REST API: next ticket, breaker, dispatch, reassign; refusals as problem+json."""

from gongdan.accounts.constants import TeamKind
from gongdan.routing.models import Dispatch, RoutingPolicy
from tests import factories
from tests.api.conftest import assert_problem, bearer
from tests.routing.conftest import staff


def post(client, url, user, payload=None):
    return client.post(url, payload or {}, content_type="application/json", **bearer(user))


def test_next_ticket_over_the_api(client, agent, customer):
    ticket = factories.ticket_for(customer, priority_code="P1")

    assert post(client, "/api/v1/routing/next", agent).json() == {"number": ticket.number, "priority": "P1"}
    assert post(client, "/api/v1/routing/next", agent).json() == {"number": None, "priority": None}


def test_a_customer_cannot_pull_and_gets_a_problem(client, customer, ticket):
    assert_problem(post(client, "/api/v1/routing/next", customer.user), 403, "forbidden")
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_breaker_with_history_for_leads_and_without_for_agents(client, lead, agent, customer):
    for _ in range(4):
        factories.ticket_for(customer, priority_code="P0")

    as_lead = client.get("/api/v1/routing/breaker", **bearer(lead)).json()
    as_agent = client.get("/api/v1/routing/breaker", **bearer(agent)).json()

    assert (as_lead["is_open"], as_lead["waiting"], as_lead["threshold"]) == (True, 4, 3)
    assert [(h["opened"], h["waiting"]) for h in as_lead["history"]] == [(True, 4)]
    assert as_agent["history"] == []


def test_dispatch_over_the_api_and_an_unknown_skill_changes_nothing(client, agent, customer):
    RoutingPolicy.objects.update_or_create(pk=1, defaults={"field_range_km": 100})
    field = factories.TeamFactory(code="field", kind=TeamKind.FIELD)
    staff("eng_su", "苏州工程师", field, home_latitude=31.2989, home_longitude=120.5853)
    ticket = factories.ticket_for(customer)
    url = f"/api/v1/routing/tickets/{ticket.number}/dispatch"

    refused = post(client, url, agent, {"latitude": 31.2304, "longitude": 121.4737, "skill": "nope"})
    assert_problem(refused, 422, "invalid-input")
    assert not Dispatch.objects.exists()

    body = post(client, url, agent, {"latitude": 31.2304, "longitude": 121.4737}).json()
    assert (body["engineer"], body["distance_km"], body["fallback_used"]) == ("苏州工程师", 84.8, False)


def test_reassign_needs_a_lead(client, lead, agent, other_agent, customer):
    ticket = factories.ticket_for(customer, assignee=agent)
    url = f"/api/v1/routing/tickets/{ticket.number}/reassign"
    payload = {"assignee_id": other_agent.pk, "reason": "负载均衡"}

    assert_problem(post(client, url, agent, payload), 403, "forbidden")
    assert post(client, url, lead, payload).status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


def test_an_engineer_reports_a_location_that_dispatch_then_prefers(client, agent, customer):
    RoutingPolicy.objects.update_or_create(pk=1, defaults={"field_range_km": 100})
    field = factories.TeamFactory(code="field", kind=TeamKind.FIELD)
    suzhou = staff("eng_su", "苏州工程师", field, home_latitude=31.2989, home_longitude=120.5853)
    ticket = factories.ticket_for(customer)

    reported = post(client, "/api/v1/routing/me/location", suzhou, {"latitude": 31.2200, "longitude": 121.4500})
    assert (reported.json()["latitude"], reported.json()["longitude"]) == (31.22, 121.45)
    url = f"/api/v1/routing/tickets/{ticket.number}/dispatch"
    assert post(client, url, agent, {"latitude": 31.2304, "longitude": 121.4737}).json()["distance_km"] == 2.5
    assert_problem(
        post(client, "/api/v1/routing/me/location", customer.user, {"latitude": 1, "longitude": 1}), 403, "forbidden"
    )
