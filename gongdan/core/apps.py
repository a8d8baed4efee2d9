from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Rows that configure the desk rather than record its work: changing one invalidates `core.configcache`.
CONFIG_MODELS = (
    "tickets.Priority",
    "tickets.Status",
    "tickets.Category",
    "tickets.CustomFieldDefinition",
    "tickets.DeskPolicy",
    "sla.BusinessCalendar",
    "sla.WorkingHours",
    "sla.CalendarDay",
    "sla.SlaPolicy",
    "sla.EscalationStep",
    "sla.StagnationRule",
    "sla.SlaSettings",
    "triage.KeywordRule",
    "triage.ClassifierModel",
    "triage.DuplicateConfig",
    "triage.MergePolicy",
    "triage.PriorityRuleSet",
    "triage.BusinessWindow",
    "triage.TriagePolicy",
    "routing.RoutingPolicy",
    "routing.TeamRouting",
    "routing.CategorySkill",
    "intake.IntakePolicy",
    "web.WorkspacePolicy",
    "accounts.SecurityPolicy",
)


class CoreConfig(AppConfig):
    name = "gongdan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from gongdan.core import configcache

        configcache.watch(*(apps.get_model(label) for label in CONFIG_MODELS))
