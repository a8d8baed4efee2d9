"""SLA choices and the defaults every threshold starts from (rule 10: defined once, stored in rows)."""

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class Outcome(models.TextChoices):
    NONE = "", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class DaySource(models.TextChoices):
    HOLIDAYS = "holidays", _("Seeded from the holidays library")
    MANUAL = "manual", _("Entered by an admin")


class SignalKind(models.TextChoices):
    """What the engine fires; each (ticket, kind, target, cycle, stage) fires exactly once."""

    P0_ALERT = "p0_alert", _("New P0 alert")
    WARNING = "warning", _("SLA warning")
    BREACH = "breach", _("SLA breached")
    ESCALATION = "escalation", _("Escalation step")
    STAGNATION_YELLOW = "stagnation_yellow", _("Stagnant (yellow)")
    STAGNATION_RED = "stagnation_red", _("Stagnant (red)")
    P0_BREAKER = "p0_breaker", _("P0 silent-timeout breaker")


class StepTarget(models.TextChoices):
    ASSIGNEE = "assignee", _("Assignee")
    TEAM_LEAD = "team_lead", _("Team lead")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    DUTY_MANAGER = "duty_manager", _("Duty manager")


DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_HOLIDAY_COUNTRY = "CN"
# Monday–Friday 09:00–18:00; weekends off; CN holidays and 调休 workdays come from the day table.
DEFAULT_WORKING_HOURS = {day: [(time(9), time(18))] for day in range(5)}
DEFAULT_WARNING_PERCENTS = [75]
DEFAULT_STAGNATION_YELLOW_HOURS = 72
DEFAULT_STAGNATION_RED_HOURS = 120
DEFAULT_P0_BREAKER_MINUTES = 60
DEFAULT_VIP_FIRST_RESPONSE_MINUTES = 15
# (order, minutes after the breach, who): assignee → team lead → manager → director (R7.5).
DEFAULT_LADDER = [
    (1, 0, StepTarget.ASSIGNEE),
    (2, 30, StepTarget.TEAM_LEAD),
    (3, 60, StepTarget.MANAGER),
    (4, 120, StepTarget.DIRECTOR),
]
# R4.1 defaults: (order, name_zh, name_en, priority, first response, next response, resolution, round the clock).
# Minutes; round-the-clock policies use the 24 × 7 calendar, the others the desk's business calendar.
DEFAULT_POLICIES = [
    (10, "P0 立即响应", "P0 critical", "P0", 15, 30, 4 * 60, True),
    (20, "P1 高", "P1 high", "P1", 30, 60, 2 * 60, True),
    (30, "P2 中", "P2 normal", "P2", 2 * 60, 4 * 60, 24 * 60, False),
    (40, "P3 低", "P3 low", "P3", 4 * 60, 8 * 60, 48 * 60, False),
    (50, "P4 最低", "P4 lowest", "P4", 8 * 60, 16 * 60, 48 * 60, False),
]
# Sweep batch: how many due tickets one sweep call handles before returning.
SWEEP_BATCH = 500
# Country calling codes → time zone, for customers whose profile names none (R7.3).
PHONE_PREFIX_TIMEZONES = {
    "+86": "Asia/Shanghai",
    "+852": "Asia/Hong_Kong",
    "+853": "Asia/Macau",
    "+886": "Asia/Taipei",
    "+65": "Asia/Singapore",
    "+81": "Asia/Tokyo",
    "+82": "Asia/Seoul",
    "+91": "Asia/Kolkata",
    "+61": "Australia/Sydney",
    "+44": "Europe/London",
    "+49": "Europe/Berlin",
    "+33": "Europe/Paris",
    "+1": "America/New_York",
}
