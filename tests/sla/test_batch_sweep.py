"""The sweep handles its due tickets as one batch: a bounded number of queries whatever their number,
and exactly what refreshing each ticket on its own writes (signals, timeline, notices, deadlines)."""

import pytest
from django.db import transaction

from gongdan.automation.models import OutboxMessage
from gongdan.core import configcache
from gongdan.sla import engine
from gongdan.sla import services as sla
from gongdan.sla.models import BusinessCalendar, SlaPolicy, SlaSignal, TicketSla
from gongdan.tickets import services
from gongdan.tickets.models import Ticket
from tests import factories
from tests.sla.conftest import at

STATE_FIELDS = [f.attname for f in TicketSla._meta.concrete_fields if f.attname != "ticket_id"]
TICKET_FIELDS = [
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_status",
    "stagnation_level",
    "sla_next_check_at",
    "updated_at",
]


def _desk_tickets(customer, lead_actor, desk, travel) -> list[Ticket]:
    """A P0 of the team, a P2 assigned to the agent, and an unassigned P2 with an internal note."""
    travel(at(2026, 11, 18, 10))
    p0 = factories.ticket_for(customer, subject="产线停机", priority_code="P0", team=desk["team"])
    assigned = factories.ticket_for(customer, subject="无法登录", priority_code="P2")
    services.assign(actor=lead_actor, ticket=assigned, assignee=desk["agent"], team=desk["team"])
    noted = factories.ticket_for(customer, subject="发票抬头", priority_code="P2", team=desk["team"])
    travel(at(2026, 11, 18, 11))
    services.add_note(actor=lead_actor, ticket=noted, body="客户是老用户", summary="优先处理老客户")
    return [p0, assigned, noted]


def _written(tickets: list[Ticket]) -> dict:
    """Everything the engine wrote for these tickets, with the ticket told apart by its place only."""
    place = {ticket.pk: index for index, ticket in enumerate(tickets)}
    numbers = [(ticket.number, f"#{index}") for index, ticket in enumerate(tickets)]

    def anonymous(text: str) -> str:
        for number, label in numbers:
            text = text.replace(number, label)
        return text

    signals = SlaSignal.objects.filter(ticket__in=tickets).order_by("ticket_id", "id")
    rows, states = Ticket.objects.filter(pk__in=place), TicketSla.objects.filter(ticket__in=tickets)
    messages = OutboxMessage.objects.filter(ticket__in=tickets).order_by("ticket_id", "id")
    events = [
        (place[e.ticket_id], e.event_type, e.summary, e.new_value, e.created_at, e.is_public, e.channel)
        for ticket in tickets
        for e in ticket.events.filter(actor=None).order_by("id")
    ]
    return {
        "signals": [
            (place[s.ticket_id], s.kind, s.target, s.cycle, s.stage, s.due_at, s.fired_at, s.recipients)
            for s in signals
        ],
        "events": events,
        "outbox": [
            (place[m.ticket_id], m.kind, m.recipient, anonymous(m.subject), anonymous(m.body), m.next_attempt_at)
            for m in messages
        ],
        "tickets": [tuple(getattr(t, name) for name in TICKET_FIELDS) for t in rows.order_by("pk")],
        "states": [tuple(getattr(s, name) for name in STATE_FIELDS) for s in states.order_by("ticket_id")],
    }


def _sorted_by_place(tickets: list[Ticket]) -> list[Ticket]:
    return sorted(tickets, key=lambda ticket: ticket.pk)


@pytest.mark.django_db(transaction=False)
def test_the_sweep_writes_exactly_what_refreshing_each_ticket_alone_writes(customer, lead_actor, desk, travel):
    alone = _desk_tickets(customer, lead_actor, desk, travel)
    batched = _desk_tickets(customer, lead_actor, desk, travel)
    travel(at(2026, 11, 18, 12, 31))
    for ticket in alone:
        with transaction.atomic():
            sla.refresh(Ticket.objects.select_for_update().select_related("status", "priority").get(pk=ticket.pk))

    assert sla.sweep() == 3  # the refreshed ones are not due any more

    expected, got = _written(_sorted_by_place(alone)), _written(_sorted_by_place(batched))
    assert got == expected
    kinds = [(kind, target, stage) for _place, kind, target, _cycle, stage, *_rest in got["signals"]]
    # Seen late, each ladder takes its first step now and climbs from here (issue 17, defect 9).
    assert kinds == [
        ("p0_alert", "", 0),
        ("p0_breaker", "", 0),
        ("breach", "first_response", 0),
        ("escalation", "first_response", 1),
        ("breach", "first_response", 0),  # the assigned P2 (its warning's moment passed unswept) …
        ("escalation", "first_response", 1),
        ("breach", "first_response", 0),  # … and the unassigned one, whose step 1 goes to the lead
        ("escalation", "first_response", 1),
    ]
    assert [(place, recipient) for place, _kind, recipient, *_rest in got["outbox"]] == [
        (0, desk["lead"].email),  # the P0 alert, at creation
        (0, desk["duty"].email),
        (0, desk["duty"].email),  # the P0 breaker
        (0, desk["lead"].email),  # step 1 (no assignee: the lead)
        (1, desk["agent"].email),
        (2, desk["lead"].email),
    ]
    assert "note · 赵组长 [内部 internal] · 优先处理老客户" in got["outbox"][-1][4]


def _due_p0_tickets(customer, desk, travel, count: int) -> list[Ticket]:
    travel(at(2026, 11, 18, 3))
    tickets = [factories.ticket_for(customer, priority_code="P0", team=desk["team"]) for _ in range(count)]
    travel(at(2026, 11, 18, 3, 20))
    return tickets


@pytest.mark.parametrize("count", [2, 12])
def test_a_sweep_takes_the_same_few_queries_for_two_or_twelve_due_tickets(
    customer, desk, travel, count, django_assert_max_num_queries
):
    tickets = _due_p0_tickets(customer, desk, travel, count)
    configcache.clear()  # the configuration is read within the count as well

    with django_assert_max_num_queries(40):
        assert sla.sweep() == count

    breaches = SlaSignal.objects.filter(ticket__in=tickets, kind="breach")
    assert sorted(breaches.values_list("ticket", flat=True)) == sorted(t.pk for t in tickets)
    to_lead = OutboxMessage.objects.filter(ticket__in=tickets, recipient=desk["lead"].email, subject__contains="升级")
    assert to_lead.count() == count
    assert all("—— 工单历史 / ticket history ——" in message.body for message in to_lead)


def test_a_sweep_with_a_warm_configuration_takes_a_dozen_queries(customer, desk, travel, django_assert_num_queries):
    _due_p0_tickets(customer, desk, travel, 5)
    with configcache.scope():
        sla.sweep(limit=1)  # warms the configuration snapshot

    # claim, configuration token, states, fired keys, signals, history, events, preferences, outbox,
    # thread-header identities, states, tickets: 12, and the savepoints of the sweep and both inserts
    with django_assert_num_queries(18):
        assert sla.sweep() == 4


def test_a_refresh_in_a_request_reads_the_configuration_from_the_cache(customer, travel, django_assert_num_queries):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 10, 5))
    ticket = Ticket.objects.select_related("status", "priority", "customer").get(pk=ticket.pk)
    sla.refresh(ticket)  # an earlier change read the configuration (the test database only had defaults)

    with configcache.scope():
        configcache.current_token()  # what the request's middleware reads once
        with django_assert_num_queries(2):  # the state, then the ticket's deadlines: nothing fires or changes
            sla.refresh(ticket)


def test_a_ticket_whose_calendar_has_no_working_time_is_left_unchecked_and_the_batch_goes_on(customer, travel):
    travel(at(2026, 11, 18, 10))
    dead_end = factories.category("dead-end", "无工作时间")
    stuck = factories.ticket_for(customer, priority_code="P2", category=dead_end)
    fine = factories.ticket_for(customer, priority_code="P2")
    nowhere = BusinessCalendar.objects.create(code="nowhere", name_zh="无", name_en="nowhere")
    policy = SlaPolicy.objects.create(
        name_zh="死角", name_en="dead end", order=0, first_response_minutes=60, calendar=nowhere
    )
    policy.categories.add(dead_end)
    travel(at(2026, 11, 18, 11, 30))

    assert sla.sweep() == 1

    stuck.refresh_from_db()
    fine.refresh_from_db()
    assert stuck.sla_next_check_at is None
    assert fine.sla_status == "at_risk"
    assert SlaSignal.objects.filter(ticket=fine, kind="warning", stage=75).exists()


def test_a_signal_another_transaction_fired_meanwhile_is_not_announced_again(customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    now = at(2026, 11, 18, 12)
    theirs = SlaSignal.objects.create(
        ticket=ticket, kind="breach", target="first_response", cycle="1", due_at=now, fired_at=now
    )
    twin = (ticket.pk, "breach", "first_response", "1", 0, now, now, [])
    fresh = (ticket.pk, "warning", "first_response", "1", 75, now, now, ["agent"])

    won = engine._claim([twin, fresh])

    assert won[0] is None
    assert list(SlaSignal.objects.filter(ticket=ticket).order_by("pk").values_list("pk", "stage", "recipients")) == [
        (theirs.pk, 0, []),
        (won[1], 75, ["agent"]),
    ]
