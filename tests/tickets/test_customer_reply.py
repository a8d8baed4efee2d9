"""R1.3: a customer reply reopens a resolved ticket and brings a pending one back to open."""

import pytest

from gongdan.core.errors import IllegalTransition
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.constants import StatusKind as K
from gongdan.tickets.models import DeskPolicy
from tests.tickets.states import bring_to


def test_a_customer_reply_reopens_a_resolved_ticket(ticket, agent_actor, customer_actor):
    bring_to(K.RESOLVED, ticket, agent_actor)
    services.add_reply(actor=customer_actor, ticket=ticket, body="问题又出现了")
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.reopen_count, ticket.resolved_at) == (K.OPEN, 1, None)
    reopened = ticket.events.get(event_type=EventType.REOPENED)
    assert (reopened.actor_customer_id, reopened.old_value["kind"]) == (ticket.customer_id, K.RESOLVED)


def test_reopening_on_customer_reply_can_be_switched_off(ticket, agent_actor, customer_actor):
    policy = DeskPolicy.current()
    policy.reopen_on_customer_reply = False
    policy.save()
    bring_to(K.RESOLVED, ticket, agent_actor)
    services.add_reply(actor=customer_actor, ticket=ticket, body="谢谢")
    ticket.refresh_from_db()
    assert ticket.status.kind == K.RESOLVED


def test_a_customer_reply_ends_waiting_on_the_customer(ticket, agent_actor, customer_actor):
    bring_to(K.PENDING, ticket, agent_actor)
    services.add_reply(actor=customer_actor, ticket=ticket, body="型号是 HP M1136")
    ticket.refresh_from_db()
    assert ticket.status.kind == K.OPEN


def test_a_reply_on_a_closed_ticket_is_refused_with_a_pointer_to_a_new_request(ticket, agent_actor, customer_actor):
    bring_to(K.CLOSED, ticket, agent_actor)
    count = ticket.events.count()
    with pytest.raises(IllegalTransition) as refused:
        services.add_reply(actor=customer_actor, ticket=ticket, body="又坏了")
    assert "请提交新的请求" in refused.value.message_zh
    assert ticket.events.count() == count


def test_a_customer_cannot_reply_on_someone_elses_ticket(ticket, other_customer):
    from gongdan.core.context import Actor
    from gongdan.core.errors import NotFound

    intruder = Actor(user=other_customer.user, customer=other_customer, ip="198.51.100.7")
    with pytest.raises(NotFound):
        services.add_reply(actor=intruder, ticket=ticket, body="看看别人的工单")
    assert ticket.events.count() == 1
