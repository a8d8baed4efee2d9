"""GET /api/v1/tickets: filters, cursor pagination newest first, and a query count that does not grow."""

import pytest

from gongdan.tickets import services
from gongdan.tickets.models import Category
from tests import factories
from tests.api.conftest import assert_problem, bearer


def _numbers(client, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/tickets{query}")
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


@pytest.fixture
def categories(db):
    fault = factories.category("fault", "故障类")
    login = factories.category("login", "登录问题", parent=fault)
    sms = factories.category("sms-code", "收不到验证码", parent=login)
    billing = factories.category("billing", "账单")
    return {cat.code: Category.objects.get(pk=cat.pk) for cat in (fault, login, sms, billing)}


def test_the_list_is_newest_first_and_pages_with_an_opaque_cursor(as_agent, customer):
    tickets = [factories.ticket_for(customer) for _ in range(5)]
    newest_first = [t.number for t in reversed(tickets)]
    first = as_agent.get("/api/v1/tickets?limit=2").json()
    assert [item["number"] for item in first["items"]] == newest_first[:2]
    second = as_agent.get(f"/api/v1/tickets?limit=2&cursor={first['next_cursor']}").json()
    assert [item["number"] for item in second["items"]] == newest_first[2:4]
    third = as_agent.get(f"/api/v1/tickets?limit=2&cursor={second['next_cursor']}").json()
    assert [item["number"] for item in third["items"]] == newest_first[4:]
    assert third["next_cursor"] is None


def test_a_ticket_created_between_pages_does_not_shift_the_next_page(as_agent, customer):
    tickets = [factories.ticket_for(customer) for _ in range(3)]
    first = as_agent.get("/api/v1/tickets?limit=2").json()
    factories.ticket_for(customer)
    second = as_agent.get(f"/api/v1/tickets?limit=2&cursor={first['next_cursor']}").json()
    assert [item["number"] for item in second["items"]] == [tickets[0].number]


@pytest.mark.parametrize("limit", ["0", "101", "abc"])
def test_a_limit_outside_1_to_100_is_a_validation_problem(as_agent, limit):
    body = assert_problem(as_agent.get(f"/api/v1/tickets?limit={limit}"), 422, "validation-error")
    assert [tuple(error["loc"]) for error in body["errors"]] == [("query", "limit")]


def test_the_default_page_is_25_tickets(as_agent, customer):
    for _ in range(26):
        factories.ticket_for(customer)
    body = as_agent.get("/api/v1/tickets").json()
    assert len(body["items"]) == 25
    assert body["next_cursor"] is not None


def test_status_filters_by_key_or_by_kind(as_agent, customer, agent_actor):
    fresh, opened = factories.ticket_for(customer), factories.ticket_for(customer)
    services.change_status(actor=agent_actor, ticket=opened, status="open")
    assert _numbers(as_agent, "?status=new") == [fresh.number]
    assert _numbers(as_agent, "?status=open") == [opened.number]
    assert _numbers(as_agent, "?status=closed") == []


def test_priority_filters_by_code(as_agent, customer, agent_actor):
    urgent, normal = factories.ticket_for(customer), factories.ticket_for(customer)
    services.set_priority(actor=agent_actor, ticket=urgent, code="P0", reason="产线停机")
    assert _numbers(as_agent, "?priority=P0") == [urgent.number]
    assert _numbers(as_agent, "?priority=P2") == [normal.number]


def test_assignee_filters_by_id_me_and_none(as_agent, agent, other_agent, customer, agent_actor):
    mine, theirs, nobody = (factories.ticket_for(customer) for _ in range(3))
    services.assign(actor=agent_actor, ticket=mine, assignee=agent)
    services.assign(actor=agent_actor, ticket=theirs, assignee=other_agent)
    assert _numbers(as_agent, "?assignee=me") == [mine.number]
    assert _numbers(as_agent, f"?assignee={other_agent.pk}") == [theirs.number]
    assert _numbers(as_agent, "?assignee=none") == [nobody.number]
    assert_problem(as_agent.get("/api/v1/tickets?assignee=someone"), 422, "validation-error")


def test_team_customer_and_tag_filters(as_agent, customer, other_customer, service_team, agent_actor):
    team_ticket = factories.ticket_for(customer, team=service_team)
    tagged = factories.ticket_for(customer, tags=["打印机"])
    theirs = factories.ticket_for(other_customer)
    assert _numbers(as_agent, f"?team={service_team.code}") == [team_ticket.number]
    assert _numbers(as_agent, "?tag=打印机") == [tagged.number]
    assert _numbers(as_agent, f"?customer={other_customer.pk}") == [theirs.number]
    assert _numbers(as_agent, f"?customer={customer.pk}&tag=打印机") == [tagged.number]


def test_category_filter_includes_every_level_below(as_agent, customer, categories):
    top = factories.ticket_for(customer, category=categories["fault"])
    middle = factories.ticket_for(customer, category=categories["login"])
    leaf = factories.ticket_for(customer, category=categories["sms-code"])
    factories.ticket_for(customer, category=categories["billing"])
    factories.ticket_for(customer)
    assert _numbers(as_agent, "?category=fault") == [leaf.number, middle.number, top.number]
    assert _numbers(as_agent, "?category=login") == [leaf.number, middle.number]
    assert _numbers(as_agent, "?category=sms-code") == [leaf.number]


def test_q_finds_text_in_the_subject_description_and_number(as_agent, customer):
    by_subject = factories.ticket_for(customer, subject="空调不制冷还滴水")
    by_description = factories.ticket_for(customer, subject="售后", description="The printer shows error E-042")
    other = factories.ticket_for(customer, subject="发票")
    assert _numbers(as_agent, "?q=不制冷") == [by_subject.number]
    assert _numbers(as_agent, "?q=e-042") == [by_description.number]
    assert _numbers(as_agent, f"?q={other.number}") == [other.number]


def test_customers_may_not_filter_by_internal_fields(as_customer, ticket):
    for query in ("?tag=vip", "?team=kefu-1", "?assignee=me", "?customer=1"):
        body = assert_problem(as_customer.get(f"/api/v1/tickets{query}"), 422, "invalid-input")
        assert list(body["errors"].values()) == ["staff_only"]
    assert _numbers(as_customer, "?status=new&q=验证码") == [ticket.number]


def _fill(customer, agent_actor, purchasing_team, categories, count: int) -> None:
    for index in range(count):
        ticket = factories.ticket_for(customer, category=categories["sms-code"], tags=["a", f"t{index}"])
        services.update_fields(
            actor=agent_actor,
            ticket=ticket,
            changes={"collaborating_departments": [purchasing_team.code]},
        )
        services.assign(actor=agent_actor, ticket=ticket, assignee=agent_actor.user)
        services.add_external_ref(actor=agent_actor, ticket=ticket, system="erp_po", reference=f"PO-{index}")


@pytest.mark.parametrize("persona", ["agent", "purchasing", "customer"])
def test_listing_costs_the_same_number_of_queries_for_3_or_30_tickets(
    client, request, persona, customer, agent_actor, purchasing_team, categories, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    headers = bearer(user)
    _fill(customer, agent_actor, purchasing_team, categories, 3)
    with django_assert_max_num_queries(10) as few:
        assert len(client.get("/api/v1/tickets?limit=100", **headers).json()["items"]) == 3
    _fill(customer, agent_actor, purchasing_team, categories, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/tickets?limit=100", **headers).json()["items"]) == 30


def test_order_sla_due_lists_the_nearest_open_deadline_first_and_pages_by_it(as_agent, customer):
    from datetime import timedelta

    from gongdan.core import clock
    from gongdan.tickets.models import Ticket

    now = clock.now()
    tickets = [factories.ticket_for(customer) for _ in range(5)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        first_response_due_at=None, next_response_due_at=None, resolution_due_at=None
    )
    due = {0: now + timedelta(hours=5), 1: now + timedelta(hours=1), 3: now + timedelta(hours=1)}
    for index, at in due.items():
        Ticket.objects.filter(pk=tickets[index].pk).update(resolution_due_at=at)
    # An answered first response no longer counts; an unanswered one does.
    Ticket.objects.filter(pk=tickets[2].pk).update(first_response_due_at=now + timedelta(minutes=30))
    Ticket.objects.filter(pk=tickets[4].pk).update(first_response_due_at=now, first_response_at=now)
    expected = [tickets[i].number for i in (2, 1, 3, 0, 4)]
    first = as_agent.get("/api/v1/tickets?order=sla_due&limit=2").json()
    second = as_agent.get(f"/api/v1/tickets?order=sla_due&limit=2&cursor={first['next_cursor']}").json()
    third = as_agent.get(f"/api/v1/tickets?order=sla_due&limit=2&cursor={second['next_cursor']}").json()
    pages = [item["number"] for page in (first, second, third) for item in page["items"]]
    assert pages == expected
    assert third["next_cursor"] is None


def test_a_cursor_of_the_other_order_is_refused(as_agent, customer):
    for _ in range(3):
        factories.ticket_for(customer)
    newest = as_agent.get("/api/v1/tickets?limit=1").json()["next_cursor"]
    body = assert_problem(as_agent.get(f"/api/v1/tickets?order=sla_due&cursor={newest}"), 422, "invalid-input")
    assert body["errors"] == {"cursor": "invalid"}
