"""Stagnation (R3.5) and the P0 silent-timeout breaker (R3.6), each stage firing once."""

import datetime as dt

from gongdan.automation.models import OutboxMessage
from gongdan.sla import services as sla
from gongdan.sla.models import SlaSignal, StagnationRule
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket
from tests import factories
from tests.sla.conftest import at

H = dt.timedelta(hours=1)


def _in_progress(customer, agent_actor, desk, travel, **fields):
    travel(at(2026, 11, 2, 9))
    ticket = factories.ticket_for(customer, priority_code="P3", **fields)
    services.assign(actor=agent_actor, ticket=ticket, assignee=desk["agent"], team=desk["team"])
    services.add_reply(actor=agent_actor, ticket=ticket, body="已收到您的问题，我们正在检查日志。")
    return ticket


def _sweep_at(moment, travel):
    travel(moment)
    sla.sweep()


def test_an_open_ticket_without_effective_action_goes_yellow_at_72_h_then_red_at_120_h(
    customer, agent_actor, desk, travel
):
    ticket = _in_progress(customer, agent_actor, desk, travel)
    start = at(2026, 11, 2, 9)
    for hours in (71, 72, 73, 119, 120, 121):
        _sweep_at(start + hours * H, travel)
        ticket.refresh_from_db()
        if hours in (72, 119):
            assert ticket.stagnation_level == "yellow"
    assert ticket.stagnation_level == "red"

    stages = SlaSignal.objects.filter(ticket=ticket, kind__startswith="stagnation").order_by("due_at")
    assert [(s.kind, s.due_at, s.recipients) for s in stages] == [
        ("stagnation_yellow", start + 72 * H, []),
        ("stagnation_red", start + 120 * H, ["agent_li", "director_sun"]),
    ]
    assert ticket.events.filter(event_type=EventType.STAGNANT).count() == 2
    assert OutboxMessage.objects.filter(ticket=ticket, subject__contains="停滞（红）").count() == 2


def test_an_effective_action_clears_stagnation_and_restarts_its_clock(customer, agent_actor, desk, travel):
    ticket = _in_progress(customer, agent_actor, desk, travel)
    _sweep_at(at(2026, 11, 5, 10), travel)
    services.add_note(actor=agent_actor, ticket=ticket, body="联系了短信网关，等待回复", summary="已联系网关")
    ticket.refresh_from_db()

    assert ticket.stagnation_level == ""
    assert ticket.sla_next_check_at <= at(2026, 11, 8, 10)  # yellow again 72 h after the note at the latest


def test_thresholds_can_be_set_per_category_and_priority(customer, agent_actor, desk, travel):
    printers = factories.category("printer-jam", "打印机卡纸")
    StagnationRule.objects.create(category=printers, yellow_hours=4, red_hours=8)
    ticket = _in_progress(customer, agent_actor, desk, travel, category=printers)
    _sweep_at(at(2026, 11, 2, 13), travel)
    ticket.refresh_from_db()

    assert ticket.stagnation_level == "yellow"


def test_a_p0_alert_goes_out_in_the_creating_transaction(customer, desk, travel):
    travel(at(2026, 11, 18, 3))
    ticket = factories.ticket_for(customer, priority_code="P0", team=desk["team"])

    alert = SlaSignal.objects.get(ticket=ticket, kind="p0_alert")
    assert alert.recipients == ["duty_gao", "lead_zhao"]
    messages = OutboxMessage.objects.filter(ticket=ticket).order_by("recipient")
    assert [m.recipient for m in messages] == [desk["duty"].email, desk["lead"].email]
    assert {m.subject for m in messages} == {
        f"[紧急 URGENT] [{ticket.number}] 新 P0 工单 / new P0 ticket: {ticket.subject}"
    }


def test_a_silent_p0_goes_to_the_duty_manager_after_60_minutes_once(customer, desk, travel):
    travel(at(2026, 11, 18, 3))
    ticket = factories.ticket_for(customer, priority_code="P0", team=desk["team"])
    for minute in (30, 59, 60, 61):
        _sweep_at(at(2026, 11, 18, 3) + dt.timedelta(minutes=minute), travel)

    breaker = SlaSignal.objects.get(ticket=ticket, kind="p0_breaker")
    assert (breaker.due_at, breaker.recipients) == (at(2026, 11, 18, 4), ["duty_gao"])
    assert ticket.events.filter(event_type=EventType.P0_BREAKER).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).sla.p0_breaker_at == at(2026, 11, 18, 4)


def test_a_p0_with_an_effective_action_in_time_does_not_trip_the_breaker(customer, agent_actor, desk, travel):
    travel(at(2026, 11, 18, 3))
    ticket = factories.ticket_for(customer, priority_code="P0", team=desk["team"])
    travel(at(2026, 11, 18, 3, 20))
    services.add_note(actor=agent_actor, ticket=ticket, body="已拉起产线抢修群", summary="拉起抢修群")
    _sweep_at(at(2026, 11, 18, 5), travel)

    assert not SlaSignal.objects.filter(ticket=ticket, kind="p0_breaker").exists()
