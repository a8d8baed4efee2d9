"""Priority scoring configuration (versioned rule sets, business windows, the triage policy) and
what scoring left on each ticket (its breakdown, A/B group and agents' overrides)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticError

from gongdan.core import configcache
from gongdan.tickets.constants import PriorityCode
from gongdan.triage import constants as c
from gongdan.triage.scoring import RuleConfig, WindowSpec


def default_rules() -> dict:
    return RuleConfig.model_validate(c.DEFAULT_RULES).model_dump(mode="json")


class PriorityRuleSet(models.Model):
    """One version of the scoring weights and bands. The active one scores group A; the previous
    version (the highest below it) scores group B of the A/B evaluation."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    config = models.JSONField(_("weights and bands"), default=default_rules)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_rule_set"
            )
        ]
        verbose_name = _("priority rule set")
        verbose_name_plural = _("priority rule sets")

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def clean(self) -> None:
        try:
            RuleConfig.model_validate(self.config)
        except PydanticError as error:
            raise ValidationError({"config": str(error)}) from error

    def rules(self) -> RuleConfig:
        return RuleConfig.model_validate(self.config)


class BusinessWindow(models.Model):
    """A period that raises urgency: a promotion, month-end, a release. Dates are desk-local days."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=c.WindowKind.choices, default=c.WindowKind.PROMOTION)
    recurrence = models.CharField(
        _("recurrence"), max_length=20, choices=c.Recurrence.choices, default=c.Recurrence.ONCE
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    last_days = models.PositiveSmallIntegerField(
        _("last days of the month"), default=0, help_text=_("For month-end windows: how many days before month end.")
    )
    points = models.FloatField(_("points"), default=10)
    category_overrides = models.JSONField(
        _("category overrides"),
        default=dict,
        blank=True,
        help_text=_('Category code → priority while the window is active, e.g. {"pay-failed": "P0"}.'),
    )
    is_active = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business window")
        verbose_name_plural = _("business windows")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.recurrence == c.Recurrence.ONCE and not (
            self.starts_on and self.ends_on and self.starts_on <= self.ends_on
        ):
            raise ValidationError({"ends_on": _("A one-off window needs a start and an end on or after it.")})
        if self.recurrence == c.Recurrence.MONTH_END and not 1 <= self.last_days <= 15:
            raise ValidationError({"last_days": _("A month-end window covers 1 to 15 days.")})
        overrides = self.category_overrides
        if not isinstance(overrides, dict) or not set(overrides.values()) <= set(PriorityCode.values):
            raise ValidationError({"category_overrides": _("Map category codes to P0…P4.")})

    def spec(self) -> WindowSpec:
        return WindowSpec(
            name=self.name,
            kind=self.kind,
            recurrence=self.recurrence,
            points=self.points,
            category_overrides=dict(self.category_overrides),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            last_days=self.last_days,
        )


class TriagePolicy(models.Model):
    """The desk's triage switches (one row): A/B share and the classification confidence floor."""

    ab_share_percent = models.PositiveSmallIntegerField(
        _("A/B share scored by the previous rule set (%)"), default=c.DEFAULT_AB_SHARE_PERCENT
    )
    confidence_floor = models.FloatField(
        _("confidence floor"),
        default=c.DEFAULT_CONFIDENCE_FLOOR,
        help_text=_("Below this confidence a ticket is not categorised but goes to the triage queue."),
    )
    tag_threshold = models.FloatField(_("tag probability threshold"), default=c.DEFAULT_TAG_THRESHOLD)

    class Meta:
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policy")

    def __str__(self) -> str:
        return str(_("Triage policy"))

    def clean(self) -> None:
        if self.ab_share_percent > 100:
            raise ValidationError({"ab_share_percent": _("A share is at most 100%.")})
        if not 0 <= self.confidence_floor <= 1 or not 0 <= self.tag_threshold <= 1:
            raise ValidationError(_("Confidence values lie between 0 and 1."))

    @classmethod
    def current(cls) -> "TriagePolicy":
        return cls.objects.order_by("pk").first() or cls()

    @classmethod
    def cached(cls) -> "TriagePolicy":
        """The policy for reading (shared between threads: never change it); writers use `current()`."""
        return configcache.cached(("triage-policy",), cls.current)


class TicketTriage(models.Model):
    """The priority breakdown scoring left on one ticket, with its A/B group and rule set version."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="triage"
    )
    rule_set = models.ForeignKey(
        PriorityRuleSet, verbose_name=_("rule set"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_set_version = models.PositiveIntegerField(_("rule set version"))
    ab_group = models.CharField(_("A/B group"), max_length=1, choices=c.AbGroup.choices, db_index=True)
    score = models.FloatField(_("score"))
    computed_priority = models.CharField(_("computed priority"), max_length=2, choices=PriorityCode.choices)
    explicit_priority = models.BooleanField(
        _("priority chosen by the creator"), default=False, help_text=_("The breakdown is kept but not applied.")
    )
    breakdown = models.JSONField(_("breakdown"), default=dict)
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        verbose_name = _("ticket triage")
        verbose_name_plural = _("ticket triage")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.computed_priority} ({self.score})"


class PriorityOverride(models.Model):
    """An agent's decision against (or beside) the computed priority, with the reason and the score then."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="priority_overrides"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_priority = models.CharField(_("from"), max_length=2, choices=PriorityCode.choices)
    new_priority = models.CharField(_("to"), max_length=2, choices=PriorityCode.choices)
    computed_priority = models.CharField(_("computed priority"), max_length=2, blank=True)
    score = models.FloatField(_("score at the time"), null=True)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("priority override")
        verbose_name_plural = _("priority overrides")

    def __str__(self) -> str:
        return f"{self.old_priority} → {self.new_priority}"
