"""Duplicate endpoints under /api/v1/duplicates/ (Bearer token, problem+json errors)."""

import pytest
from django.test import Client

from gongdan.tickets.constants import LinkKind
from gongdan.tickets.models import TicketLink
from tests import factories
from tests.api.conftest import assert_problem, bearer


@pytest.fixture
def pair(customer):
    original = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    again = factories.ticket_for(customer, subject="空调还是不制冷", description="空调吹热风，室外机不转")
    return original, again


def test_an_agent_reads_candidates_and_suspicions_and_confirms_over_the_api(agent, pair):
    original, again = pair
    client, auth = Client(), bearer(agent)

    candidates = client.get(f"/api/v1/duplicates/tickets/{again.number}/candidates", **auth).json()
    suspicions = client.get(f"/api/v1/duplicates/tickets/{again.number}/suspicions", **auth).json()
    decided = client.post(
        f"/api/v1/duplicates/tickets/{again.number}/decisions",
        {"original": original.number, "confirmed": True},
        content_type="application/json",
        **auth,
    )

    assert [c["number"] for c in candidates] == [original.number]
    assert candidates[0]["probability"] == suspicions[0]["probability"]
    assert suspicions[0]["decision"] == "open"
    assert decided.status_code == 200 and decided.json()["decision"] == "confirmed"
    assert TicketLink.objects.filter(source=again, target=original, kind=LinkKind.DUPLICATE_OF).exists()


def test_a_customer_searches_only_their_tickets_and_may_not_read_candidates_or_decide(customer, other_customer, pair):
    original, again = pair
    factories.ticket_for(other_customer, subject="空调不制冷", description="")
    client, auth = Client(), bearer(customer.user)

    related = client.get("/api/v1/duplicates/related", {"q": "空调"}, **auth).json()

    assert [r["number"] for r in related] == [again.number, original.number]
    assert_problem(client.get(f"/api/v1/duplicates/tickets/{again.number}/candidates", **auth), 403, "forbidden")
    response = client.post(
        f"/api/v1/duplicates/tickets/{again.number}/decisions",
        {"original": original.number, "confirmed": True},
        content_type="application/json",
        **auth,
    )
    assert_problem(response, 403, "forbidden")
    assert not TicketLink.objects.exists()
