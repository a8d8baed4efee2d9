"""The duplicates panel of the ticket page, the related box, decisions, the queue and the portal hint."""

import pytest
from django.urls import reverse

from gongdan.tickets.constants import LinkKind
from gongdan.tickets.models import TicketLink
from gongdan.triage.models import DuplicateSuspicion
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pair(customer):
    original = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    again = factories.ticket_for(
        customer, subject="空调还是不制冷", description="空调吹热风，室外机不转", device_sn="SN-AC-0001"
    )
    return original, again


def test_the_panel_shows_the_suspected_original_with_its_signals_and_the_decision_buttons(client, agent, pair):
    original, again = pair
    client.force_login(agent)

    response = client.get(reverse("triage:duplicates-panel", args=[again.number]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-original="{original.number}"' in html
    assert "Confirm duplicate" in html and "Not a duplicate" in html
    assert "same customer" in html
    assert 'value="SN-AC-0001"' in html


def test_the_original_lists_its_later_copy(client, agent, pair):
    original, again = pair
    client.force_login(agent)

    html = client.get(reverse("triage:duplicates-panel", args=[original.number])).content.decode()

    assert "Later tickets flagged as copies" in html and again.number in html


def test_an_agent_confirms_from_the_panel(client, agent, pair):
    original, again = pair
    client.force_login(agent)

    response = client.post(
        reverse("triage:duplicates-decide", args=[again.number, original.number]), {"confirmed": "1"}, **HTMX
    )

    assert response.status_code == 200
    assert "Confirmed duplicate" in response.content.decode()
    assert TicketLink.objects.filter(source=again, target=original, kind=LinkKind.DUPLICATE_OF).exists()


def test_a_department_member_sees_no_decision_buttons_and_cannot_post_one(client, purchasing, pair):
    original, again = pair
    client.force_login(purchasing)

    response = client.post(
        reverse("triage:duplicates-decide", args=[again.number, original.number]), {"confirmed": "1"}
    )

    assert response.status_code == 404
    assert DuplicateSuspicion.objects.get(ticket=again).decision == DuplicateSuspicion.Decision.OPEN


def test_a_customer_gets_404_for_the_desk_panel(client, customer, pair):
    client.force_login(customer.user)
    assert client.get(reverse("triage:duplicates-panel", args=[pair[1].number])).status_code == 404


def test_the_related_box_searches_and_leaves_out_the_current_ticket(client, agent, pair):
    original, again = pair
    client.force_login(agent)

    response = client.get(reverse("triage:duplicates-related"), {"q": "空调", "t": again.number}, **HTMX)

    html = response.content.decode()
    assert original.number in html and again.number not in html


def test_the_queue_lists_open_suspicions_and_decided_ones_by_filter(client, agent, agent_actor, pair):
    original, again = pair
    client.force_login(agent)

    open_page = client.get(reverse("triage:duplicates-queue")).content.decode()
    decided = client.get(reverse("triage:duplicates-queue"), {"decision": "rejected"}).content.decode()

    assert again.number in open_page and original.number in open_page
    assert again.number not in decided


def test_the_portal_form_shows_a_customer_their_own_similar_request(client, customer, other_customer):
    own = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    theirs = factories.ticket_for(other_customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    client.force_login(customer.user)

    html = client.get(
        reverse("triage:duplicates-portal-similar"), {"subject": "空调不制冷", "description": "吹热风"}, **HTMX
    ).content.decode()

    assert own.number in html and theirs.number not in html
    assert client.get(reverse("triage:duplicates-portal-similar"), {"subject": "空调"}).content.decode().strip() == ""


def test_the_queue_and_the_panel_cost_the_same_queries_for_one_or_many_suspicions(
    client, agent, customer, django_assert_num_queries
):
    client.force_login(agent)
    for n in range(4):
        factories.ticket_for(customer, subject="空调不制冷", description=f"空调吹热风，室外机不转 {n}")
    last = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    assert DuplicateSuspicion.objects.filter(ticket=last).count() == 3

    # Session, user, count, page.
    with django_assert_num_queries(4):
        assert client.get(reverse("triage:duplicates-queue")).status_code == 200
    # Session, user, ticket, suspicions with their originals, later copies.
    with django_assert_num_queries(5):
        assert client.get(reverse("triage:duplicates-panel", args=[last.number])).status_code == 200
