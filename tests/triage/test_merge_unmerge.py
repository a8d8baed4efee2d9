"""Un-merge: the original returns exactly to what it was; provenance is kept, marked undone."""

import pytest
from django.utils import translation

from gongdan.core.context import Actor
from gongdan.core.errors import IllegalTransition, NotFound, PermissionDenied, ReasonRequired
from gongdan.tickets import rendering, services
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.models import MergeProvenance
from tests import factories
from tests.triage.merge_support import at, made_at

pytestmark = pytest.mark.django_db

RESTORED = ("status_id", "merged_into_id", "resolved_at", "closed_at", "closure_kind", "reopen_count", "priority_id")


def snapshot(ticket):
    return Ticket.objects.filter(pk=ticket.pk).values(*RESTORED).get()


@pytest.mark.parametrize("status", ["new", "open", "pending-customer", "on-hold"])
def test_merge_then_unmerge_restores_the_original_exactly(customer, agent_actor, lead_actor, status):
    master = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸")
    original = made_at(at(2026, 11, 2, 9, 30), customer, "打印机又卡纸")
    if status != "new":
        services.change_status(actor=agent_actor, ticket=original, status=status)
    before, master_before = snapshot(original), snapshot(master)
    services.merge(actor=agent_actor, source=original, target=master, reason="看起来相同")
    services.unmerge(actor=lead_actor, ticket=original, reason="是两台不同的打印机")
    assert snapshot(original) == before
    assert snapshot(master) == master_before
    row = MergeProvenance.objects.get()
    assert (row.undone_by, row.undo_reason, row.undone_at is not None) == (lead_actor.user, "是两台不同的打印机", True)


def test_unmerge_writes_the_timeline_on_both_tickets(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    services.unmerge(actor=agent_actor, ticket=original, reason="不是同一问题")
    on_original = original.events.filter(event_type=EventType.UNMERGED).get()
    on_master = master.events.filter(event_type=EventType.UNMERGED).get()
    assert (on_original.old_value, on_original.new_value) == (
        {"status": "merged", "kind": "merged", "label": {"zh": "已合并", "en": "Merged"}},
        {"status": "new", "kind": "new", "label": {"zh": "新建", "en": "New"}, "from": master.number},
    )
    with translation.override("zh-hans"):
        assert (rendering.describe(on_original), on_original.body) == (f"已从 {master.number} 移出", "不是同一问题")
        assert (rendering.describe(on_master), on_master.old_value) == (
            f"{original.number} 已移出本工单",
            {"merged": original.number},
        )


def test_a_second_unmerge_is_refused_and_changes_nothing(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    services.unmerge(actor=agent_actor, ticket=original, reason="不同问题")
    after_first = snapshot(original)
    with pytest.raises(IllegalTransition):
        services.unmerge(actor=agent_actor, ticket=original, reason="再来一次")
    assert snapshot(original) == after_first
    assert original.events.filter(event_type=EventType.UNMERGED).count() == 1


def test_unmerge_needs_a_reason_and_a_desk_role(customer, agent_actor, purchasing, customer_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    merged = snapshot(original)
    with pytest.raises(ReasonRequired):
        services.unmerge(actor=agent_actor, ticket=original, reason=" ")
    with pytest.raises(NotFound):
        services.unmerge(actor=Actor(user=purchasing), ticket=original, reason="不同")
    with pytest.raises(PermissionDenied):
        services.unmerge(actor=customer_actor, ticket=original, reason="不同")
    assert snapshot(original) == merged
    assert MergeProvenance.objects.get().undone_at is None


def test_unmerge_after_the_master_was_closed_returns_the_original_to_work(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.change_status(actor=agent_actor, ticket=original, status="open")
    services.merge(actor=agent_actor, source=original, target=master)
    services.change_status(actor=agent_actor, ticket=master, status="resolved")
    services.change_status(actor=agent_actor, ticket=master, status="closed", reason="客户电话确认")
    services.unmerge(actor=agent_actor, ticket=original, reason="主工单的解决方案不适用")
    original.refresh_from_db()
    master.refresh_from_db()
    assert (original.status.kind, original.merged_into_id) == (StatusKind.OPEN, None)
    assert master.status.kind == StatusKind.CLOSED


def test_an_unmerged_ticket_can_be_merged_again_and_keeps_both_provenance_rows(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    services.unmerge(actor=agent_actor, ticket=original, reason="误合并")
    services.merge(actor=agent_actor, source=original, target=master, reason="确认是同一问题")
    rows = [(row.undone_at is None, row.reason) for row in MergeProvenance.objects.order_by("id")]
    assert rows == [(False, ""), (True, "确认是同一问题")]
