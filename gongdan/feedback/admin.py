from django.contrib import admin

from gongdan.core.admin import ReadOnlyAdminMixin
from gongdan.feedback.models import ResolutionConfirmation


@admin.register(ResolutionConfirmation)
class ResolutionConfirmationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Answers come from customers through the confirmation link; the nonce behind it is never shown."""

    list_display = ["ticket", "created_at", "expires_at", "answered_at", "solved", "clear", "rating", "superseded"]
    list_filter = ["solved", "clear", "rating", "superseded", "created_at"]
    search_fields = ["ticket__number", "ticket__subject", "comment"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    fields = [
        "ticket",
        "created_at",
        "expires_at",
        "answered_at",
        "solved",
        "clear",
        "rating",
        "comment",
        "superseded",
    ]
