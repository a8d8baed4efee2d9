"""The lead's board and the SLA badges with their countdowns."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongdan.sla import services as sla
from gongdan.tickets import services
from tests import factories
from tests.sla.conftest import at


def _desk_with_trouble(customer, lead_actor, desk, travel):
    travel(at(2026, 11, 16, 9))
    stagnant = factories.ticket_for(customer, subject="打印机卡纸", priority_code="P3", team=desk["team"])
    services.assign(actor=lead_actor, ticket=stagnant, assignee=desk["agent"])
    services.add_reply(actor=lead_actor, ticket=stagnant, body="请先关机清理进纸口。")
    travel(at(2026, 11, 19, 10))
    breached = factories.ticket_for(customer, subject="验证码收不到", priority_code="P2", team=desk["team"])
    at_risk = factories.ticket_for(customer, subject="页面白屏", priority_code="P2", team=desk["team"])
    travel(at(2026, 11, 19, 10, 45))
    silent_p0 = factories.ticket_for(customer, subject="产线停机", priority_code="P0", team=desk["team"])
    travel(at(2026, 11, 19, 12, 10))
    services.add_note(actor=lead_actor, ticket=at_risk, body="已联系前端", summary="联系前端排查")
    travel(at(2026, 11, 19, 12, 10))
    sla.sweep()
    return {"stagnant": stagnant, "breached": breached, "at_risk": at_risk, "p0": silent_p0}


def _lane(html: str, key: str) -> set[str]:
    section = re.search(rf'id="lane-{key}".*?</section>', html, re.S).group(0)
    return set(re.findall(r"GD-\d{6}", section))


def test_the_lead_sees_breaches_warnings_stagnation_and_silent_p0s(client, customer, lead, lead_actor, desk, travel):
    tickets = _desk_with_trouble(customer, lead_actor, desk, travel)
    client.force_login(lead)
    html = client.get("/desk/board/").content.decode()

    assert _lane(html, "p0") == {tickets["p0"].number}
    assert tickets["breached"].number in _lane(html, "breached")
    assert _lane(html, "yellow") == {tickets["stagnant"].number}
    assert f'data-due="{tickets["breached"].first_response_due_at.isoformat()}"' in html
    assert 'data-stagnation="yellow"' in html


def test_the_old_sla_board_address_leads_to_the_leads_board(client, lead):
    client.force_login(lead)
    assert client.get("/sla/board/").url == "/desk/board/"


def test_the_board_costs_the_same_few_queries_however_many_tickets_are_on_it(
    client, customer, lead, lead_actor, desk, travel
):
    _desk_with_trouble(customer, lead_actor, desk, travel)
    client.force_login(lead)
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/board/")
    for _ in range(5):
        factories.ticket_for(customer, priority_code="P2", team=desk["team"])
    travel(at(2026, 11, 19, 15))
    sla.sweep()
    with CaptureQueriesContext(connection) as more:
        client.get("/desk/board/")

    assert len(more) == len(few)


def test_agents_and_customers_do_not_get_the_board(client, agent, customer):
    client.force_login(agent)
    assert client.get("/desk/board/").status_code == 404
    client.force_login(customer.user)
    assert client.get("/desk/board/").status_code == 404


def test_the_admin_queue_shows_the_sla_badge_with_a_countdown(client, admin_user, customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    client.force_login(admin_user)
    html = client.get("/admin/tickets/ticket/").content.decode()

    assert f'data-sla-due="{ticket.first_response_due_at.isoformat()}"' in html
    assert "sla/countdown.js" in html
