"""Recurrence (R5.4) and true resolution (R10.2): a return within 30 days of a close fails that closure."""

import pytest
import time_machine

from gongdan.tickets import services
from gongdan.tickets.constants import ClosureKind, LinkKind
from gongdan.tickets.models import TicketLink
from gongdan.triage.merging import selectors
from gongdan.triage.merging.rules import Verdict
from gongdan.triage.models import RecurrenceRecord
from tests.triage.merge_support import at, close_confirmed, hardware_tree, made_at, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hardware_tree()


@pytest.fixture
def earlier(customer, agent_actor, tree):
    _, printer, _, _ = tree
    ticket = made_at(at(2026, 10, 1, 9, 0), customer, "打印机卡纸", category=printer)
    return close_confirmed(ticket, agent_actor, at(2026, 10, 2, 18, 0))


def test_a_return_within_30_days_links_and_fails_the_earlier_closure(customer, earlier, agent, tree):
    _, printer, _, _ = tree
    again = made_at(at(2026, 11, 1, 18, 0), customer, "打印机又卡纸了", category=printer)
    record = RecurrenceRecord.objects.get()
    assert (record.ticket, record.earlier, record.closer) == (again, earlier, agent)
    assert (record.earlier_closure_kind, record.earlier_closed_at) == (
        ClosureKind.CUSTOMER_CONFIRMED,
        at(2026, 10, 2, 18, 0),
    )
    assert record.days_after_close == 30.0
    link = TicketLink.objects.get(kind=LinkKind.RECURRENCE_OF)
    assert (link.source, link.target) == (again, earlier)
    assert selectors.true_resolution(earlier, now=at(2026, 12, 1)) == Verdict.FAILED


def test_a_day_later_than_the_window_is_not_a_recurrence(customer, earlier, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 11, 1, 18, 1), customer, "打印机又卡纸了", category=printer)
    assert (RecurrenceRecord.objects.count(), TicketLink.objects.count()) == (0, 0)
    assert selectors.true_resolution(earlier, now=at(2026, 12, 1)) == Verdict.TRUE


def test_the_window_is_configurable(customer, earlier, tree):
    _, printer, _, _ = tree
    policy(recurrence_days=45)
    made_at(at(2026, 11, 10, 9, 0), customer, "打印机又卡纸了", category=printer)
    assert RecurrenceRecord.objects.get().earlier == earlier


def test_another_category_or_another_customer_is_not_a_recurrence(customer, other_customer, earlier, tree):
    _, _, jam, billing = tree
    made_at(at(2026, 10, 5, 9, 0), customer, "发票", category=billing)
    made_at(at(2026, 10, 5, 9, 0), customer, "卡纸细分类", category=jam)
    _, printer, _, _ = tree
    made_at(at(2026, 10, 5, 9, 0), other_customer, "打印机卡纸", category=printer)
    assert RecurrenceRecord.objects.count() == 0


def test_an_open_earlier_ticket_is_not_a_recurrence(customer, agent_actor, tree):
    _, printer, _, _ = tree
    made_at(at(2026, 10, 1, 9, 0), customer, "打印机卡纸", category=printer)
    made_at(at(2026, 10, 3, 9, 0), customer, "打印机又卡纸了", category=printer)
    assert RecurrenceRecord.objects.count() == 0


def test_setting_the_category_later_also_links(customer, agent_actor, earlier, tree):
    _, printer, _, _ = tree
    again = made_at(at(2026, 10, 20, 9, 0), customer, "又坏了")
    assert RecurrenceRecord.objects.count() == 0
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        services.set_category(actor=agent_actor, ticket=again, category=printer, reason="归类")
    record = RecurrenceRecord.objects.get()
    assert (record.ticket, record.earlier, record.days_after_close) == (again, earlier, 17.62)


def test_switching_recurrence_off(customer, earlier, tree):
    _, printer, _, _ = tree
    policy(recurrence_enabled=False)
    made_at(at(2026, 10, 5, 9, 0), customer, "打印机又卡纸了", category=printer)
    assert RecurrenceRecord.objects.count() == 0


def test_an_agent_closed_ticket_counts_against_the_agent_who_closed_it(customer, agent_actor, lead_actor, tree):
    _, printer, _, _ = tree
    first = made_at(at(2026, 10, 1, 9, 0), customer, "打印机卡纸", category=printer)
    with time_machine.travel(at(2026, 10, 1, 12, 0), tick=False):
        services.change_status(actor=agent_actor, ticket=first, status="resolved")
        services.change_status(actor=lead_actor, ticket=first, status="closed", reason="客户电话确认")
    made_at(at(2026, 10, 8, 9, 0), customer, "打印机卡纸", category=printer)
    record = RecurrenceRecord.objects.get()
    assert (record.closer, record.earlier_closure_kind) == (lead_actor.user, ClosureKind.AGENT_CLOSED)
    assert selectors.true_resolution(first, now=at(2026, 12, 1)) == Verdict.NOT_CONFIRMED


def test_true_resolution_waits_for_the_window_and_failed_closures_count_per_closer(
    customer, other_customer, agent_actor, earlier, agent, tree
):
    _, printer, _, _ = tree
    quiet = close_confirmed(
        made_at(at(2026, 10, 1, 9, 0), other_customer, "打印机卡纸", category=printer),
        agent_actor,
        at(2026, 10, 3, 9, 0),
    )
    made_at(at(2026, 10, 10, 9, 0), customer, "打印机又卡纸了", category=printer)
    assert selectors.true_resolution(quiet, now=at(2026, 11, 1, 9, 0)) == Verdict.PENDING
    assert selectors.true_resolution(quiet, now=at(2026, 11, 2, 9, 0)) == Verdict.TRUE
    assert list(selectors.truly_resolved(now=at(2026, 11, 2, 9, 0))) == [quiet]
    assert list(selectors.truly_resolved(now=at(2026, 11, 1, 9, 0))) == []
    assert selectors.failed_closures_by_closer(since=at(2026, 10, 1), until=at(2026, 11, 1)) == [
        {"closer_id": agent.pk, "closer": agent.username, "failed": 1}
    ]
