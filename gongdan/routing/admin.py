"""Routing configuration for admins (P4: configurable without code); history and decisions read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongdan.routing.models import (
    BreakerTransition,
    CategorySkill,
    Dispatch,
    HeldTicket,
    RoutingDecision,
    RoutingPolicy,
    TeamRouting,
)


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("default_strategy",)}),
        (_("P0 circuit breaker"), {"fields": ("breaker_threshold", "held_priorities")}),
        (
            _("Score"),
            {"fields": ("load_weights", "skill_weight", "load_weight", "seniority_weight", "vip_min_seniority")},
        ),
        (_("Field dispatch"), {"fields": ("field_range_km", "field_fallback", "location_fresh_hours")}),
    )

    def has_add_permission(self, request) -> bool:
        return not RoutingPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):
    list_display = ["team", "strategy"]
    list_filter = ["strategy"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]


@admin.register(CategorySkill)
class CategorySkillAdmin(admin.ModelAdmin):
    list_display = ["category", "skill", "min_proficiency"]
    list_select_related = ["category", "skill"]
    search_fields = ["category__code", "category__name_zh", "skill__code"]
    autocomplete_fields = ["skill"]
    raw_id_fields = ["category"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the routing services only: visible here, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BreakerTransition)
class BreakerTransitionAdmin(ReadOnlyAdmin):
    list_display = ["at", "opened", "waiting", "threshold"]
    list_filter = ["opened"]


@admin.register(HeldTicket)
class HeldTicketAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "reason", "since"]
    list_filter = ["reason"]
    list_select_related = ["ticket"]


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["at", "ticket", "kind", "strategy", "chosen"]
    list_filter = ["kind", "strategy"]
    list_select_related = ["ticket", "chosen"]
    search_fields = ["ticket__number"]


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "ticket", "engineer", "distance_km", "fallback_used"]
    list_filter = ["fallback_used"]
    list_select_related = ["ticket", "engineer"]
    search_fields = ["ticket__number"]
