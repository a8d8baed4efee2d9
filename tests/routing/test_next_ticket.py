"""Pull mode: "next ticket" gives the most urgent unassigned ticket the agent is qualified for."""

import time_machine

from gongdan.accounts.constants import Availability
from gongdan.customers.constants import Tier
from gongdan.routing import services
from gongdan.routing.constants import DecisionKind
from gongdan.routing.models import RoutingDecision
from gongdan.tickets.constants import EventType
from tests import factories
from tests.routing.conftest import desk_actor, staff


def test_next_ticket_takes_priority_first_then_age_and_skips_what_the_agent_cannot_do(
    customer, network, service_team, purchasing_team
):
    anna = staff("anna", "Anna", service_team, skills={"network": 2}, availability=Availability.OFF)
    vip = factories.customer_with_login("vip_wu", tier=Tier.VIP)
    with time_machine.travel("2026-11-23 02:00:00+00:00", tick=False) as clock:
        older_p2 = factories.ticket_for(customer, priority_code="P2")
        clock.shift(60)
        factories.ticket_for(customer, category=network, priority_code="P0")  # needs network ≥ 3
        factories.ticket_for(vip, priority_code="P0")  # VIP: seniority 3 or more
        factories.ticket_for(customer, priority_code="P0", team=purchasing_team)  # not her team
        p1 = factories.ticket_for(customer, priority_code="P1", team=service_team)
        clock.shift(60)
        newer_p2 = factories.ticket_for(customer, priority_code="P2")

        taken = [services.claim_next(actor=desk_actor(anna)) for _ in range(4)]

    assert [t.number if t else None for t in taken] == [p1.number, older_p2.number, newer_p2.number, None]
    event = p1.events.get(event_type=EventType.ASSIGNED)
    assert (event.actor, event.body) == (
        anna,
        "next ticket: most urgent ticket you are qualified for (P1, due 2026-11-23T02:31+00:00)",
    )
    decision = RoutingDecision.objects.get(ticket=p1, kind=DecisionKind.PULLED)
    assert decision.chosen == anna


def test_a_senior_skilled_agent_gets_the_p0s(customer, network, service_team):
    bo = staff("bo", "Bo", service_team, seniority=4, skills={"network": 5}, availability=Availability.OFF)
    vip = factories.customer_with_login("vip_wu", tier=Tier.VIP)
    network_p0 = factories.ticket_for(customer, category=network, priority_code="P0")
    vip_p0 = factories.ticket_for(vip, priority_code="P0")

    first = services.claim_next(actor=desk_actor(bo))
    second = services.claim_next(actor=desk_actor(bo))

    assert {first.number, second.number} == {network_p0.number, vip_p0.number}
