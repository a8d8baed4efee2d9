"""Organization visibility (R14.1): where an organization shares its tickets, its members see all
of them in the portal and the API; off by default; other organizations' customers never do."""

import pytest
from django.test import Client

from gongdan.accounts.services import issue_api_token
from gongdan.customers.models import Customer
from gongdan.tickets import services
from tests import factories


@pytest.fixture
def acme(customer, other_customer):
    organization = factories.OrganizationFactory(name="华东智造", share_tickets=True)
    for person in (customer, other_customer):
        person.organization = organization
        person.sees_organization_tickets = True
        person.save()
    return organization


@pytest.fixture
def outsider(db):
    outsider = factories.customer_with_login("outsider", email="outsider@example.com")
    outsider.organization = factories.OrganizationFactory(name="别家公司", share_tickets=True)
    outsider.sees_organization_tickets = True
    outsider.save()
    return outsider


def _client(customer: Customer) -> Client:
    client = Client()
    client.force_login(customer.user)
    return client


def _api_numbers(customer: Customer) -> list[str]:
    token = issue_api_token(user=customer.user, name="portal")[1]
    response = Client().get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(item["number"] for item in items)


def test_by_default_a_customer_sees_only_their_own_tickets(customer, other_customer):
    organization = factories.OrganizationFactory(name="默认公司")
    assert organization.share_tickets is False
    for person in (customer, other_customer):
        person.organization = organization
        person.save()
    mine, theirs = factories.ticket_for(customer), factories.ticket_for(other_customer)
    client = _client(customer)
    assert client.get(f"/portal/t/{theirs.number}/").status_code == 404
    assert 'id="ticket-scope"' not in client.get("/portal/").content.decode()
    assert _api_numbers(customer) == [mine.number]


def test_members_of_a_sharing_organization_see_each_others_tickets(customer, other_customer, acme):
    mine, theirs = factories.ticket_for(customer), factories.ticket_for(other_customer)
    client = _client(customer)
    home = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert theirs.number in home and mine.number in home
    assert f"requested by {other_customer.name}" in home
    only_mine = client.get("/portal/?show=mine").content.decode()
    assert mine.number in only_mine and theirs.number not in only_mine
    assert client.get(f"/portal/t/{theirs.number}/").status_code == 200
    assert _api_numbers(customer) == sorted([mine.number, theirs.number])
    token = issue_api_token(user=customer.user, name="detail")[1]
    detail = Client().get(f"/api/v1/tickets/{theirs.number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert detail.status_code == 200


def test_customers_of_another_organization_never_see_them(customer, other_customer, acme, outsider):
    theirs = factories.ticket_for(other_customer)
    client = _client(outsider)
    assert client.get(f"/portal/t/{theirs.number}/").status_code == 404
    assert theirs.number not in client.get("/portal/").content.decode()
    assert _api_numbers(outsider) == []


def test_a_colleague_may_read_but_not_confirm_the_resolution(customer, other_customer, acme, agent_actor):
    theirs = factories.ticket_for(other_customer)
    services.change_status(actor=agent_actor, ticket=theirs, status="resolved")
    client = _client(customer)
    assert 'id="confirm-form"' not in client.get(f"/portal/t/{theirs.number}/").content.decode()
    client.post(f"/portal/t/{theirs.number}/confirm/", {"solved": "yes", "clear": "yes", "rating": "5"})
    theirs.refresh_from_db()
    assert (theirs.status.kind, theirs.rating) == ("resolved", None)
    assert 'id="confirm-form"' in _client(other_customer).get(f"/portal/t/{theirs.number}/").content.decode()


def test_turning_sharing_off_hides_them_again(customer, other_customer, acme):
    theirs = factories.ticket_for(other_customer)
    acme.share_tickets = False
    acme.save()
    assert _client(customer).get(f"/portal/t/{theirs.number}/").status_code == 404
