"""The outbox: delivered once, retried with backoff, logged, never lost."""

import datetime as dt

import time_machine
from django.db import transaction

from gongdan.automation import services as outbox
from gongdan.automation.constants import MAX_ATTEMPTS
from gongdan.automation.models import DeliveryCircuit, OutboxMessage

T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _enqueue(key="k1"):
    with time_machine.travel(T0, tick=False):
        return outbox.enqueue_email(recipient="a@example.com", subject="主题", body="正文", dedupe_key=key)


def test_a_message_is_delivered_once_to_a_real_smtp_server(db, smtp_server):
    _enqueue()
    with time_machine.travel(T0, tick=False):
        assert outbox.deliver_due() == 1
        assert outbox.deliver_due() == 0
    assert [(rcpt, mail["Subject"]) for rcpt, mail in smtp_server.messages] == [(["a@example.com"], "主题")]
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts, message.sent_at) == ("sent", 1, T0)


def test_the_same_dedupe_key_enqueues_one_message(db):
    first, second = _enqueue(), _enqueue()
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_a_claimed_message_cannot_be_claimed_by_a_second_worker(db):
    message = _enqueue()
    with time_machine.travel(T0, tick=False):
        assert outbox._claim(message.pk) is True
        assert outbox._claim(message.pk) is False
    with time_machine.travel(T0 + dt.timedelta(minutes=6), tick=False):
        assert outbox._claim(message.pk) is True  # the first worker died: the claim went stale


def test_a_message_that_keeps_failing_ends_dead_and_stays_visible(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    message = _enqueue()
    moment = T0
    for _ in range(MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            outbox.deliver_due()
        message.refresh_from_db()
        # The message's own step, or the channel's next probe once its circuit is open.
        probe_at = DeliveryCircuit.objects.get(channel="email").open_until
        moment = max(message.next_attempt_at, probe_at or message.next_attempt_at)
    assert (message.state, message.attempts, message.deliveries.count()) == ("dead", MAX_ATTEMPTS, MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in message.last_error


def test_delivery_is_enqueued_only_after_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        _enqueue()
    assert len(callbacks) == 1


def test_notify_writes_one_message_per_reachable_staff_member(agent, other_agent, lead):
    other_agent.email = ""
    other_agent.save()
    lead.is_active = False
    lead.save()
    sent = outbox.notify(
        recipients=[agent, other_agent, lead], subject="P0 超时", body="GD-000001", urgent=True, dedupe_key="p0:1"
    )
    assert [(m.recipient, m.subject, m.dedupe_key) for m in sent] == [
        (agent.email, "[紧急 URGENT] P0 超时", f"p0:1:{agent.pk}")
    ]


def test_loading_the_push_library_does_not_change_how_chinese_subjects_are_mailed(db, smtp_server):
    import apprise.plugins.email  # noqa: F401  (its import re-registers the utf-8 charset process-wide)

    with time_machine.travel(T0, tick=False):
        outbox.enqueue_email(recipient="a@example.com", subject="[GD-000001] 您的问题解决了吗？", body="正文")
        outbox.deliver_due()
    assert smtp_server.messages[0][1]["Subject"] == "[GD-000001] 您的问题解决了吗？"
