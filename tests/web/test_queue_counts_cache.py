"""The queue counts are kept for at most 5 seconds per user (issue 15): after random operations on
the desk, once that time has passed, they are identical to a recount and to counting each queue on
its own; within it, the kept counts are shown (the documented staleness)."""

import random
from datetime import timedelta

import pytest
import time_machine

from gongdan.core import clock
from gongdan.core.errors import DomainError
from gongdan.tickets import access, services
from gongdan.tickets.models import Ticket
from gongdan.web import queues
from tests import factories

pytestmark = pytest.mark.django_db
START = "2026-11-03 10:00:00+08:00"
STATUSES = ["open", "pending", "resolved", "closed"]


def _one_by_one(user) -> dict[str, int]:
    visible = access.visible_tickets(user)
    return {queue.key: visible.filter(queues.queue_filter(queue.key, user)).count() for queue in queues.QUEUES}


def _random_operation(rng, actors, customers, people) -> None:
    tickets = list(Ticket.objects.order_by("pk"))
    choice = rng.random()
    try:
        if choice < 0.3 or not tickets:
            factories.ticket_for(rng.choice(customers), priority_code=rng.choice(["P0", "P1", "P2", "P3", None]))
            return
        ticket, actor = rng.choice(tickets), rng.choice(actors)
        if choice < 0.5:
            services.assign(actor=actor, ticket=ticket, assignee=rng.choice([*people, None]))
        elif choice < 0.8:
            services.change_status(actor=actor, ticket=ticket, status=rng.choice(STATUSES), summary="已处理 done")
        else:
            services.set_priority(actor=actor, ticket=ticket, code=rng.choice(["P0", "P1", "P2", "P4"]), reason="r")
    except DomainError:
        pass  # a transition the lifecycle refuses changes nothing


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_operations_the_kept_counts_equal_a_recount(
    seed, agent, other_agent, lead, customer, other_customer, agent_actor, lead_actor, service_team
):
    rng = random.Random(seed)
    users = [agent, other_agent, lead]
    with time_machine.travel(START, tick=False) as traveller:
        for _round in range(6):
            for _ in range(8):
                _random_operation(rng, [agent_actor, lead_actor], [customer, other_customer], [agent, other_agent])
            for user in users:
                queues.counts(user)  # kept now, possibly stale below until the shift
            traveller.shift(timedelta(seconds=5))  # the kept counts are now too old
            for user in users:
                recount = queues.recount(user)
                assert queues.counts(user) == recount == _one_by_one(user)
                assert set(recount) == {queue.key for queue in queues.QUEUES}
            traveller.shift(timedelta(seconds=1))


def test_within_five_seconds_the_kept_counts_are_shown(agent, customer, agent_actor):
    with time_machine.travel(START, tick=False) as traveller:
        before = queues.counts(agent)
        ticket = factories.ticket_for(customer)
        services.assign(actor=agent_actor, ticket=ticket, assignee=agent)
        traveller.shift(timedelta(seconds=4.9))
        assert queues.counts(agent) == before
        assert queues.recount(agent)["mine"] == before["mine"] + 1
        traveller.shift(timedelta(seconds=0.1))
        assert queues.counts(agent)["mine"] == before["mine"] + 1
        assert clock.now().second == 5
