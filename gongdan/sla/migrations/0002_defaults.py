"""Seed the defaults admins start from: a CN business calendar with its holidays and 调休 workdays,
a 24 × 7 calendar, the R4.1 policies P0–P4, the default escalation ladder and the SLA settings row."""

from datetime import time

from django.db import migrations

# Frozen copies of gongdan.sla.constants at the time of this migration.
POLICIES = [
    (10, "P0 立即响应", "P0 critical", "P0", 15, 30, 240, True),
    (20, "P1 高", "P1 high", "P1", 30, 60, 120, True),
    (30, "P2 中", "P2 normal", "P2", 120, 240, 1440, False),
    (40, "P3 低", "P3 low", "P3", 240, 480, 2880, False),
    (50, "P4 最低", "P4 lowest", "P4", 480, 960, 2880, False),
]
LADDER = [(1, 0, "assignee"), (2, 30, "team_lead"), (3, 60, "manager"), (4, 120, "director")]
SEED_YEARS = [2025, 2026, 2027]


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingHours = apps.get_model("sla", "WorkingHours")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    EscalationStep = apps.get_model("sla", "EscalationStep")
    SlaSettings = apps.get_model("sla", "SlaSettings")
    Priority = apps.get_model("tickets", "Priority")
    Status = apps.get_model("tickets", "Status")

    business, created = BusinessCalendar.objects.get_or_create(
        code="cn-business",
        defaults={
            "name_zh": "中国大陆工作日 9:00–18:00",
            "name_en": "Mainland China business days 9:00–18:00",
            "timezone": "Asia/Shanghai",
            "holiday_country": "CN",
            "is_default": True,
        },
    )
    if created:
        for weekday in range(5):
            WorkingHours.objects.create(calendar=business, weekday=weekday, start=time(9), end=time(18))
        from gongdan.sla.calendars import holidays_for

        for year in SEED_YEARS:
            for day, kind, name in holidays_for("CN", year):
                CalendarDay.objects.get_or_create(
                    calendar=business, date=day, defaults={"kind": kind, "name": name[:100], "source": "holidays"}
                )
    always, _ = BusinessCalendar.objects.get_or_create(
        code="24x7",
        defaults={
            "name_zh": "全天候 7×24",
            "name_en": "Round the clock 24 × 7",
            "timezone": "Asia/Shanghai",
            "holiday_country": "",
            "always_open": True,
        },
    )
    pending_customer = Status.objects.filter(key="pending-customer").first()
    for order, zh, en, code, first, nxt, resolution, round_the_clock in POLICIES:
        if SlaPolicy.objects.filter(name_en=en).exists():
            continue
        policy = SlaPolicy.objects.create(
            name_zh=zh,
            name_en=en,
            order=order,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
            calendar=always if round_the_clock else None,
            warning_percents=[75],
        )
        policy.priorities.set(Priority.objects.filter(code=code))
        if pending_customer is not None:
            policy.pause_statuses.add(pending_customer)
    for order, minutes, target in LADDER:
        EscalationStep.objects.get_or_create(
            policy=None, order=order, defaults={"after_minutes": minutes, "target": target}
        )
    SlaSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("tickets", "0002_seed_priorities_statuses"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
