"""Every transition through the service: allowed ones happen and are recorded, refused ones change nothing."""

import pytest

from gongdan.core.errors import IllegalTransition, PermissionDenied, ReasonRequired, VagueSummary
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.constants import StatusKind as K
from tests import factories
from tests.tickets.states import bring_to
from tests.tickets.test_lifecycle_table import EXPECTED, KINDS

MANUAL_TARGETS = [k for k in KINDS if k != K.MERGED]


def _snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.status.key, ticket.events.count(), ticket.updated_at)


@pytest.mark.parametrize("source", KINDS)
@pytest.mark.parametrize("target", MANUAL_TARGETS)
def test_a_transition_is_applied_exactly_when_the_table_allows_it(source, target, ticket, agent_actor):
    ticket = bring_to(source, ticket, agent_actor)
    expected = EXPECTED.get((source, target))
    before = _snapshot(ticket)
    if expected is None or source == target:
        with pytest.raises(IllegalTransition):
            services.change_status(actor=agent_actor, ticket=ticket, status=target, reason="客户要求变更")
        assert _snapshot(ticket) == before
        return
    services.change_status(
        actor=agent_actor, ticket=ticket, status=target, reason="客户要求变更", summary="已核实故障现象"
    )
    ticket.refresh_from_db()
    assert ticket.status.kind == target
    last = ticket.events.exclude(event_type=EventType.CONFIRMATION_REQUESTED).order_by("-id").first()
    assert last.event_type == EventType.STATUS_CHANGED
    assert (last.old_value["kind"], last.new_value["kind"]) == (source, target)
    assert last.actor_id == agent_actor.user.pk
    assert last.ip == "10.0.0.5"
    assert last.body == "客户要求变更"


@pytest.mark.parametrize(("source", "target"), [(s, t) for (s, t), v in EXPECTED.items() if v == "reason"])
def test_a_step_back_or_agent_close_without_a_reason_is_refused_and_changes_nothing(
    source, target, ticket, agent_actor
):
    ticket = bring_to(source, ticket, agent_actor)
    before = _snapshot(ticket)
    with pytest.raises(ReasonRequired) as refused:
        services.change_status(actor=agent_actor, ticket=ticket, status=target, reason="   ")
    assert "需要填写原因" in refused.value.message_zh
    assert _snapshot(ticket) == before


def test_the_merged_status_cannot_be_chosen_by_hand(ticket, agent_actor):
    before = _snapshot(ticket)
    with pytest.raises(IllegalTransition):
        services.change_status(actor=agent_actor, ticket=ticket, status="merged")
    assert _snapshot(ticket) == before


def test_a_customer_cannot_change_the_status_of_their_own_ticket(ticket, customer_actor):
    before = _snapshot(ticket)
    with pytest.raises(PermissionDenied):
        services.change_status(actor=customer_actor, ticket=ticket, status="open")
    assert _snapshot(ticket) == before


def test_a_vague_status_summary_is_refused_and_changes_nothing(ticket, agent_actor):
    before = _snapshot(ticket)
    with pytest.raises(VagueSummary):
        services.change_status(actor=agent_actor, ticket=ticket, status="open", summary="处理中")
    assert _snapshot(ticket) == before


def test_statuses_of_the_same_kind_can_be_swapped_without_a_reason(ticket, agent_actor):
    bring_to(K.PENDING, ticket, agent_actor)
    services.change_status(actor=agent_actor, ticket=ticket, status="pending-third-party")
    ticket.refresh_from_db()
    assert ticket.status.key == "pending-third-party"


def test_reopening_a_resolved_ticket_counts_and_clears_the_resolution(ticket, agent_actor):
    bring_to(K.RESOLVED, ticket, agent_actor)
    services.change_status(actor=agent_actor, ticket=ticket, status="open", reason="客户电话反馈仍无法登录")
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.reopen_count, ticket.resolved_at) == (K.OPEN, 1, None)


def test_merging_points_the_original_at_the_master_and_records_both_sides(customer, agent_actor):
    original = factories.ticket_for(customer, subject="屏幕闪烁")
    master = factories.ticket_for(customer, subject="屏幕一直闪")
    services.merge(actor=agent_actor, source=original, target=master, reason="同一故障")
    original.refresh_from_db()
    assert (original.status.kind, original.merged_into_id) == (K.MERGED, master.pk)
    assert master.events.filter(event_type=EventType.MERGED, new_value={"merged": original.number}).count() == 1
    with pytest.raises(IllegalTransition):
        services.change_status(actor=agent_actor, ticket=original, status="open", reason="误操作")
