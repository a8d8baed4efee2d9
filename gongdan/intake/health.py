"""Channel health (R2.6): last intake, heartbeats, probes and the silence alarm.

A channel is "normally busy" when an admin says so or when the last 7 days brought at least
`busy_per_hour` intakes per business hour on average. Such a channel that delivers nothing for
`silence_minutes` within business hours, or whose probe fails, raises one alarm per episode to the
notification outbox (leads and admins); the episode ends with the next intake or successful probe.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.db.models import Q

from gongdan.accounts.constants import Role
from gongdan.accounts.models import User
from gongdan.core import clock
from gongdan.intake.constants import Source
from gongdan.intake.models import ChannelHealth, InboundMessage


def channel(source: str) -> ChannelHealth:
    return ChannelHealth.objects.get_or_create(source=source)[0]


def record_intake(source: str) -> None:
    # One UPDATE per message; the row is created only the first time a source delivers.
    now = clock.now()
    fields = {"last_intake_at": now, "last_heartbeat_at": now, "alarm_since": None}
    if not ChannelHealth.objects.filter(source=source).update(**fields):
        ChannelHealth.objects.get_or_create(source=source)
        ChannelHealth.objects.filter(source=source).update(**fields)


def record_heartbeat(source: str) -> None:
    ChannelHealth.objects.get_or_create(source=source)
    ChannelHealth.objects.filter(source=source).update(last_heartbeat_at=clock.now())


def record_probe(source: str, *, ok: bool, error: str = "") -> None:
    ChannelHealth.objects.get_or_create(source=source)
    fields = {"last_probe_at": clock.now(), "probe_ok": ok, "probe_error": error[:2000]}
    if ok:
        fields["last_heartbeat_at"] = clock.now()
    ChannelHealth.objects.filter(source=source).update(**fields)


def in_business_hours(at: datetime, row: ChannelHealth) -> bool:
    local = at.astimezone(zoneinfo.ZoneInfo(row.time_zone))
    days = {int(d) for d in row.business_days.split(",") if d.strip().isdigit()}
    return local.weekday() in days and row.business_start_hour <= local.hour < row.business_end_hour


def business_hours_in_week(row: ChannelHealth) -> int:
    days = len({d for d in row.business_days.split(",") if d.strip().isdigit()})
    return max(1, days * max(0, row.business_end_hour - row.business_start_hour))


def is_busy(row: ChannelHealth, now: datetime) -> bool:
    if row.normally_busy:
        return True
    week = InboundMessage.objects.filter(source=row.source, received_at__gte=now - timedelta(days=7)).count()
    return week >= row.busy_per_hour * business_hours_in_week(row)


def silent_for(row: ChannelHealth, now: datetime) -> timedelta | None:
    """How long a busy channel has been silent beyond its window in business hours, else None."""
    if not row.enabled or not in_business_hours(now, row) or not is_busy(row, now):
        return None
    last = row.last_intake_at
    if last is None or now - last >= timedelta(minutes=row.silence_minutes):
        return now - last if last else timedelta(minutes=row.silence_minutes)
    return None


def _alert_recipients():
    return User.objects.filter(Q(role__in=[Role.ADMIN, Role.LEAD]) | Q(is_superuser=True), is_active=True).distinct()


def _alert(row: ChannelHealth, subject: str, body: str, now: datetime) -> bool:
    from gongdan.automation.services import notify

    if row.alarm_since is not None:
        return False  # one alarm per episode
    ChannelHealth.objects.filter(pk=row.pk, alarm_since__isnull=True).update(alarm_since=now)
    notify(
        recipients=list(_alert_recipients()),
        subject=subject,
        body=body,
        urgent=True,
        dedupe_key=f"channel-alarm:{row.source}:{now:%Y%m%d%H%M}",
    )
    return True


def check_channels() -> list[str]:
    """Raise alarms for silent busy channels and failed probes; returns the sources alarmed now."""
    now = clock.now()
    alarmed = []
    for source in Source.values:
        row = channel(source)
        silence = silent_for(row, now)
        label = source  # the code, not a translated label: alerts carry both languages themselves
        if silence is not None:
            minutes = int(silence.total_seconds() // 60)
            subject = f"渠道静默 / Channel silent: {source}"
            body = (
                f"{label} 已 {minutes} 分钟没有收到任何消息（营业时间内的繁忙渠道）。请检查对接与网关。\n"
                f"{label} has delivered nothing for {minutes} minutes during business hours. Check the integration."
            )
            if _alert(row, subject, body, now):
                alarmed.append(source)
        elif row.probe_ok is False:
            subject = f"渠道探测失败 / Channel probe failed: {source}"
            body = f"渠道 {label} 探测失败 / probe of {label} failed: {row.probe_error}"
            if _alert(row, subject, body, now):
                alarmed.append(source)
    return alarmed
