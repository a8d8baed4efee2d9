"""Routing configuration, the P0 breaker's state and history, holds, decisions and field dispatches."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.routing import constants as c
from gongdan.tickets.constants import PriorityCode


def default_held_priorities() -> list[str]:
    return list(c.DEFAULT_HELD_PRIORITIES)


def default_load_weights() -> dict[str, int]:
    return dict(c.DEFAULT_LOAD_WEIGHTS)


class RoutingPolicy(models.Model):
    """Desk-wide routing thresholds and weights (rule 10), editable by admins. Singleton."""

    default_strategy = models.CharField(
        _("strategy for tickets without a team setting"),
        max_length=20,
        choices=c.Strategy.choices,
        default=c.Strategy.BEST_MATCH,
    )
    breaker_threshold = models.PositiveSmallIntegerField(
        _("P0 breaker: opens when more P0 tickets than this wait"), default=c.DEFAULT_BREAKER_THRESHOLD
    )
    held_priorities = models.JSONField(_("priorities held while the breaker is open"), default=default_held_priorities)
    load_weights = models.JSONField(_("load weight per priority"), default=default_load_weights)
    skill_weight = models.FloatField(_("score weight: skill fit"), default=c.DEFAULT_SKILL_WEIGHT)
    load_weight = models.FloatField(_("score weight: weighted load"), default=c.DEFAULT_LOAD_WEIGHT)
    seniority_weight = models.FloatField(_("score weight: seniority (VIP tickets)"), default=c.DEFAULT_SENIORITY_WEIGHT)
    vip_min_seniority = models.PositiveSmallIntegerField(
        _("VIP tickets go to seniority at least"),
        default=c.DEFAULT_VIP_MIN_SENIORITY,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    field_range_km = models.PositiveIntegerField(_("field dispatch range (km)"), default=c.DEFAULT_FIELD_RANGE_KM)
    field_fallback = models.CharField(
        _("when no engineer is within range"),
        max_length=20,
        choices=c.FieldFallback.choices,
        default=c.FieldFallback.LEAD_QUEUE,
    )
    location_fresh_hours = models.PositiveSmallIntegerField(
        _("a last known location counts for (hours)"), default=c.DEFAULT_LOCATION_FRESH_HOURS
    )

    class Meta:
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policy")

    def __str__(self) -> str:
        return str(_("Routing policy"))

    @classmethod
    def current(cls) -> "RoutingPolicy":
        return cls.objects.get_or_create(pk=1)[0]

    def clean(self) -> None:
        codes = set(PriorityCode.values)
        if not isinstance(self.held_priorities, list) or not set(self.held_priorities) <= codes:
            raise ValidationError({"held_priorities": _('A list of priority codes, e.g. ["P3", "P4"].')})
        weights = self.load_weights
        if not isinstance(weights, dict) or not set(weights) <= codes:
            raise ValidationError({"load_weights": _('A mapping of priority code to weight, e.g. {"P0": 5}.')})
        if any(not isinstance(value, int | float) or value < 0 for value in weights.values()):
            raise ValidationError({"load_weights": _("Weights are numbers of zero or more.")})


class TeamRouting(models.Model):
    """How one team's tickets are assigned (teams without a row use the policy's default strategy)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="routing")
    strategy = models.CharField(_("strategy"), max_length=20, choices=c.Strategy.choices, default=c.Strategy.BEST_MATCH)

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team.code}: {self.get_strategy_display()}"


class CategorySkill(models.Model):
    """A skill a category needs; a sub-category also needs its parents' skills."""

    category = models.ForeignKey("tickets.Category", on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey("accounts.Skill", on_delete=models.CASCADE, related_name="+")
    min_proficiency = models.PositiveSmallIntegerField(
        _("minimum proficiency"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "skill"], name="uniq_category_skill")]
        verbose_name = _("category skill")
        verbose_name_plural = _("category skills")

    def __str__(self) -> str:
        return f"{self.category.code} → {self.skill.code} ≥ {self.min_proficiency}"


class BreakerState(models.Model):
    """The P0 circuit breaker now. Singleton, changed only by a conditional UPDATE."""

    is_open = models.BooleanField(default=False)
    waiting = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("P0 circuit breaker")
        verbose_name_plural = _("P0 circuit breaker")

    def __str__(self) -> str:
        return str(_("open") if self.is_open else _("closed"))


class BreakerTransition(models.Model):
    """One on/off switch of the breaker, with how many P0 tickets were waiting and the threshold then."""

    opened = models.BooleanField(_("opened"))
    waiting = models.PositiveIntegerField(_("P0 waiting"))
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("breaker transition")
        verbose_name_plural = _("breaker history")

    def __str__(self) -> str:
        return f"{'on' if self.opened else 'off'} {self.at:%Y-%m-%d %H:%M} ({self.waiting}/{self.threshold})"


class HeldTicket(models.Model):
    """A ticket waiting for auto-assignment: held by the breaker or with nobody to take it yet."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="routing_hold")
    reason = models.CharField(_("reason"), max_length=20, choices=c.HoldReason.choices)
    since = models.DateTimeField(_("since"), db_index=True)

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("held ticket")
        verbose_name_plural = _("held tickets")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.reason}"


class RoutingDecision(models.Model):
    """Why a ticket went to whom: the strategy and the scores of the top candidates."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="routing_decisions")
    kind = models.CharField(_("kind"), max_length=20, choices=c.DecisionKind.choices)
    strategy = models.CharField(_("strategy"), max_length=20, blank=True)
    # The team the decision was made for: round-robin continues after the team's last choice.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    chosen = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    candidates = models.JSONField(_("top candidates"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.chosen_id}"


class Dispatch(models.Model):
    """A field job's site (coordinates entered by the desk) and the engineer chosen for it."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="dispatch")
    latitude = models.FloatField(_("site latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("site longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    skill = models.ForeignKey(
        "accounts.Skill", verbose_name=_("extra skill needed"), null=True, blank=True, on_delete=models.SET_NULL
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="dispatches"
    )
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    fallback_used = models.BooleanField(_("fallback used"), default=False)
    decided_at = models.DateTimeField(_("decided at"), db_index=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("field dispatch")
        verbose_name_plural = _("field dispatches")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.engineer_id} ({self.distance_km} km)"
