"""Scoring on creation: the breakdown is stored, the priority applied through tickets.services with
the score as the reason, an explicit priority respected, a ticket without signals left at P2."""

from datetime import date

import pytest
import time_machine

from gongdan.customers.constants import Tier
from gongdan.tickets.constants import EventType, TicketType
from gongdan.tickets.models import TicketEvent
from gongdan.triage.models import BusinessWindow, TicketTriage
from tests import factories

pytestmark = pytest.mark.django_db

NOV_11 = "2026-11-11 10:00:00+08:00"


@pytest.fixture
def pay_failed(db):
    top = factories.category("payment", "支付与账务")
    group = factories.category("pay", "支付问题", parent=top)
    return factories.category("pay-failed", "支付失败", parent=group)


@pytest.fixture
def promotion(db):
    return BusinessWindow.objects.create(
        name="双11大促",
        kind="promotion",
        starts_on=date(2026, 11, 10),
        ends_on=date(2026, 11, 12),
        points=10,
        category_overrides={"pay-failed": "P0"},
    )


def _priority_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, event_type=EventType.PRIORITY_CHANGED))


@time_machine.travel(NOV_11, tick=False)
def test_a_payment_failure_during_the_promotion_is_born_p0_and_its_score_is_stored(customer, pay_failed, promotion):
    # The request's cheap rules (given category, active window) already give P0: the ticket is
    # created with it; the worker's full score agrees, so no change is recorded.
    ticket = factories.ticket_for(customer, subject="付款失败", description="下单付款一直失败", category=pay_failed)
    ticket.refresh_from_db()
    triage = TicketTriage.objects.get(ticket=ticket)
    assert (ticket.priority.code, triage.score, triage.computed_priority, triage.ab_group) == ("P0", 45.0, "P0", "A")
    assert triage.breakdown["override"] == {"priority": "P0", "window": "双11大促", "category": "pay-failed"}
    assert triage.breakdown["rule_set_version"] == 1
    created = TicketEvent.objects.get(ticket=ticket, event_type=EventType.CREATED)
    assert created.new_value["priority"] == "P0"
    assert _priority_events(ticket) == []


@time_machine.travel(NOV_11, tick=False)
def test_the_full_score_changes_the_initial_priority_with_the_score_as_reason(customer, pay_failed, promotion):
    # Four earlier complaints (history, capped): the request does not count them, the worker's score does.
    for _ in range(4):
        factories.ticket_for(customer, subject="投诉", ticket_type=TicketType.COMPLAINT)
    ticket = factories.ticket_for(customer, subject="咨询发票", description="请问怎么开发票")
    ticket.refresh_from_db()
    created = TicketEvent.objects.get(ticket=ticket, event_type=EventType.CREATED)
    [event] = _priority_events(ticket)
    assert (created.new_value["priority"], ticket.priority.code) == ("P2", "P1")
    assert (event.actor_id, event.old_value, event.new_value) == (None, {"priority": "P2"}, {"priority": "P1"})
    assert event.body.startswith("Score ")


@time_machine.travel("2026-11-20 10:00:00+08:00", tick=False)
def test_the_same_ticket_after_the_promotion_stays_p2_without_an_event(customer, pay_failed, promotion):
    ticket = factories.ticket_for(customer, subject="付款失败", description="下单付款一直失败", category=pay_failed)
    ticket.refresh_from_db()
    assert (ticket.priority.code, ticket.triage.score, ticket.triage.breakdown["context"]["windows"]) == (
        "P2",
        35.0,
        [],
    )
    assert _priority_events(ticket) == []


@time_machine.travel("2026-11-20 10:00:00+08:00", tick=False)
def test_a_vip_customer_raises_a_payment_failure_to_p1(pay_failed):
    vip = factories.CustomerFactory(tier=Tier.VIP)
    ticket = factories.ticket_for(vip, subject="付款失败", description="扣款了但订单未支付", category=pay_failed)
    ticket.refresh_from_db()
    assert (ticket.priority.code, ticket.triage.score, ticket.triage.breakdown["tier"]["points"]) == ("P1", 63.0, 28.0)


def test_an_organization_tier_counts_for_its_staff(pay_failed):
    organization = factories.OrganizationFactory(tier=Tier.VIP)
    member = factories.CustomerFactory(organization=organization)
    ticket = factories.ticket_for(member, subject="付款失败", category=pay_failed)
    assert ticket.triage.breakdown["tier"] == {"tier": "vip", "coefficient": 1.8, "points": 28.0}


def test_an_explicit_priority_is_kept_and_the_breakdown_marked_as_such(customer, agent_actor):
    ticket = factories.ticket_for(
        customer, subject="收银系统宕机，所有门店无法收款", priority_code="P3", actor=agent_actor
    )
    ticket.refresh_from_db()
    assert (ticket.priority.code, ticket.triage.computed_priority, ticket.triage.explicit_priority) == (
        "P3",
        "P0",
        True,
    )
    assert _priority_events(ticket) == []


def test_a_ticket_without_signals_keeps_the_default_priority(ticket):
    ticket.refresh_from_db()
    assert (ticket.priority.code, ticket.triage.breakdown["decided_by"], ticket.triage.breakdown["signals"]) == (
        "P2",
        "no signals",
        False,
    )
    assert _priority_events(ticket) == []


def test_earlier_complaints_within_thirty_days_count_as_history(customer):
    with time_machine.travel("2026-10-01 09:00:00+08:00", tick=False):
        factories.ticket_for(customer, subject="old complaint", ticket_type=TicketType.COMPLAINT)
    with time_machine.travel("2026-11-01 09:00:00+08:00", tick=False):
        factories.ticket_for(customer, subject="complaint", ticket_type=TicketType.COMPLAINT)
        factories.ticket_for(customer, subject="another complaint", ticket_type=TicketType.COMPLAINT)
    with time_machine.travel("2026-11-20 09:00:00+08:00", tick=False):
        ticket = factories.ticket_for(customer, subject="Printer error", fault_code="E-77")
    ticket.refresh_from_db()
    assert ticket.triage.breakdown["history"] == {"complaints": 2, "days": 30, "points": 10.0}
    assert (ticket.triage.score, ticket.priority.code) == (40.0, "P2")
