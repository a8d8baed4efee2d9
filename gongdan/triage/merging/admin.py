"""Admins edit the merge and recurrence policy; proposals and provenance live on the desk pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongdan.triage.models.merging import MergePolicy


@admin.register(MergePolicy)
class MergePolicyAdmin(admin.ModelAdmin):
    """A singleton: it can be edited, never added twice or deleted."""

    list_display = ["__str__", "proposals_enabled", "window_hours", "recurrence_days"]
    fieldsets = [
        (
            _("Merge proposals"),
            {
                "fields": [
                    "proposals_enabled",
                    "require_same_customer",
                    "require_window",
                    "window_hours",
                    "require_same_category_group",
                    "min_probability",
                ]
            },
        ),
        (_("Recurrence"), {"fields": ["recurrence_enabled", "recurrence_days"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not MergePolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
