"""`notify_many` writes the same outbox messages as one `notify` call per notice, with one insert."""

import datetime as dt

import pytest
import time_machine

from gongdan.automation import services as outbox
from gongdan.automation.models import NotificationPreference, OutboxMessage
from gongdan.customers.models import CustomerIdentity
from tests import factories

T0 = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai
COLUMNS = ("kind", "recipient", "subject", "body", "payload", "ticket_id", "dedupe_key", "next_attempt_at")


@pytest.fixture
def people(agent, lead, other_agent):
    """The agent: SMS for urgent notices only, and quiet email; the lead: a push channel; other: no channels."""
    NotificationPreference.objects.create(user=agent, channel="sms", target="+8613800000000", urgent_only=True)
    NotificationPreference.objects.create(
        user=agent, channel="email", quiet_start=dt.time(21), quiet_end=dt.time(8), urgent_ignores_quiet_hours=True
    )
    NotificationPreference.objects.create(user=lead, channel="apprise", target="json://push.example.com/hook")
    return [agent, lead, other_agent]


def _notices(people, ticket) -> list[outbox.Notice]:
    agent, lead, other = people
    return [
        outbox.Notice([agent, lead, agent], "升级 / escalation", "历史…", ticket, urgent=True, dedupe_key="k1"),
        outbox.Notice([agent, other, None], "预警 / warning", "历史 2", ticket, urgent=False, dedupe_key="k2"),
        outbox.Notice([lead], "无键 / no key", "…", None, urgent=False, dedupe_key=None),
    ]


def _rows() -> list[tuple]:
    return list(OutboxMessage.objects.order_by("id").values_list(*COLUMNS))


def test_notify_many_writes_what_notify_writes_for_each_notice(people, ticket, django_assert_max_num_queries):
    with time_machine.travel(T0, tick=False):
        for notice in _notices(people, ticket):
            outbox.notify(
                recipients=notice.recipients,
                subject=notice.subject,
                body=notice.body,
                ticket=notice.ticket,
                urgent=notice.urgent,
                dedupe_key=notice.dedupe_key,
            )
    one_by_one = _rows()
    OutboxMessage.objects.all().delete()
    with time_machine.travel(T0, tick=False), django_assert_max_num_queries(6):
        outbox.notify_many(_notices(people, ticket))

    assert _rows() == one_by_one
    agent, lead, other = people
    assert [(kind, recipient, at) for kind, recipient, _s, _b, _p, _t, _k, at in one_by_one] == [
        ("email", agent.email, T0),  # urgent: through the quiet hours
        ("sms", "+8613800000000", T0),
        ("apprise", f"{lead.username} · json://push.example.com/…", T0),
        ("email", agent.email, dt.datetime(2026, 11, 19, 0, 0, tzinfo=dt.UTC)),  # 08:00 in Shanghai
        ("email", other.email, T0),
        ("apprise", f"{lead.username} · json://push.example.com/…", T0),
    ]


def test_a_message_to_the_tickets_customer_gets_its_thread_headers_in_a_batch_too(db, agent):
    customer = factories.customer_with_login("thread_wang")
    CustomerIdentity.objects.get_or_create(customer=customer, kind="email", value=agent.email)
    ticket = factories.ticket_for(customer)
    with time_machine.travel(T0, tick=False):
        staff_only, threaded = outbox.notify_many(
            [outbox.Notice([factories.UserFactory()], "a", "b", ticket), outbox.Notice([agent], "c", "d", ticket)]
        )

    assert staff_only.payload == {}
    headers = OutboxMessage.objects.get(pk=threaded.pk).payload["headers"]
    assert headers["Message-ID"] == f"<gd-{ticket.number.lower()}-{threaded.pk}@{headers['Message-ID'].split('@')[1]}"
    assert headers["X-Gongdan-Ticket"] == ticket.number


def test_a_dedupe_key_met_before_keeps_the_first_message_and_writes_the_rest(people, ticket):
    other = people[2]
    with time_machine.travel(T0, tick=False):
        [first] = outbox.notify(recipients=[other], subject="s", body="b", ticket=ticket, dedupe_key="k2")
        again = outbox.notify_many(_notices(people, ticket))

    assert first.pk in [message.pk for message in again]
    assert OutboxMessage.objects.filter(dedupe_key=f"k2:{other.pk}").count() == 1
    assert OutboxMessage.objects.count() == 6
