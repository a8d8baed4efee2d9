"""Two sweepers at once over the same due tickets on PostgreSQL: every breach recorded exactly once."""

import threading

import pytest
import time_machine
from django.db import connection, transaction

from gongdan.sla import services as sla
from gongdan.sla.models import SlaSignal
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import TicketEvent
from tests import factories
from tests.sla.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TICKETS = 40


def _sweeper(barrier: threading.Barrier, handled: list, errors: list) -> None:
    try:
        barrier.wait(timeout=30)
        total = 0
        while (count := sla.sweep(limit=7)) > 0:
            total += count
        handled.append(total)
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connection.close()


def test_two_sweepers_at_once_record_every_breach_exactly_once(customer, desk):
    with time_machine.travel(at(2026, 11, 18, 3), tick=False):
        tickets = [factories.ticket_for(customer, priority_code="P0", team=desk["team"]) for _ in range(TICKETS)]
    with time_machine.travel(at(2026, 11, 18, 3, 20), tick=False):
        barrier, handled, errors = threading.Barrier(2), [], []
        threads = [threading.Thread(target=_sweeper, args=(barrier, handled, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    assert sum(handled) == TICKETS
    ids = [t.pk for t in tickets]
    breaches = SlaSignal.objects.filter(ticket__in=ids, kind="breach", target="first_response")
    assert sorted(breaches.values_list("ticket", flat=True)) == sorted(ids)
    events = TicketEvent.objects.filter(ticket__in=ids, event_type=EventType.SLA_BREACHED)
    assert sorted(events.values_list("ticket", flat=True)) == sorted(ids)
    first_steps = TicketEvent.objects.filter(ticket__in=ids, event_type=EventType.ESCALATED)
    assert sorted(first_steps.values_list("ticket", flat=True)) == sorted(ids)  # step 1 (+0 min) only
    assert TicketEvent.objects.filter(ticket__in=ids, event_type=EventType.SLA_WARNING).count() == 0


def test_a_doubled_tick_fires_nothing_twice(customer, desk):
    with time_machine.travel(at(2026, 11, 18, 3), tick=False):
        ticket = factories.ticket_for(customer, priority_code="P0", team=desk["team"])
    with time_machine.travel(at(2026, 11, 18, 3, 20), tick=False):
        assert sla.sweep() == 1
        assert sla.sweep() == 0
        with transaction.atomic():
            sla.refresh(type(ticket).objects.select_for_update().get(pk=ticket.pk))

    assert SlaSignal.objects.filter(ticket=ticket, kind="breach").count() == 1
