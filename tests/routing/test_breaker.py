"""The P0 circuit breaker (R6.2): on above the threshold, P3/P4 held, P0 first for everyone, off when it clears."""

import pytest
import time_machine

from gongdan.accounts.constants import Availability
from gongdan.core.errors import PermissionDenied
from gongdan.routing import services, tasks
from gongdan.routing.constants import HoldReason
from gongdan.routing.models import BreakerTransition, HeldTicket, RoutingPolicy
from gongdan.routing.selectors import breaker_state, waiting_p0_count
from gongdan.tickets import services as tickets
from tests import factories
from tests.routing.conftest import desk_actor, needs, staff

T0 = "2026-11-23 02:00:00+00:00"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def backlog(customer, service_team, clock):
    """Four P0s nobody on shift may take (they need a skill no one has), and a P3."""
    outage = factories.category("outage", "宕机")
    needs(outage, "core-network", 5)
    p0s = []
    for _minute in range(4):
        clock.shift(60)
        p0s.append(factories.ticket_for(customer, category=outage, priority_code="P0"))
    return p0s


def transitions():
    return list(BreakerTransition.objects.order_by("at", "id").values_list("opened", "waiting", "threshold"))


def test_the_breaker_opens_when_the_fourth_p0_waits(customer, backlog):
    state = breaker_state()
    assert (state.is_open, state.waiting) == (True, 4)
    assert transitions() == [(True, 4, 3)]


def test_three_waiting_p0s_do_not_open_it(customer, clock):
    for _ in range(3):
        factories.ticket_for(customer, priority_code="P0")

    assert (breaker_state().is_open, waiting_p0_count()) == (False, 3)
    assert transitions() == []


def test_while_open_p3_and_p4_are_held_but_p2_is_assigned(customer, backlog, service_team):
    staff("anna", "Anna", service_team)
    low = factories.ticket_for(customer, priority_code="P3")
    normal = factories.ticket_for(customer, priority_code="P2")

    low.refresh_from_db()
    normal.refresh_from_db()
    assert low.assignee is None
    assert HeldTicket.objects.get(ticket=low).reason == HoldReason.BREAKER
    assert str(normal.assignee) == "Anna"


def test_while_open_next_ticket_is_p0_work_even_outside_ones_skills(customer, backlog, service_team):
    anna = staff("anna", "Anna", service_team, availability=Availability.OFF)
    p1 = factories.ticket_for(customer, priority_code="P1", team=service_team)  # hers to take, but not first

    claimed = services.claim_next(actor=desk_actor(anna))

    assert (claimed.number, claimed.priority.code, claimed.assignee) == (backlog[0].number, "P0", anna)
    p1.refresh_from_db()
    assert p1.assignee is None


def test_when_the_backlog_clears_the_breaker_closes_and_held_tickets_are_assigned(
    customer, backlog, service_team, clock
):
    anna = staff("anna", "Anna", service_team, availability=Availability.OFF)
    low = factories.ticket_for(customer, priority_code="P4")
    claimed = services.claim_next(actor=desk_actor(anna))
    clock.shift(120)
    tickets.add_reply(actor=desk_actor(anna), ticket=claimed, body="已定位到核心交换机故障，正在切换备用链路。")
    anna.availability = Availability.ON_SHIFT
    anna.save()

    assert tasks.routing_tick.call_local() == 1

    low.refresh_from_db()
    assert str(low.assignee) == "Anna"
    assert (breaker_state().is_open, breaker_state().waiting) == (False, 3)
    assert transitions() == [(True, 4, 3), (False, 3, 3)]
    assert not HeldTicket.objects.filter(ticket=low).exists()


def test_the_threshold_is_configurable(customer, clock):
    policy = RoutingPolicy.current()
    policy.breaker_threshold = 1
    policy.save()
    factories.ticket_for(customer, priority_code="P0")
    assert breaker_state().is_open is False
    factories.ticket_for(customer, priority_code="P0")
    assert transitions() == [(True, 2, 1)]


def test_a_doubled_tick_switches_nothing_twice(customer, backlog):
    tasks.routing_tick.call_local()
    tasks.routing_tick.call_local()
    assert transitions() == [(True, 4, 3)]


def test_a_customer_cannot_pull_tickets(customer_actor, backlog):
    with pytest.raises(PermissionDenied):
        services.claim_next(actor=customer_actor)
    assert all(t.assignee_id is None for t in type(backlog[0]).objects.filter(priority__code="P0"))
