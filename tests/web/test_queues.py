from datetime import timedelta

import pytest
import time_machine

from gongdan.core import clock
from gongdan.tickets import services
from gongdan.tickets.models import Ticket
from tests import factories


def _tickets(customer, n, **fields):
    return [factories.ticket_for(customer, subject=f"打印机卡纸 {i}", **fields) for i in range(n)]


def test_each_queue_shows_its_count(agent_client, agent, customer, web_actor):
    mine = _tickets(customer, 2)
    for ticket in mine:
        services.assign(actor=web_actor, ticket=ticket, assignee=agent)
    _tickets(customer, 3)
    services.set_priority(actor=web_actor, ticket=mine[0], code="P0")
    response = agent_client.get("/desk/q/mine/")
    assert response.status_code == 200
    counts = {q.key: n for q, n in response.context["queue_items"]}
    assert counts == {
        "mine": 2,
        "team": 0,
        "unassigned": 3,
        "at_risk": 0,
        "p0": 1,
        "pending": 0,
        "triage": 0,
        "recent": 5,
    }
    # Most recently updated first: the priority change touched the first ticket last.
    assert [t.number for t in response.context["page"]] == [mine[0].number, mine[1].number]


def test_sla_at_risk_is_sorted_by_the_nearest_due_time(agent_client, customer):
    tickets = _tickets(customer, 3)
    now = clock.now()
    dues = [now + timedelta(hours=5), now + timedelta(hours=1), now + timedelta(hours=3)]
    for ticket, due in zip(tickets, dues, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(sla_status="at_risk", resolution_due_at=due)
    Ticket.objects.filter(pk=tickets[0].pk).update(first_response_due_at=now + timedelta(minutes=30))
    response = agent_client.get("/desk/q/at_risk/")
    assert [t.number for t in response.context["page"]] == [tickets[0].number, tickets[1].number, tickets[2].number]


def test_search_and_filters_narrow_the_queue(agent_client, customer):
    _tickets(customer, 2)
    wanted = factories.ticket_for(customer, subject="投影仪无信号", device_sn="SN-PJ-001")
    response = agent_client.get("/desk/q/unassigned/", {"q": "投影仪"})
    assert [t.number for t in response.context["page"]] == [wanted.number]
    response = agent_client.get("/desk/q/unassigned/", {"q": "SN-PJ-001"})
    assert [t.number for t in response.context["page"]] == [wanted.number]
    response = agent_client.get("/desk/q/unassigned/", {"priority": "P0"})
    assert list(response.context["page"]) == []


def test_an_htmx_refresh_returns_only_the_list_and_the_counts(agent_client, customer):
    _tickets(customer, 1)
    response = agent_client.get("/desk/q/unassigned/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-list"')
    assert 'id="queue-counts" hx-swap-oob="true"' in html
    assert "<html" not in html


@pytest.mark.parametrize("rows", [5, 30])
def test_the_queue_page_takes_the_same_queries_for_5_and_30_rows(
    agent_client, customer, rows, django_assert_max_num_queries
):
    factories.customer_with_login("wang_wu", email="wangwu@example.com")
    _tickets(customer, rows)
    agent_client.get("/desk/q/unassigned/")  # warm the session and the singleton policy rows
    with django_assert_max_num_queries(11):
        response = agent_client.get("/desk/q/unassigned/")
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [5, 30])
def test_the_lead_board_takes_the_same_queries_for_5_and_30_rows(
    lead_client, customer, rows, django_assert_max_num_queries
):
    _tickets(customer, rows)
    lead_client.get("/desk/board/")
    with django_assert_max_num_queries(10):
        response = lead_client.get("/desk/board/")
    assert response.context["backlog"]["total"] == rows


def test_bulk_assign_calls_the_assign_service_for_each_ticket(agent_client, agent, customer):
    tickets = _tickets(customer, 3)
    response = agent_client.post(
        "/desk/bulk/",
        {"action": "assign_me", "tickets": [tickets[0].number, tickets[2].number], "next": "/desk/q/unassigned/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/q/unassigned/"
    assigned = Ticket.objects.filter(assignee=agent).order_by("pk").values_list("number", flat=True)
    assert list(assigned) == [tickets[0].number, tickets[2].number]
    assert tickets[0].events.filter(event_type="assigned").count() == 1


def test_a_bulk_refusal_is_reported_and_the_other_tickets_still_change(agent_client, customer, web_actor):
    tickets = _tickets(customer, 2)
    services.change_status(actor=web_actor, ticket=tickets[0], status="resolved")
    response = agent_client.post(
        "/desk/bulk/",
        {"action": "status", "status": "pending-customer", "tickets": [t.number for t in tickets]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.content.decode()
    assert f"{tickets[0].number}: A resolved ticket cannot move to pending" in html
    statuses = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("number", "status__key"))
    assert statuses == {tickets[0].number: "resolved", tickets[1].number: "pending-customer"}


def test_an_overloaded_agent_is_flagged_on_the_board(lead_client, agent, other_agent, customer, lead_actor):
    for ticket in _tickets(customer, 5):
        services.assign(actor=lead_actor, ticket=ticket, assignee=agent)
    services.assign(actor=lead_actor, ticket=_tickets(customer, 1)[0], assignee=other_agent)
    response = lead_client.get("/desk/board/")
    loads = {load.user.username: (load.open, load.overloaded) for load in response.context["loads"]}
    # Average 3 open tickets per working agent × 1.5 = 4.5: five is overloaded, one is not.
    assert loads["agent_li"] == (5, True)
    assert loads["agent_wang"] == (1, False)


def test_waiting_longest_lists_the_oldest_untouched_ticket_first(lead_client, customer):
    with time_machine.travel(clock.now() - timedelta(days=2), tick=False):
        old = factories.ticket_for(customer, subject="两天前的请求")
    newer = factories.ticket_for(customer, subject="刚提交的请求")
    response = lead_client.get("/desk/board/")
    assert [t.number for t in response.context["waiting"]] == [old.number, newer.number]


def test_agents_cannot_open_the_lead_board(agent_client):
    assert agent_client.get("/desk/board/").status_code == 404


def test_the_lead_board_shows_the_sla_lanes_with_a_breached_p0(lead_client, customer):
    from gongdan.sla import services as sla

    start = clock.now()
    with time_machine.travel(start, tick=False):
        p0 = factories.ticket_for(customer, subject="产线停机", priority_code="P0")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        sla.sweep()
        response = lead_client.get("/desk/board/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    lanes = {lane.key: [t.number for t in lane.tickets] for lane in response.context["lanes"]}
    # Issue 17, defect 8: the silent P0 is listed once, in its most urgent lane, not again as breached.
    assert lanes["p0"] == [p0.number] and lanes["breached"] == []
    lanes_html = html[html.index('id="sla-lanes-title"') : html.index('id="waiting-title"')]
    assert 'id="lane-breached"' in lanes_html and lanes_html.count(f'data-number="{p0.number}"') == 1


def test_the_lead_board_puts_counts_first_and_caps_each_lane(lead_client, lead, customer):
    from gongdan.sla import services as sla

    start = clock.now()
    with time_machine.travel(start, tick=False):
        late = [factories.ticket_for(customer, subject=f"超时工单 {n}", priority_code="P1") for n in range(7)]
    with time_machine.travel(start + timedelta(days=10), tick=False):
        sla.sweep()
        lead_client.force_login(lead)  # ten days on, the session policy has ended the old session
        capped = lead_client.get("/desk/board/", HTTP_ACCEPT_LANGUAGE="en")
        expanded = lead_client.get("/desk/board/?lane=breached", HTTP_ACCEPT_LANGUAGE="en")

    html = capped.content.decode()
    breached = {lane.key: lane for lane in capped.context["lanes"]}["breached"]
    assert (len(breached.tickets), breached.count) == (5, 7)
    assert 'id="lane-breached-all"' in html and "Show all 7" in html
    assert html.index('id="count-breached"') < html.index('id="backlog-title"') < html.index('id="lane-breached"')
    assert html.index('id="load-chart"') < html.index('id="lane-breached"')
    expanded_lane = {lane.key: lane for lane in expanded.context["lanes"]}["breached"]
    assert sorted(t.number for t in expanded_lane.tickets) == sorted(t.number for t in late)


def test_counts_leave_out_closed_and_merged_tickets_older_than_a_day_and_stay_exact(
    agent_client, agent, customer, web_actor
):
    open_, closed_old, closed_today, merged_old = _tickets(customer, 4)
    services.assign(actor=web_actor, ticket=open_, assignee=agent)
    for ticket in (closed_old, closed_today):
        services.change_status(actor=web_actor, ticket=ticket, status="resolved")
        services.change_status(actor=web_actor, ticket=ticket, status="closed", reason="客户电话确认")
    services.merge(actor=web_actor, source=merged_old, target=open_)
    Ticket.objects.filter(pk__in=[closed_old.pk, merged_old.pk]).update(updated_at=clock.now() - timedelta(days=3))
    from gongdan.web import queues

    assert set(queues.countable(agent).values_list("pk", flat=True)) == {open_.pk, closed_today.pk}
    response = agent_client.get("/desk/q/mine/")
    counts = {q.key: n for q, n in response.context["queue_items"]}
    expected = {"mine": 1, "team": 0, "unassigned": 0, "at_risk": 0, "p0": 0, "pending": 0, "recent": 2, "triage": 0}
    assert counts == expected


def test_the_second_page_shows_the_rows_after_the_first_in_queue_order(agent_client, customer):
    from gongdan.web.constants import QUEUE_PAGE_SIZE

    tickets = _tickets(customer, QUEUE_PAGE_SIZE + 3)  # unassigned: oldest first
    first = agent_client.get("/desk/q/unassigned/")
    second = agent_client.get("/desk/q/unassigned/", {"page": 2})
    assert [t.number for t in first.context["page"]] == [t.number for t in tickets[:QUEUE_PAGE_SIZE]]
    assert [t.number for t in second.context["page"]] == [t.number for t in tickets[QUEUE_PAGE_SIZE:]]
    assert "2 / 2" in second.content.decode()


def test_filters_by_status_priority_and_team_match_the_ids_they_name(agent_client, customer, service_team, web_actor):
    wanted = factories.ticket_for(customer, subject="团队工单", team=service_team)
    services.change_status(actor=web_actor, ticket=wanted, status="open")
    services.set_priority(actor=web_actor, ticket=wanted, code="P1")
    factories.ticket_for(customer, subject="其他工单")
    query = {"status": "open", "priority": "P1", "team": service_team.code}
    response = agent_client.get("/desk/q/unassigned/", query)
    assert [t.number for t in response.context["page"]] == [wanted.number]
    for other in ({"status": "pending"}, {"priority": "P3"}, {"team": "no-such-team"}, {"status": "no-such-kind"}):
        response = agent_client.get("/desk/q/unassigned/", {**query, **other})
        assert list(response.context["page"]) == []
