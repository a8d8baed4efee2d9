"""Department staff see their hand-offs without the customer's contact data, on every endpoint and page
(issue 13, item 3: the intake context and the desk page showed purchasing the phone and other tickets)."""

import datetime as dt

import pytest
import time_machine

from gongdan.customers.models import CustomerIdentity
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.pipeline.runner import ingest
from gongdan.tickets import services
from gongdan.tickets.schemas import DEPARTMENT_VIEW, STAFF_VIEW, view_for
from tests import factories
from tests.api.conftest import assert_problem

T0 = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
PHONE, WECHAT = "+8613800138000", "wx_zhangsan"


@pytest.fixture
def handoff(customer, agent_actor, purchasing_team):
    """One ticket handed to purchasing, and two of the same customer that were not."""
    with time_machine.travel(T0, tick=False):
        CustomerIdentity.objects.create(customer=customer, kind="phone", value=PHONE)
        CustomerIdentity.objects.create(customer=customer, kind="wechat", value=WECHAT)
        unrelated = factories.ticket_for(customer, subject="密码重置")
        payload = {"sender": {"email": "zhangsan@example.com"}, "subject": "另一件事", "body": "电话 13800138000"}
        ingest(message_from_json(payload, b"{}", source="api"))
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        shared = factories.ticket_for(customer, subject="需要采购主板")
        services.update_fields(
            actor=agent_actor, ticket=shared, changes={"collaborating_departments": [purchasing_team.code]}
        )
    return shared, unrelated


def test_the_policy_of_department_staff_shows_the_ticket_but_not_the_contact(purchasing, agent, customer):
    assert view_for(purchasing) is DEPARTMENT_VIEW
    assert view_for(agent) is STAFF_VIEW
    assert (DEPARTMENT_VIEW.customer_contact, STAFF_VIEW.customer_contact) == (False, True)
    assert DEPARTMENT_VIEW.ticket_fields == STAFF_VIEW.ticket_fields


def test_the_intake_context_gives_department_staff_no_contact_and_no_other_tickets(as_purchasing, handoff, customer):
    shared, _unrelated = handoff

    body = as_purchasing.get(f"/api/v1/intake/tickets/{shared.number}/context").json()

    assert body == {
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "tier": customer.tier,
            "vip": customer.is_vip,
            "organization": None,
            "identities": [],
        },
        "open_tickets": [],
        "recent_tickets": [],
        "devices": [],
        "previous_conversation": [],
    }


def test_the_intake_context_gives_the_desk_everything(as_agent, handoff):
    shared, unrelated = handoff

    body = as_agent.get(f"/api/v1/intake/tickets/{shared.number}/context").json()

    assert sorted(body["customer"]["identities"]) == [
        "email:zhangsan@example.com",
        f"phone:{PHONE}",
        f"wechat:{WECHAT}",
    ]
    assert unrelated.number in [t["number"] for t in body["recent_tickets"]]
    assert [m["subject"] for m in body["previous_conversation"]] == ["另一件事"]


def test_the_intake_context_of_a_ticket_outside_the_handoffs_is_404(as_purchasing, handoff):
    _shared, unrelated = handoff
    assert_problem(as_purchasing.get(f"/api/v1/intake/tickets/{unrelated.number}/context"), 404, "not-found")


def test_the_desk_ticket_page_shows_department_staff_no_phone(as_purchasing, as_agent, handoff):
    shared, unrelated = handoff

    page = as_purchasing.get(f"/desk/t/{shared.number}/").content.decode()
    desk_page = as_agent.get(f"/desk/t/{shared.number}/").content.decode()

    for secret in (PHONE, WECHAT, "zhangsan@example.com", unrelated.number, "密码重置"):
        assert secret not in page
        assert secret in desk_page
    assert as_purchasing.get(f"/desk/t/{unrelated.number}/").status_code == 404


def test_looking_tickets_up_by_phone_is_for_the_desk(as_purchasing, as_agent, handoff):
    shared, _unrelated = handoff

    mine = as_purchasing.get("/api/v1/duplicates/related", {"q": PHONE}).json()
    desk = as_agent.get("/api/v1/duplicates/related", {"q": PHONE}).json()

    assert mine == []
    assert shared.number in [t["number"] for t in desk]


def test_department_staff_cannot_read_the_customer_record(as_purchasing, customer, handoff):
    assert_problem(as_purchasing.get(f"/api/v1/customers/{customer.pk}"), 404, "not-found")
    assert_problem(as_purchasing.get("/api/v1/customers"), 403, "forbidden")
