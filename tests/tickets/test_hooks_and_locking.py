"""The ticket core announces what happened through registered hooks; the write path locks only the
ticket row, re-reads a changed ticket and follows a merge for replies (issue 15 items 2 and 5)."""

import pytest

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import IllegalTransition, InvalidInput, not_found
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.tickets import services
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import Ticket, TicketEvent
from gongdan.tickets.services import hooks
from gongdan.triage.models.merging import MergeProvenance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    """A status and a reply hook registered for one test and removed after it."""
    seen: list[tuple] = []

    def on_status(ticket, actor, old, event):
        seen.append(("status", ticket.number, old.kind, ticket.status.kind, event.event_type))

    def on_reply(ticket, actor, event):
        seen.append(("reply", ticket.number, event.body))

    hooks.register_status_hook(on_status)
    hooks.register_reply_hook(on_reply)
    hooks.register_status_hook(on_status)  # twice: still once
    yield seen
    hooks._status._hooks[:] = [entry for entry in hooks._status._hooks if entry[1] is not on_status]
    hooks._reply._hooks[:] = [entry for entry in hooks._reply._hooks if entry[1] is not on_reply]


def test_status_changes_and_replies_are_announced_to_registered_hooks(calls, ticket, agent_actor):
    services.add_reply(actor=agent_actor, ticket=ticket, body="请重启后再试。")
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    assert calls == [
        ("status", ticket.number, StatusKind.NEW, StatusKind.OPEN, EventType.STATUS_CHANGED),
        ("reply", ticket.number, "请重启后再试。"),
        ("status", ticket.number, StatusKind.OPEN, StatusKind.RESOLVED, EventType.STATUS_CHANGED),
    ]


def test_each_app_reacts_through_its_own_hook(ticket, agent_actor, customer):
    """Feedback (resolution → confirmation), automation (desk reply → mail), triage (merge →
    provenance, un-merge → undone) and the SLA engine (every event) are registered in their apps."""
    services.add_reply(actor=agent_actor, ticket=ticket, body="已处理。")
    assert ticket.outbox_messages.filter(subject=f"[{ticket.number}] {ticket.subject}").count() == 1
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    assert ResolutionConfirmation.objects.filter(ticket=ticket, superseded=False).count() == 1
    other = factories.ticket_for(customer)
    services.merge(actor=agent_actor, source=other, target=ticket, reason="同一问题")
    provenance = MergeProvenance.objects.get(original=other)
    assert (provenance.master_id, provenance.undone_at) == (ticket.pk, None)
    services.unmerge(actor=agent_actor, ticket=other, reason="不是同一问题")
    provenance.refresh_from_db()
    assert provenance.undo_reason == "不是同一问题"
    names = {name for name, _ in hooks._recorded._hooks}
    assert "gongdan.sla.services.on_event_recorded" in names


def test_every_recorded_event_bumps_the_version_by_one(ticket, agent_actor):
    before = Ticket.objects.get(pk=ticket.pk).version
    services.add_note(actor=agent_actor, ticket=ticket, body="内部备注")
    services.set_priority(actor=agent_actor, ticket=ticket, code="P1")
    assert Ticket.objects.get(pk=ticket.pk).version == before + 2


def test_a_stale_ticket_object_is_re_read_under_the_lock(ticket, agent_actor, other_agent):
    stale = Ticket.objects.get(pk=ticket.pk)
    services.change_status(actor=agent_actor, ticket=ticket, status="pending")
    locked = services.lock_ticket(stale)
    assert locked.status.kind == StatusKind.PENDING  # not the status the stale copy had
    assert locked.version == Ticket.objects.get(pk=ticket.pk).version
    with pytest.raises(type(not_found("ticket"))):
        services.lock_ticket(10**9)


def test_pairs_come_back_in_the_order_asked(customer):
    first, second = factories.ticket_for(customer), factories.ticket_for(customer)
    assert [t.pk for t in services.lock_tickets(second, first)] == [second.pk, first.pk]


def test_a_reply_to_a_merged_ticket_is_stored_on_its_master(customer, agent_actor, customer_actor):
    original, master = factories.ticket_for(customer), factories.ticket_for(customer)
    services.merge(actor=agent_actor, source=original, target=master)
    event = services.add_reply(actor=customer_actor, ticket=original, body="还是登录不了")
    assert event.ticket_id == master.pk
    assert not TicketEvent.objects.filter(ticket=original, event_type=EventType.REPLY).exists()


def test_a_reply_whose_master_the_replier_cannot_see_is_refused(customer, other_customer, agent_actor):
    original, master = factories.ticket_for(customer), factories.ticket_for(other_customer)
    services.merge(actor=agent_actor, source=original, target=master)
    actor = Actor(user=customer.user, customer=customer, channel=Channel.PORTAL)
    with pytest.raises(IllegalTransition, match="merged into another one"):
        services.add_reply(actor=actor, ticket=original, body="还是登录不了")
    assert not TicketEvent.objects.filter(event_type=EventType.REPLY).exists()


def test_merging_back_is_refused_as_a_cycle(customer, agent_actor):
    a, b = factories.ticket_for(customer), factories.ticket_for(customer)
    services.merge(actor=agent_actor, source=a, target=b)
    with pytest.raises(InvalidInput) as refused:
        services.merge(actor=agent_actor, source=b, target=a)
    assert refused.value.fields == {"target": "cycle"}
    assert Ticket.objects.get(pk=b.pk).merged_into_id is None
