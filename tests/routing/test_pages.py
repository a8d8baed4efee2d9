"""Routing pages: the next-ticket button, the banner, the assignment board, breaker history, dispatch, reassign."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from gongdan.accounts.models import Shift, Skill, UserSkill
from gongdan.core import clock
from gongdan.routing.models import BreakerState, BreakerTransition, Dispatch, RoutingPolicy
from gongdan.tickets.constants import EventType
from tests import factories
from tests.routing.conftest import staff


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English whatever the catalogue holds
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(agent):
    return client_for(agent)


@pytest.fixture
def lead_client(lead):
    return client_for(lead)


def test_next_ticket_opens_the_claimed_ticket(agent_client, agent, customer):
    ticket = factories.ticket_for(customer, priority_code="P1")

    response = agent_client.post("/desk/routing/next/")

    assert response.status_code == 302 and response["Location"] == f"/desk/t/{ticket.number}/"
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_next_ticket_with_nothing_waiting_goes_back_to_my_queue(agent_client):
    response = agent_client.post("/desk/routing/next/", follow=True)

    assert response.redirect_chain == [("/desk/q/mine/", 302)]
    assert "Nothing is waiting that you are qualified for." in response.content.decode()


def test_the_queue_page_shows_the_next_ticket_button_to_the_desk(agent_client, purchasing):
    assert 'id="next-ticket"' in agent_client.get("/desk/q/mine/").content.decode()
    assert 'id="next-ticket"' not in client_for(purchasing).get("/desk/q/mine/").content.decode()


def test_the_banner_shows_only_while_the_breaker_is_on(agent_client, customer):
    assert "breaker-banner" not in agent_client.get("/desk/routing/banner/").content.decode()
    for _ in range(4):
        factories.ticket_for(customer, priority_code="P0")

    html = agent_client.get("/desk/routing/banner/").content.decode()

    assert 'id="breaker-banner"' in html and "4 P0 tickets wait (more than 3)." in html


def test_an_agent_sets_their_own_availability(agent_client, agent):
    response = agent_client.post(
        "/desk/routing/availability/", {"availability": "on_break", "next": "http://testserver/desk/q/all/?page=2"}
    )
    assert response["Location"] == "/desk/q/all/"
    agent.refresh_from_db()
    assert agent.availability == "on_break"


def test_the_assignment_board_lists_states_and_weighted_loads_for_leads_only(
    lead_client, agent_client, customer, service_team, django_assert_max_num_queries
):
    anna = staff("anna", "Anna", service_team, skills={"network": 4})
    factories.ticket_for(customer, priority_code="P0", assignee=anna)
    factories.ticket_for(customer, priority_code="P2", assignee=anna)

    with django_assert_max_num_queries(20):
        response = lead_client.get("/desk/routing/")

    html = response.content.decode()
    assert response.status_code == 200
    row = html[html.index('data-user="anna"') : html.index("</tr>", html.index('data-user="anna"'))]
    assert "On shift" in row and "<td>2</td><td>1</td><td>7</td><td>1</td>" in row and "network&nbsp;4" in row
    assert agent_client.get("/desk/routing/").status_code == 404


def test_the_breaker_history_lists_each_switch(lead_client, customer):
    for _ in range(4):
        factories.ticket_for(customer, priority_code="P0")

    html = lead_client.get("/desk/routing/breaker/").content.decode()

    assert BreakerTransition.objects.count() == 1 and BreakerState.objects.get().is_open
    assert "<td>4</td><td>3</td>" in html


def test_dispatch_from_the_ticket_panel_shows_the_distance(agent_client, customer, django_assert_max_num_queries):
    from gongdan.accounts.constants import TeamKind

    RoutingPolicy.objects.update_or_create(pk=1, defaults={"field_range_km": 100})
    field = factories.TeamFactory(code="field", kind=TeamKind.FIELD)
    staff("eng_su", "苏州工程师", field, home_latitude=31.2989, home_longitude=120.5853)
    ticket = factories.ticket_for(customer, subject="空调不制冷")
    panel = agent_client.get(f"/desk/routing/t/{ticket.number}/").content.decode()
    assert 'id="dispatch-form"' in panel

    response = agent_client.post(
        f"/desk/routing/t/{ticket.number}/dispatch/",
        {"dp-latitude": "31.2304", "dp-longitude": "121.4737"},
        follow=True,
    )

    assert "苏州工程师 dispatched, 84.8 km away." in response.content.decode()
    assert Dispatch.objects.get().distance_km == 84.8
    with django_assert_max_num_queries(10):
        listing = agent_client.get("/desk/routing/dispatches/").content.decode()
    assert "84.8 km" in listing and ticket.number in listing
    again = factories.ticket_for(customer, subject="又不制冷了")
    assert 'value="31.2304"' in agent_client.get(f"/desk/routing/t/{again.number}/").content.decode()


def test_a_lead_reassigns_with_a_reason_and_an_agent_cannot(lead_client, agent_client, customer, agent, other_agent):
    ticket = factories.ticket_for(customer, assignee=agent)
    url = f"/desk/routing/t/{ticket.number}/reassign/"

    assert agent_client.post(url, {"ra-assignee": other_agent.pk, "ra-reason": "休假"}).status_code == 404
    lead_client.post(url, {"ra-assignee": other_agent.pk, "ra-reason": ""})
    ticket.refresh_from_db()
    assert ticket.assignee == agent

    lead_client.post(url, {"ra-assignee": other_agent.pk, "ra-reason": "李坐席休假，转王坐席"})

    ticket.refresh_from_db()
    assert ticket.assignee == other_agent
    assert ticket.events.filter(event_type=EventType.ASSIGNED).last().body == "李坐席休假，转王坐席"


def test_coming_on_shift_takes_the_held_tickets(agent_client, agent, customer):
    ticket = factories.ticket_for(customer, priority_code="P2")  # the agent is off: held
    assert ticket.assignee is None

    agent_client.post("/desk/routing/availability/", {"availability": "on_shift"})

    ticket.refresh_from_db()
    assert ticket.assignee == agent


@time_machine.travel(datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)  # a Monday night
def test_on_shift_outside_the_shift_hours_says_so_in_the_nav_and_on_the_board(
    agent_client, lead_client, agent, service_team
):
    """Issue 17, defect 10: the nav said "on shift" while the board said "off" and nothing was routed."""
    agent.availability = "on_shift"
    agent.save()
    Shift.objects.create(user=agent, weekday=0, start=time(9), end=time(18))

    banner = agent_client.get("/desk/routing/banner/").content.decode()
    board = lead_client.get("/desk/routing/").content.decode()

    assert 'id="outside-shift"' in banner and "Outside shift hours" in banner
    row = board[board.index(f'data-user="{agent.username}"') :]
    assert "Off (outside shift hours)" in row[: row.index("</tr>")]


def test_the_assignment_board_names_skills_and_teams_in_the_viewers_language(lead_client, service_team):
    anna = staff("anna", "Anna", service_team)
    skill = Skill.objects.create(code="printers", name_zh="打印机", name_en="Printers")
    UserSkill.objects.create(user=anna, skill=skill, proficiency=3)

    html = lead_client.get("/desk/routing/").content.decode()

    row = html[html.index('data-user="anna"') :]
    row = row[: row.index("</tr>")]
    assert "Printers&nbsp;3" in row and service_team.name_en in row
    assert "printers" not in row and service_team.code not in row


def test_a_field_engineer_sees_their_own_field_jobs_not_a_404(customer, purchasing, agent):
    """Issue 17, defect 14: the field-jobs link answered engineers (department staff) with a 404 page."""
    mine = factories.ticket_for(customer, subject="上门维修")
    theirs = factories.ticket_for(customer, subject="别人的工单")
    Dispatch.objects.create(
        ticket=mine, latitude=31.2, longitude=121.4, engineer=purchasing, distance_km=3.5, decided_at=clock.now()
    )
    Dispatch.objects.create(
        ticket=theirs, latitude=31.2, longitude=121.4, engineer=agent, distance_km=9.0, decided_at=clock.now()
    )

    response = client_for(purchasing).get("/desk/routing/dispatches/")

    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html and theirs.number not in html


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"
