from gongdan.sla import bulk
from gongdan.sla.models import SlaSignal
from gongdan.tickets.models import TicketEvent
from tests import factories
from tests.sla.conftest import at


def test_insert_stores_the_rows_in_order_with_the_other_columns_defaulted(customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    when = at(2026, 11, 18, 12, 30, 15)
    rows = [
        (ticket.pk, "sla_warning", "system", '首次响应已用 75% / it\'s "quoted"', {"stage": 75, "due": "x"}, when),
        (ticket.pk, "sla_breached", "system", "breached", None, when),
    ]

    pks = bulk.insert(TicketEvent, ["ticket", "event_type", "channel", "summary", "new_value", "created_at"], rows)

    stored = TicketEvent.objects.filter(pk__in=pks).order_by("pk")
    assert pks == sorted(pks)
    assert [
        (e.pk, e.event_type, e.summary, e.new_value, e.created_at, e.actor_id, e.ip, e.body, e.old_value, e.is_public)
        for e in stored
    ] == [
        (pks[0], "sla_warning", rows[0][3], {"stage": 75, "due": "x"}, when, None, None, "", None, False),
        (pks[1], "sla_breached", "breached", None, when, None, None, "", None, False),
    ]


def test_insert_defaults_a_json_list_column_and_fills_every_given_one(customer, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    when = at(2026, 11, 18, 12)

    (pk,) = bulk.insert(SlaSignal, ["ticket", "kind", "due_at", "fired_at"], [(ticket.pk, "breach", when, when)])

    signal = SlaSignal.objects.get(pk=pk)
    assert (signal.ticket_id, signal.kind, signal.target, signal.cycle, signal.stage, signal.recipients) == (
        ticket.pk,
        "breach",
        "",
        "",
        0,
        [],
    )
    assert bulk.insert(SlaSignal, ["ticket"], []) == []


def test_update_stores_each_rows_values_exactly(customer, travel):
    from datetime import timedelta

    from gongdan.sla.models import TicketSla

    travel(at(2026, 11, 18, 10))
    first, second = (factories.ticket_for(customer, priority_code="P2") for _ in range(2))
    states = list(TicketSla.objects.filter(ticket__in=[first, second]).order_by("ticket_id"))
    states[0].paused_total = timedelta(days=1, seconds=5, microseconds=7)
    states[0].paused_at = at(2026, 11, 18, 11, 0, 0, 123456)
    states[0].warning_stage = 75
    states[1].paused_total = timedelta(0)
    states[1].paused_at = None
    states[1].warning_stage = 0

    bulk.update(TicketSla, states, ["paused_total", "paused_at", "warning_stage"])

    stored = TicketSla.objects.filter(ticket__in=[first, second]).order_by("ticket_id")
    assert [(s.paused_total, s.paused_at, s.warning_stage) for s in stored] == [
        (timedelta(days=1, seconds=5, microseconds=7), at(2026, 11, 18, 11, 0, 0, 123456), 75),
        (timedelta(0), None, 0),
    ]
