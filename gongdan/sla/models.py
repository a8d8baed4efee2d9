"""SLA configuration (calendars, policies, ladder, thresholds) and per-ticket SLA state."""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongdan.sla import constants as c

WEEKDAY_HELP = _("0 = Monday … 6 = Sunday")


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from exc


def validate_percents(value) -> None:
    if not isinstance(value, list) or not all(isinstance(p, int) and 0 < p < 100 for p in value):
        raise ValidationError(_("Give warning stages as a list of whole percentages between 1 and 99, e.g. [50, 75]."))


class BusinessCalendar(models.Model):
    """Working hours per weekday, a time zone and a table of holidays and make-up days (R7.2)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, default=c.DEFAULT_TIMEZONE, validators=[validate_timezone]
    )
    holiday_country = models.CharField(
        _("holiday country"),
        max_length=2,
        blank=True,
        default=c.DEFAULT_HOLIDAY_COUNTRY,
        help_text=_("ISO code whose public holidays (and make-up days) are seeded into the day table, e.g. CN."),
    )
    always_open = models.BooleanField(_("24 × 7"), default=False, help_text=_("Every minute counts."))
    is_default = models.BooleanField(_("default calendar"), default=False)
    teams = models.ManyToManyField(
        "accounts.Team",
        verbose_name=_("teams / regions"),
        blank=True,
        related_name="business_calendars",
        help_text=_("Tickets of these teams use this calendar unless their policy names one."),
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar")
        ]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


class WorkingHours(models.Model):
    """One working shift on a weekday; an end at or before the start runs overnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), validators=[MaxValueValidator(6)], help_text=WEEKDAY_HELP)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("At or before the start: the shift ends the next day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A date that differs from the weekly pattern: a holiday, or a make-up working day (调休)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=c.DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    work_as_weekday = models.PositiveSmallIntegerField(
        _("works like weekday"),
        default=0,
        validators=[MaxValueValidator(6)],
        help_text=_("For a make-up working day: whose hours apply (0 = Monday)."),
    )
    source = models.CharField(_("source"), max_length=10, choices=c.DaySource.choices, default=c.DaySource.MANUAL)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_calendar_day")]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class SlaPolicy(models.Model):
    """Targets for the tickets it matches; the first active match by order wins (R7.1)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100, help_text=_("Lower is tried first."))
    is_active = models.BooleanField(_("active"), default=True)
    priorities = models.ManyToManyField(
        "tickets.Priority", verbose_name=_("priorities"), blank=True, related_name="+", help_text=_("Empty: any.")
    )
    categories = models.ManyToManyField(
        "tickets.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="+",
        help_text=_("Empty: any. A category matches its sub-categories too."),
    )
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True, help_text=_("Empty: any."))
    channels = models.JSONField(_("channels"), default=list, blank=True, help_text=_("Empty: any."))
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), null=True, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the ticket team's calendar, else the default calendar."),
    )
    pause_statuses = models.ManyToManyField(
        "tickets.Status",
        verbose_name=_("clock pauses in"),
        blank=True,
        related_name="+",
        help_text=_("e.g. pending on the customer. Resolved, closed and merged always stop the clock."),
    )
    customer_timezone_first = models.BooleanField(
        _("start in the customer's business hours"),
        default=False,
        help_text=_("The clock starts when the customer's local business hours begin (R7.3)."),
    )
    warning_percents = models.JSONField(
        _("warning stages (%)"), default=list, blank=True, validators=[validate_percents]
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"

    def target(self, name: str) -> timedelta | None:
        minutes = getattr(self, f"{name}_minutes")
        return None if minutes is None else timedelta(minutes=minutes)


class EscalationStep(models.Model):
    """One rung of the ladder after a breach; steps without a policy form the default ladder."""

    policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        help_text=_("Empty: the default ladder, used by policies without steps of their own."),
    )
    order = models.PositiveSmallIntegerField(_("step"))
    after_minutes = models.PositiveIntegerField(_("minutes after the breach"))
    target = models.CharField(_("escalate to"), max_length=20, choices=c.StepTarget.choices)

    class Meta:
        ordering = ["policy_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "order"], name="uniq_policy_step"),
            models.UniqueConstraint(fields=["order"], condition=Q(policy=None), name="uniq_default_step"),
        ]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"{self.order}. +{self.after_minutes} min → {self.get_target_display()}"


class StagnationRule(models.Model):
    """Stagnation thresholds for a category and/or priority; the most specific match wins (R3.5)."""

    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("priority"), null=True, blank=True, on_delete=models.CASCADE
    )
    yellow_hours = models.PositiveIntegerField(_("yellow after (hours)"), default=c.DEFAULT_STAGNATION_YELLOW_HOURS)
    red_hours = models.PositiveIntegerField(_("red after (hours)"), default=c.DEFAULT_STAGNATION_RED_HOURS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "priority"], name="uniq_stagnation_rule")]
        verbose_name = _("stagnation rule")
        verbose_name_plural = _("stagnation rules")

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.priority.code if self.priority else '*'}"

    def clean(self) -> None:
        if self.red_hours <= self.yellow_hours:
            raise ValidationError({"red_hours": _("Red must come after yellow.")})


class SlaSettings(models.Model):
    """Desk-wide SLA thresholds and the people escalations reach. Singleton."""

    vip_green_channel = models.BooleanField(_("VIP green channel"), default=True)
    vip_first_response_minutes = models.PositiveIntegerField(
        _("VIP first response (minutes, round the clock)"), default=c.DEFAULT_VIP_FIRST_RESPONSE_MINUTES
    )
    stagnation_yellow_hours = models.PositiveIntegerField(
        _("stagnant (yellow) after (hours)"), default=c.DEFAULT_STAGNATION_YELLOW_HOURS
    )
    stagnation_red_hours = models.PositiveIntegerField(
        _("stagnant (red) after (hours)"), default=c.DEFAULT_STAGNATION_RED_HOURS
    )
    p0_breaker_minutes = models.PositiveIntegerField(
        _("P0 breaker: no effective action within (minutes)"), default=c.DEFAULT_P0_BREAKER_MINUTES
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("managers"), blank=True, related_name="+"
    )
    directors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("operations directors"), blank=True, related_name="+"
    )
    duty_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("duty managers"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("SLA settings")
        verbose_name_plural = _("SLA settings")

    def __str__(self) -> str:
        return str(_("SLA settings"))

    @classmethod
    def current(cls) -> "SlaSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def clean(self) -> None:
        if self.stagnation_red_hours <= self.stagnation_yellow_hours:
            raise ValidationError({"stagnation_red_hours": _("Red must come after yellow.")})


class TicketSla(models.Model):
    """The SLA clock state of one ticket; the deadlines themselves are stored on the ticket."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla", verbose_name=_("ticket")
    )
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("policy"), null=True, on_delete=models.SET_NULL)
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("calendar"), null=True, on_delete=models.SET_NULL)
    clock_start_at = models.DateTimeField(_("clock started"))
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total = models.DurationField(_("paused working time"), default=timedelta)
    paused_wall = models.DurationField(_("paused time (wall clock)"), default=timedelta)
    awaiting_reply_since = models.DateTimeField(_("customer waiting since"), null=True, blank=True)
    in_progress_since = models.DateTimeField(_("in progress since"), null=True, blank=True)
    p0_since = models.DateTimeField(_("P0 since"), null=True, blank=True)
    first_response_outcome = models.CharField(_("first response"), max_length=10, choices=c.Outcome.choices, blank=True)
    resolution_outcome = models.CharField(_("resolution"), max_length=10, choices=c.Outcome.choices, blank=True)
    warning_stage = models.PositiveSmallIntegerField(_("warning stage (%)"), default=0)
    breached_at = models.DateTimeField(_("first breach"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation step reached"), default=0)
    # The breach (clock cycle) the ladder is climbing and when its last step fired: one step at a time.
    escalation_cycle = models.CharField(_("escalation cycle"), max_length=40, blank=True)
    escalated_at = models.DateTimeField(_("last escalation at"), null=True, blank=True)
    p0_breaker_at = models.DateTimeField(_("sent to the duty manager"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")

    def __str__(self) -> str:
        return f"SLA {self.ticket_id}"


class SlaSignal(models.Model):
    """A warning, breach, escalation step, stagnation stage or P0 alert that has fired.

    The unique constraint is what makes each one fire exactly once, whatever the number of sweepers.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_signals")
    kind = models.CharField(_("kind"), max_length=20, choices=c.SignalKind.choices)
    target = models.CharField(_("target"), max_length=20, choices=c.Target.choices, blank=True)
    cycle = models.CharField(_("cycle"), max_length=40, blank=True)
    stage = models.PositiveSmallIntegerField(_("stage"), default=0)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"), db_index=True)
    recipients = models.JSONField(_("notified"), default=list, blank=True)

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "target", "cycle", "stage"], name="uniq_sla_signal")
        ]
        verbose_name = _("SLA signal")
        verbose_name_plural = _("SLA signals")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.target} {self.stage}"
