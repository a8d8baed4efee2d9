"""An agent's priority override needs a reason; it is recorded with the score at the time and shown."""

import pytest
from django.test import Client

from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, NotFound, PermissionDenied
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import TicketEvent
from gongdan.triage import services
from gongdan.triage.models import PriorityOverride

pytestmark = pytest.mark.django_db


def test_an_override_records_reason_score_and_the_timeline_event(ticket, agent, agent_actor):
    override = services.override_priority(actor=agent_actor, ticket=ticket, code="P1", reason="客户产线停工")
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1"
    assert (override.old_priority, override.new_priority, override.computed_priority, override.score) == (
        "P2",
        "P1",
        "P2",
        30.0,
    )
    assert (override.user, override.reason) == (agent, "客户产线停工")
    event = TicketEvent.objects.get(ticket=ticket, event_type=EventType.PRIORITY_CHANGED)
    assert (event.actor, event.body) == (agent, "Override: 客户产线停工")


def test_an_override_without_a_reason_changes_nothing(ticket, agent_actor):
    with pytest.raises(InvalidInput) as refused:
        services.override_priority(actor=agent_actor, ticket=ticket, code="P0", reason="  ")
    ticket.refresh_from_db()
    assert refused.value.fields == {"reason": "blank"}
    assert (ticket.priority.code, PriorityOverride.objects.count()) == ("P2", 0)


def test_a_customer_cannot_override(ticket, customer_actor, purchasing):
    with pytest.raises((PermissionDenied, NotFound)):
        services.override_priority(actor=customer_actor, ticket=ticket, code="P0", reason="urgent!")
    with pytest.raises((PermissionDenied, NotFound)):
        services.override_priority(actor=Actor(user=purchasing), ticket=ticket, code="P0", reason="urgent!")
    ticket.refresh_from_db()
    assert (ticket.priority.code, PriorityOverride.objects.count()) == ("P2", 0)


def test_the_panel_form_overrides_and_lists_the_override(ticket, agent):
    client = Client()
    client.force_login(agent)
    url = f"/desk/triage/t/{ticket.number}/override/"
    refused = client.post(url, {"ov-code": "P1", "ov-reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    response = client.post(url, {"ov-code": "P1", "ov-reason": "产线停工"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="triage-overrides"' in html and "P2 → P1" in html and "产线停工" in html
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1"


def test_the_api_overrides_with_a_reason_and_shows_the_breakdown(ticket, agent):
    client = Client()
    client.force_login(agent)
    base = f"/api/v1/triage/tickets/{ticket.number}"
    missing = client.post(f"{base}/priority-override", {"code": "P0", "reason": ""}, content_type="application/json")
    assert (missing.status_code, missing["Content-Type"]) == (422, "application/problem+json")
    created = client.post(
        f"{base}/priority-override", {"code": "P0", "reason": "整条产线停了"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json() == {
        "old_priority": "P2",
        "new_priority": "P0",
        "computed_priority": "P2",
        "score": 30.0,
        "reason": "整条产线停了",
        "by": agent.username,
    }
    shown = client.get(base).json()
    assert (shown["priority"], shown["score"], shown["computed_priority"], shown["ab_group"]) == ("P0", 30.0, "P2", "A")
    assert shown["breakdown"]["decided_by"] == "no signals"
    assert [o["reason"] for o in shown["overrides"]] == ["整条产线停了"]


def test_customers_do_not_see_the_triage_api(ticket, customer):
    client = Client()
    client.force_login(customer.user)
    assert client.get(f"/api/v1/triage/tickets/{ticket.number}").status_code == 404
