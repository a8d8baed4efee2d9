"""Staff notifications on the channels each person chose (R7.6): apprise pushes to real HTTP
endpoints, SMS through the adapter, quiet hours, urgent-only channels, retries with a log."""

import datetime as dt
import json

import pytest
import time_machine

from gongdan.automation import delivery
from gongdan.automation import services as outbox
from gongdan.automation.models import NotificationPreference, OutboxMessage
from gongdan.automation.sms import LocmemSmsSender

T0 = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai


@pytest.fixture(autouse=True)
def local_endpoints_allowed(settings):
    # The real endpoints live on 127.0.0.1, which the SSRF guard refuses unless an admin allow-lists it.
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def sms_outbox(settings):
    settings.GONGDAN_SMS_BACKEND = "gongdan.automation.sms.LocmemSmsSender"
    LocmemSmsSender.outbox = []
    return LocmemSmsSender.outbox


def _notify(user, *, urgent=False, key="n1"):
    with time_machine.travel(T0, tick=False):
        return outbox.notify(
            recipients=[user], subject="GD-000007 SLA 已超时", body="历史…", urgent=urgent, dedupe_key=key
        )


def _deliver(at=T0):
    with time_machine.travel(at, tick=False):
        return outbox.deliver_due()


def test_a_json_webhook_preference_is_pushed_to_a_real_http_endpoint(agent, httpserver):
    httpserver.expect_request("/hooks/gongdan", method="POST").respond_with_data("ok")
    url = f"json://127.0.0.1:{httpserver.port}/hooks/gongdan"
    NotificationPreference.objects.create(user=agent, channel="apprise", target=url)
    [message] = _notify(agent)

    assert _deliver() == 1
    [(request, _response)] = httpserver.log
    payload = json.loads(request.data)
    assert (payload["title"], payload["message"]) == ("GD-000007 SLA 已超时", "历史…")
    message.refresh_from_db()
    assert (message.kind, message.state, message.recipient) == (
        "apprise",
        "sent",
        f"agent_li · json://127.0.0.1:{httpserver.port}/…",
    )


def test_a_failing_push_is_retried_with_backoff_and_logged(agent, httpserver):
    httpserver.expect_request("/down", method="POST").respond_with_data("nope", status=500)
    NotificationPreference.objects.create(
        user=agent, channel="apprise", target=f"json://127.0.0.1:{httpserver.port}/down"
    )
    [message] = _notify(agent)

    assert _deliver() == 0
    message.refresh_from_db()
    delay = delivery.retry_delay(1, message.pk)  # a jittered 15–30 s
    assert 15 <= delay < 30
    assert (message.state, message.attempts, message.next_attempt_at) == (
        "pending",
        1,
        T0 + dt.timedelta(seconds=delay),
    )
    assert "failed delivery" in message.deliveries.get().error


def test_sms_goes_through_the_adapter_with_the_headline(agent, sms_outbox):
    NotificationPreference.objects.create(user=agent, channel="sms", target="+8613800138000")
    _notify(agent)
    _deliver()

    assert sms_outbox == [("+8613800138000", "GD-000007 SLA 已超时")]


def test_quiet_hours_hold_a_routine_notice_until_they_end_in_the_persons_time_zone(agent):
    NotificationPreference.objects.create(
        user=agent, channel="email", quiet_start=dt.time(21), quiet_end=dt.time(8)
    )  # agent_li works in Asia/Shanghai: 22:00 now
    [message] = _notify(agent)

    assert message.next_attempt_at == dt.datetime(2026, 11, 19, 0, 0, tzinfo=dt.UTC)  # 08:00 Shanghai
    assert _deliver() == 0


def test_an_urgent_notice_breaks_through_quiet_hours(agent):
    NotificationPreference.objects.create(user=agent, channel="email", quiet_start=dt.time(21), quiet_end=dt.time(8))
    [message] = _notify(agent, urgent=True)

    assert message.next_attempt_at == T0
    assert message.subject.startswith("[紧急 URGENT] ")


def test_an_urgent_only_channel_stays_silent_for_routine_notices(agent, sms_outbox):
    NotificationPreference.objects.create(user=agent, channel="email")
    NotificationPreference.objects.create(user=agent, channel="sms", target="+8613800138000", urgent_only=True)

    routine = _notify(agent, key="routine")
    urgent = _notify(agent, urgent=True, key="urgent")

    assert [m.kind for m in routine] == ["email"]
    assert sorted(m.kind for m in urgent) == ["email", "sms"]
    assert OutboxMessage.objects.count() == 3
