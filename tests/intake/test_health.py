"""Channel health (R2.6): the silence alarm in business hours, probes, one alert per episode."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from gongdan.automation.models import OutboxMessage
from gongdan.intake import health
from gongdan.intake.constants import Source
from gongdan.intake.models import ChannelHealth

# Monday 23 Nov 2026, 10:00 in Shanghai (02:00 UTC): business hours.
MONDAY_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SUNDAY_10 = MONDAY_10 - timedelta(days=1)


@pytest.fixture
def busy_email(db):
    return ChannelHealth.objects.create(
        source=Source.EMAIL, normally_busy=True, last_intake_at=MONDAY_10 - timedelta(minutes=6)
    )


def test_a_busy_channel_silent_for_five_minutes_alerts_leads_and_admins_once(busy_email, lead, admin_user, agent):
    with time_machine.travel(MONDAY_10, tick=False):
        first = health.check_channels()
        second = health.check_channels()

    assert first == ["email"]
    assert second == []
    alerts = OutboxMessage.objects.order_by("recipient")
    assert sorted(alerts.values_list("recipient", flat=True)) == [admin_user.email, lead.email]
    assert alerts[0].subject == "[紧急 URGENT] 渠道静默 / Channel silent: email"
    assert "6 分钟" in alerts[0].body


def test_no_alarm_outside_business_hours_or_within_the_window(busy_email, lead):
    with time_machine.travel(SUNDAY_10, tick=False):
        assert health.check_channels() == []
    ChannelHealth.objects.filter(pk=busy_email.pk).update(last_intake_at=MONDAY_10 - timedelta(minutes=4))
    with time_machine.travel(MONDAY_10, tick=False):
        assert health.check_channels() == []
    assert OutboxMessage.objects.count() == 0


def test_a_quiet_channel_is_not_busy_and_does_not_alarm(db, lead):
    ChannelHealth.objects.create(source=Source.DINGTALK, last_intake_at=MONDAY_10 - timedelta(hours=3))

    with time_machine.travel(MONDAY_10, tick=False):
        assert health.check_channels() == []


def test_an_intake_ends_the_episode_and_a_new_silence_alarms_again(busy_email, lead):
    with time_machine.travel(MONDAY_10, tick=False):
        health.check_channels()
        health.record_intake(Source.EMAIL)
        assert ChannelHealth.objects.get(source=Source.EMAIL).alarm_since is None
    with time_machine.travel(MONDAY_10 + timedelta(minutes=6), tick=False):
        assert health.check_channels() == ["email"]
    assert OutboxMessage.objects.count() == 2


def test_a_failed_probe_alarms(db, lead):
    health.record_probe(Source.EMAIL, ok=False, error="imap.example.com: connection refused")

    with time_machine.travel(SUNDAY_10, tick=False):
        assert health.check_channels() == ["email"]

    assert (
        OutboxMessage.objects.get().body
        == "渠道 email 探测失败 / probe of email failed: imap.example.com: connection refused"
    )
