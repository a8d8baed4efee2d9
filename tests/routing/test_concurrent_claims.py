"""R6.4 on PostgreSQL: 50 agents press "next ticket" at once over 500 tickets; each is taken exactly once.
Two workers releasing the same held tickets assign each once."""

import threading
from collections import Counter

import pytest
from django.db import connection

from gongdan.accounts.constants import Availability, Role
from gongdan.accounts.models import User
from gongdan.core.context import Actor, Channel
from gongdan.routing import services
from gongdan.routing.constants import Strategy
from gongdan.routing.models import HeldTicket, RoutingPolicy
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket, TicketEvent
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CLAIMERS = 50
TICKETS = 500
PRIORITIES = ["P1", "P2", "P3", "P4", "P2"]


def _claimer(user, barrier: threading.Barrier, taken: list, errors: list) -> None:
    actor = Actor(user=user, ip="10.0.0.8", channel=Channel.WEB)
    try:
        barrier.wait(timeout=60)
        while (ticket := services.claim_next(actor=actor)) is not None:
            taken.append((ticket.pk, user.pk))
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connection.close()


def test_fifty_claimers_over_five_hundred_tickets_assign_each_exactly_once(customer):
    policy = RoutingPolicy.current()
    policy.default_strategy = Strategy.MANUAL  # every ticket waits to be pulled
    policy.save()
    agents = [factories.UserFactory(username=f"claimer{i:02d}", role=Role.AGENT) for i in range(CLAIMERS)]
    tickets = [
        factories.ticket_for(customer, priority_code="P0" if i < 3 else PRIORITIES[i % 5]) for i in range(TICKETS)
    ]
    barrier, taken, errors = threading.Barrier(CLAIMERS), [], []
    threads = [threading.Thread(target=_claimer, args=(user, barrier, taken, errors)) for user in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    ids = sorted(t.pk for t in tickets)
    claims = Counter(ticket_id for ticket_id, _ in taken)
    assert sorted(claims) == ids
    assert max(claims.values()) == 1
    assert Ticket.objects.filter(pk__in=ids, assignee__isnull=True).count() == 0
    events = Counter(TicketEvent.objects.filter(event_type=EventType.ASSIGNED).values_list("ticket_id", flat=True))
    assert sorted(events) == ids and set(events.values()) == {1}
    owners = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))
    assert all(owners[ticket_id] == user_id for ticket_id, user_id in taken)
    assert len({user_id for _, user_id in taken}) > 1


HELD = 60


def _ticker(barrier: threading.Barrier, released: list, errors: list) -> None:
    try:
        barrier.wait(timeout=60)
        while (count := services.release_held(limit=7)) > 0:
            released.append(count)
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connection.close()


def test_two_ticks_at_once_assign_each_held_ticket_exactly_once(customer, service_team):
    crew = [factories.UserFactory(username=f"held{i}", role=Role.AGENT) for i in range(3)]
    for user in crew:
        user.teams.add(service_team)
    tickets = [factories.ticket_for(customer, team=service_team) for _ in range(HELD)]  # nobody on shift: held
    User.objects.filter(pk__in=[u.pk for u in crew]).update(availability=Availability.ON_SHIFT)
    barrier, released, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=_ticker, args=(barrier, released, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert sum(released) == HELD
    ids = sorted(t.pk for t in tickets)
    assert Ticket.objects.filter(pk__in=ids, assignee__isnull=True).count() == 0
    events = Counter(TicketEvent.objects.filter(event_type=EventType.ASSIGNED).values_list("ticket_id", flat=True))
    assert sorted(events) == ids and set(events.values()) == {1}
    assert not HeldTicket.objects.exists()
