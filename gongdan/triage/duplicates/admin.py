"""Admin: the duplicate-detection settings (threshold, pool, fitted calibration read-only) and the
suspicions with agents' decisions (read-only: agents decide on the ticket page)."""

from django.contrib import admin

from gongdan.core.admin import ReadOnlyAdminMixin
from gongdan.triage.models import DuplicateConfig, DuplicateSuspicion


@admin.register(DuplicateConfig)
class DuplicateConfigAdmin(admin.ModelAdmin):
    fields = (
        "threshold",
        "similar_threshold",
        "pool_days",
        "candidate_limit",
        "intercept",
        "coefficients",
        "fitted_at",
        "fitted_pairs",
        "fitted_decisions",
    )
    # The calibration is fitted (`evaluate_duplicates --fit`, nightly refit), never typed in.
    readonly_fields = ("intercept", "coefficients", "fitted_at", "fitted_pairs", "fitted_decisions")

    def has_add_permission(self, request) -> bool:
        return not DuplicateConfig.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DuplicateSuspicion)
class DuplicateSuspicionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "original", "probability", "decision", "decided_by", "created_at")
    list_filter = ("decision",)
    list_select_related = ("ticket", "original", "decided_by")
    raw_id_fields = ("ticket", "original")
