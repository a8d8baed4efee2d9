"""Merge proposals (R5.3): same customer, within 24 h, same category group — each gate on and off."""

import pytest

from gongdan.core.context import Actor
from gongdan.core.errors import IllegalTransition, NotFound, ReasonRequired
from gongdan.tickets import services
from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.merging import services as merging
from gongdan.triage.models import MergeProposal
from gongdan.triage.models.merging import ProposalState, ProposalTrigger
from tests.triage.merge_support import at, hardware_tree, made_at, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hardware_tree()


def pairs():
    return sorted((p.original.number, p.master.number, p.state) for p in MergeProposal.objects.all())


def test_a_second_ticket_of_the_customer_in_the_same_group_within_a_day_is_proposed(customer, tree):
    _, printer, jam, _ = tree
    first = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    second = made_at(at(2026, 11, 3, 8, 59), customer, "三楼打印机又卡纸了", category=jam)
    proposal = MergeProposal.objects.get()
    assert (proposal.master, proposal.original, proposal.state) == (first, second, ProposalState.PENDING)
    assert proposal.trigger == ProposalTrigger.CREATED
    assert proposal.created_at == at(2026, 11, 3, 8, 59)


def test_another_customer_is_never_proposed_even_with_the_customer_gate_off(customer, other_customer, tree):
    # Another requester with the same words is the same problem (an incident), not the same request.
    _, printer, _, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 10, 0), other_customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 0
    policy(require_same_customer=False)
    made_at(at(2026, 11, 2, 11, 0), other_customer, "打印机卡纸", category=printer)
    assert list(MergeProposal.objects.values_list("probability", flat=True)) == [0.99]
    assert MergeProposal.objects.get().original.customer == other_customer


def test_a_reworded_report_below_the_threshold_is_not_proposed(customer, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer, description="")
    # "打印机还是卡纸": text 0.4286, words 0.6667 → z = −1.1436 + 5.302·0.4286 + 0.0643·0.6667 = 1.1717 → 0.7634
    made_at(at(2026, 11, 2, 10, 0), customer, "打印机还是卡纸", category=printer, description="")
    assert MergeProposal.objects.count() == 0


def test_more_than_24_hours_apart_is_not_proposed_unless_the_window_gate_is_off(customer, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 3, 9, 1), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 0
    policy(require_window=False)
    made_at(at(2026, 11, 4, 9, 0), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 2
    # Beyond the duplicate settings' same-request window (72 h) it is a recurrence, not a request.
    made_at(at(2026, 11, 9, 9, 0), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 2


def test_the_window_is_configurable(customer, tree):
    _, printer, _, _ = tree
    policy(window_hours=2)
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 11, 30), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 0
    made_at(at(2026, 11, 2, 12, 0), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 1


def test_another_category_group_is_not_proposed_unless_the_group_gate_is_off(customer, tree):
    _, printer, _, billing = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 10, 0), customer, "发票开错了", category=billing)
    assert MergeProposal.objects.count() == 0
    policy(require_same_category_group=False)
    made_at(at(2026, 11, 2, 11, 0), customer, "发票抬头错误", category=billing)
    assert MergeProposal.objects.count() == 2


def test_a_ticket_without_category_is_proposed_once_it_gets_one(customer, agent_actor, tree):
    _, printer, jam, _ = tree
    first = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    second = made_at(at(2026, 11, 2, 10, 0), customer, "打印机又卡纸")
    assert MergeProposal.objects.count() == 0
    services.set_category(actor=agent_actor, ticket=second, category=jam, reason="分类")
    proposal = MergeProposal.objects.get()
    assert (proposal.master, proposal.original, proposal.trigger) == (first, second, ProposalTrigger.CATEGORY_CHANGED)


def test_the_probability_gate_and_the_master_switch(customer, tree):
    _, printer, _, _ = tree
    policy(min_probability=1.0)
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 9, 30), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 0
    policy(min_probability=0.0, proposals_enabled=False)
    made_at(at(2026, 11, 2, 10, 0), customer, "打印机卡纸", category=printer)
    assert MergeProposal.objects.count() == 0


def test_closed_or_merged_tickets_are_not_proposed(customer, agent_actor, tree):
    _, printer, _, _ = tree
    first = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    master = made_at(at(2026, 11, 2, 9, 5), customer, "主工单", category=printer)
    MergeProposal.objects.all().delete()
    services.merge(actor=agent_actor, source=first, target=master)
    made_at(at(2026, 11, 2, 9, 30), customer, "打印机卡纸", category=printer)
    assert [(p.master, p.state) for p in MergeProposal.objects.all()] == [(master, ProposalState.PENDING)]


def test_a_rejected_pair_is_never_proposed_again(customer, agent_actor, tree):
    _, printer, jam, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    second = made_at(at(2026, 11, 2, 10, 0), customer, "打印机又卡纸", category=printer)
    proposal = MergeProposal.objects.get()
    merging.reject_proposal(actor=agent_actor, proposal=proposal, reason="两台不同的打印机")
    services.set_category(actor=agent_actor, ticket=second, category=jam, reason="细分")
    proposal.refresh_from_db()
    assert (MergeProposal.objects.count(), proposal.state) == (1, ProposalState.REJECTED)
    assert (proposal.reject_reason, proposal.decided_by) == ("两台不同的打印机", agent_actor.user)


def test_rejecting_needs_a_reason_and_a_decided_proposal_cannot_be_decided_again(customer, agent_actor, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 10, 0), customer, "打印机又卡纸", category=printer)
    proposal = MergeProposal.objects.get()
    with pytest.raises(ReasonRequired):
        merging.reject_proposal(actor=agent_actor, proposal=proposal, reason="  ")
    assert MergeProposal.objects.get().state == ProposalState.PENDING
    merging.confirm_proposal(actor=agent_actor, proposal=proposal)
    with pytest.raises(IllegalTransition):
        merging.reject_proposal(actor=agent_actor, proposal=proposal, reason="晚了")
    assert MergeProposal.objects.get().state == ProposalState.CONFIRMED


def test_confirming_merges_the_newer_into_the_older_or_the_other_way_round(customer, agent_actor, tree):
    _, printer, _, _ = tree
    older = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    newer = made_at(at(2026, 11, 2, 10, 0), customer, "打印机又卡纸", category=printer)
    master = merging.confirm_proposal(actor=agent_actor, proposal=MergeProposal.objects.get(), swap=True)
    older.refresh_from_db()
    assert (master, older.status.kind, older.merged_into) == (newer, StatusKind.MERGED, newer)
    proposal = MergeProposal.objects.get()
    assert (proposal.master, proposal.original, proposal.state) == (newer, older, ProposalState.CONFIRMED)


def test_proposals_of_tickets_that_became_closed_or_merged_expire(customer, agent_actor, tree):
    _, printer, _, _ = tree
    a = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    b = made_at(at(2026, 11, 2, 9, 10), customer, "打印机卡纸 2", category=printer)
    c = made_at(at(2026, 11, 2, 9, 20), customer, "打印机卡纸 3", category=printer)
    assert MergeProposal.objects.filter(state=ProposalState.PENDING).count() == 3
    # Merging b by hand (API, not the proposal) confirms its pair with a and expires b's other proposal.
    services.merge(actor=agent_actor, source=b, target=a, reason="同一台")
    assert pairs() == [
        (b.number, a.number, ProposalState.CONFIRMED),
        (c.number, a.number, ProposalState.PENDING),
        (c.number, b.number, ProposalState.EXPIRED),
    ]
    services.change_status(actor=agent_actor, ticket=a, status="resolved")
    services.change_status(actor=agent_actor, ticket=a, status="closed", reason="客户电话确认")
    assert merging.expire_stale_proposals() == 1
    assert merging.expire_stale_proposals() == 0
    assert MergeProposal.objects.filter(state=ProposalState.PENDING).count() == 0


def test_department_staff_cannot_confirm(customer, purchasing, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 11, 2, 10, 0), customer, "打印机又卡纸", category=printer)
    with pytest.raises(NotFound):
        merging.confirm_proposal(actor=Actor(user=purchasing), proposal=MergeProposal.objects.get())
    assert MergeProposal.objects.get().state == ProposalState.PENDING
    assert Ticket.objects.filter(status__kind=StatusKind.MERGED).count() == 0
