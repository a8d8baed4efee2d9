"""Routing choices and the defaults of the routing policy (rule 10: thresholds defined once)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    BEST_MATCH = "best_match", _("Best match (skills, load, seniority for VIPs)")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    MANUAL = "manual", _("Manual (no auto-assignment; agents pull, leads assign)")


class AgentState(models.TextChoices):
    ON_SHIFT = "on_shift", _("On shift")
    ON_BREAK = "on_break", _("On break")
    OFF = "off", _("Off")


class FieldFallback(models.TextChoices):
    LEAD_QUEUE = "lead_queue", _("Leave it to the field team lead")
    NEAREST_ANYWHERE = "nearest_anywhere", _("Nearest qualified engineer, however far")


class HoldReason(models.TextChoices):
    BREAKER = "breaker", _("Held by the P0 circuit breaker")
    NO_CANDIDATE = "no_candidate", _("No qualified agent on shift")


class DecisionKind(models.TextChoices):
    AUTO = "auto", _("Auto-assigned on creation")
    RELEASED = "released", _("Assigned after a hold")
    PULLED = "pulled", _("Taken with “next ticket”")
    HELD = "held", _("Held")
    DISPATCHED = "dispatched", _("Field dispatch")


DEFAULT_BREAKER_THRESHOLD = 3
DEFAULT_HELD_PRIORITIES = ["P3", "P4"]
DEFAULT_LOAD_WEIGHTS = {"P0": 5, "P1": 3, "P2": 2, "P3": 1, "P4": 1}
DEFAULT_SKILL_WEIGHT = 10
DEFAULT_LOAD_WEIGHT = 1
DEFAULT_SENIORITY_WEIGHT = 2
DEFAULT_VIP_MIN_SENIORITY = 3
DEFAULT_FIELD_RANGE_KM = 50
DEFAULT_LOCATION_FRESH_HOURS = 8
# How many candidates a decision keeps and explains on the timeline.
EXPLAINED_CANDIDATES = 3
