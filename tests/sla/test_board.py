"""Selectors for the lead's board, and the `{% sla_badge %}` tag with its countdown data."""

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from gongdan.core import clock
from gongdan.sla import selectors
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
    at_risk = factories.ticket_for(customer, subject="页面白屏", priority_code="P3", team=desk["team"])
    travel(at(2026, 11, 19, 10, 45))
    silent_p0 = factories.ticket_for(customer, subject="产线停机", priority_code="P0", team=desk["team"])
    travel(at(2026, 11, 19, 13, 10))
    sla.sweep()
    return {"stagnant": stagnant, "breached": breached, "at_risk": at_risk, "p0": silent_p0}


def _numbers(tickets) -> set[str]:
    return {t.number for t in tickets}


def test_the_board_selectors_list_breaches_warnings_stagnation_and_silent_p0s(customer, lead, lead_actor, desk, travel):
    tickets = _desk_with_trouble(customer, lead_actor, desk, travel)
    alarms = selectors.warnings_and_breaches(lead, clock.now())
    stagnant = selectors.stagnant_tickets(lead, clock.now())

    assert _numbers(alarms.p0_breaker) == {tickets["p0"].number}
    assert _numbers(alarms.breached) == {tickets["breached"].number, tickets["p0"].number}
    assert _numbers(alarms.at_risk) == {tickets["at_risk"].number}
    assert _numbers(stagnant.stagnant_yellow) == {tickets["stagnant"].number}
    by_number = {t.number: t for t in alarms.breached}
    assert by_number[tickets["breached"].number].next_due == tickets["breached"].first_response_due_at


def test_the_board_selectors_cost_the_same_queries_however_many_tickets(customer, lead, lead_actor, desk, travel):
    _desk_with_trouble(customer, lead_actor, desk, travel)
    with CaptureQueriesContext(connection) as few:
        selectors.warnings_and_breaches(lead, clock.now())
    for _ in range(5):
        factories.ticket_for(customer, priority_code="P2", team=desk["team"])
    travel(at(2026, 11, 19, 16))
    sla.sweep()
    with CaptureQueriesContext(connection) as more:
        board = selectors.warnings_and_breaches(lead, clock.now())

    assert len(board.breached) >= 6
    assert len(more) == len(few)


def test_the_badge_shows_the_stage_colour_and_a_countdown_to_the_nearest_deadline(customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    html = Template("{% load sla_tags %}{% sla_badge ticket %}").render(Context({"ticket": ticket}))

    assert 'class="sla-badge badge text-bg-success"' in html
    assert f'data-sla-due="{ticket.first_response_due_at.isoformat()}"' in html
    assert "<script" not in html


def test_the_admin_queue_shows_the_sla_badge_with_a_countdown(client, admin_user, customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    client.force_login(admin_user)
    html = client.get("/admin/tickets/ticket/").content.decode()

    assert f'data-sla-due="{ticket.first_response_due_at.isoformat()}"' in html
    assert "sla/countdown.js" in html
