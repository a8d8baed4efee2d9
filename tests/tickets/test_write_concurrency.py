"""The ticket write path under real concurrency on PostgreSQL (issues 13, 15 and 24).

Each test runs its writers in threads, each with its own database session. Services lock only the
ticket row, so writers of different tickets never wait for each other; writers of one ticket queue
and then read what the other one wrote (never a `Ticket.DoesNotExist`); two tickets are locked
lowest id first; a deadlock victim is run once more.
"""

import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection, transaction

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.tickets import services
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import Ticket, TicketEvent
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _in_thread(target, *args):
    """Run `target` in a thread with its own connection; exceptions are collected, never lost."""
    errors: list[BaseException] = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_replies_and_status_changes_on_different_tickets_do_not_wait_on_each_other(customer, agent):
    """One transaction holds its reply to ticket 1 open; another session, with a 500 ms lock timeout,
    changes the status of and replies to ticket 2 (same customer, status and priority rows)."""
    actor = Actor(user=agent, ip="10.0.0.8", channel=Channel.WEB)
    first, second = factories.ticket_for(customer), factories.ticket_for(customer)
    assert (first.status_id, first.priority_id) == (second.status_id, second.priority_id)
    holding, release = threading.Event(), threading.Event()

    def hold_first():
        with transaction.atomic():
            services.add_reply(actor=actor, ticket=first, body="我们正在排查验证码服务。")
            holding.set()
            assert release.wait(timeout=30)

    thread, errors = _in_thread(hold_first)
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            services.change_status(actor=actor, ticket=second, status="pending")
            services.add_reply(actor=actor, ticket=second, body="请提供截图。")
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                assert cursor.fetchone()[0] == 0  # nobody waits on anybody
    finally:
        release.set()
        thread.join(timeout=30)
    assert errors == []
    second.refresh_from_db()
    assert second.status.kind == StatusKind.PENDING
    assert list(TicketEvent.objects.filter(event_type=EventType.REPLY).order_by("ticket_id").values_list("body")) == [
        ("我们正在排查验证码服务。",),
        ("请提供截图。",),
    ]


def test_a_writer_of_the_same_ticket_waits_and_then_reads_the_change(customer, agent):
    """Control for the test above: the same lock timeout on the *same* ticket does time out."""
    actor = Actor(user=agent, ip="10.0.0.8", channel=Channel.WEB)
    ticket = factories.ticket_for(customer)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            services.change_status(actor=actor, ticket=ticket, status="pending")
            holding.set()
            assert release.wait(timeout=30)

    thread, errors = _in_thread(hold)
    try:
        assert holding.wait(timeout=30)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            services.add_reply(actor=actor, ticket=ticket, body="请提供截图。")
    finally:
        release.set()
        thread.join(timeout=30)
    assert errors == []


ROUNDS = 20


def test_concurrent_status_change_and_reply_on_one_ticket_never_error(customer, agent, other_agent):
    tickets = [factories.ticket_for(customer) for _ in range(ROUNDS)]
    mover = Actor(user=agent, ip="10.0.0.8", channel=Channel.WEB)
    replier = Actor(user=other_agent, ip="10.0.0.9", channel=Channel.API)
    customer_actor = Actor(user=customer.user, customer=customer, channel=Channel.PORTAL)
    for index, ticket in enumerate(tickets):
        barrier = threading.Barrier(3)

        def move(ticket=ticket, barrier=barrier):
            barrier.wait(timeout=30)
            services.change_status(actor=mover, ticket=ticket, status="pending")

        def reply(ticket=ticket, barrier=barrier, index=index):
            barrier.wait(timeout=30)
            services.add_reply(actor=replier, ticket=ticket, body=f"处理进度 {index}")

        def customer_reply(ticket=ticket, barrier=barrier, index=index):
            barrier.wait(timeout=30)
            services.add_reply(actor=customer_actor, ticket=ticket, body=f"客户补充 {index}")

        runs = [_in_thread(move), _in_thread(reply), _in_thread(customer_reply)]
        for thread, _ in runs:
            thread.join(timeout=60)
        assert [error for _, errors in runs for error in errors] == []
    replies = Counter(TicketEvent.objects.filter(event_type=EventType.REPLY).values_list("ticket_id", flat=True))
    assert replies == Counter({ticket.pk: 2 for ticket in tickets})
    moves = TicketEvent.objects.filter(event_type=EventType.STATUS_CHANGED, new_value__kind=StatusKind.PENDING)
    assert sorted(moves.values_list("ticket_id", flat=True)) == sorted(ticket.pk for ticket in tickets)


def _merge(actor, source, target, barrier, results, key):
    barrier.wait(timeout=30)
    try:
        results[key] = services.merge(actor=actor, source=source, target=target, reason="同一问题")
    except DomainError as refused:  # the test asserts which one and how
        results[key] = refused


def test_crossed_merges_with_a_reply_lock_in_order_refuse_the_second_and_keep_the_reply(customer, agent):
    """A→B and B→A at once, with a reply to A, twelve times: one merge wins, the other is refused
    with a 4xx domain error, and every reply is stored (on A, or on its master B)."""
    actor = Actor(user=agent, ip="10.0.0.8", channel=Channel.WEB)
    outcomes = []
    for index in range(12):
        a, b = factories.ticket_for(customer), factories.ticket_for(customer)
        barrier = threading.Barrier(3)
        results: dict[str, object] = {}

        def reply(barrier=barrier, a=a, index=index):
            barrier.wait(timeout=30)
            services.add_reply(actor=actor, ticket=a, body=f"交叉合并回复 {index}")

        runs = [
            _in_thread(_merge, actor, a, b, barrier, results, "a->b"),
            _in_thread(_merge, actor, b, a, barrier, results, "b->a"),
            _in_thread(reply),
        ]
        for thread, _ in runs:
            thread.join(timeout=60)
        assert [error for _, errors in runs for error in errors] == []
        won = sorted(key for key, value in results.items() if isinstance(value, Ticket))
        refused = [value for value in results.values() if isinstance(value, DomainError)]
        assert len(won) == 1 and len(refused) == 1
        assert 400 <= refused[0].status < 500 and refused[0].fields == {"target": "cycle"}
        source, master = (a, b) if won == ["a->b"] else (b, a)
        source.refresh_from_db()
        assert (source.status.kind, source.merged_into_id) == (StatusKind.MERGED, master.pk)
        master.refresh_from_db()
        assert master.merged_into_id is None and master.status.kind != StatusKind.MERGED
        stored = TicketEvent.objects.filter(event_type=EventType.REPLY, body=f"交叉合并回复 {index}")
        assert stored.count() == 1 and stored.get().ticket_id in (a.pk, b.pk)
        outcomes.append(won[0])
    assert len(outcomes) == 12


def test_a_deadlock_victim_is_run_once_more(customer):
    """Two transactions lock two tickets in opposite orders: PostgreSQL aborts one as a deadlock,
    `atomic_write` runs it again, and both complete."""
    first, second = factories.ticket_for(customer), factories.ticket_for(customer)
    barrier, attempts = threading.Barrier(2), Counter()

    @services.atomic_write
    def cross(one: Ticket, other: Ticket, name: str) -> None:
        attempts[name] += 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE", [one.pk])
            if attempts[name] == 1:
                barrier.wait(timeout=30)  # both hold their first row before asking for the second
            cursor.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE", [other.pk])
            cursor.execute("UPDATE tickets_ticket SET fault_code = fault_code || %s WHERE id = %s", [name, one.pk])

    runs = [_in_thread(cross, first, second, "x"), _in_thread(cross, second, first, "y")]
    for thread, _ in runs:
        thread.join(timeout=60)
    assert [error for _, errors in runs for error in errors] == []
    assert sorted(attempts.values()) == [1, 2]  # exactly one victim, retried once
    assert sorted(Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("fault_code", flat=True)) == [
        "x",
        "y",
    ]
