"""Admin configuration of triage. Rule set versions are immutable once published (A/B compares them):
adding one publishes a new active version through the service, starting from the active weights."""

from django.contrib import admin

from gongdan.core.context import Actor, Channel
from gongdan.triage import services
from gongdan.triage.models import (
    BusinessWindow,
    ClassificationCorrection,
    ClassifierModel,
    KeywordRule,
    PriorityOverride,
    PriorityRuleSet,
    TicketClassification,
    TicketTriage,
    TriagePolicy,
)


@admin.register(PriorityRuleSet)
class PriorityRuleSetAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "is_active", "created_at"]
    fields = ["name", "config", "version", "is_active", "created_at"]
    readonly_fields = ["version", "is_active", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "name", "config"] if obj else self.readonly_fields

    def get_changeform_initial_data(self, request):
        active = PriorityRuleSet.objects.filter(is_active=True).first()
        return {"config": active.config} if active else super().get_changeform_initial_data(request)

    def save_model(self, request, obj, form, change):
        if change:
            return
        published = services.publish_rule_set(
            actor=Actor.from_request(request, Channel.ADMIN), name=obj.name, config=obj.config
        )
        obj.pk, obj.version, obj.is_active = published.pk, published.version, True

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessWindow)
class BusinessWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "recurrence", "starts_on", "ends_on", "last_days", "points", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(TriagePolicy)
class TriagePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "ab_share_percent", "confidence_floor", "tag_threshold"]

    def has_add_permission(self, request):
        return not TriagePolicy.objects.exists()


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "sentiment", "min_hits", "is_active"]
    list_filter = ["is_active", "sentiment"]
    search_fields = ["name", "keywords"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnlyAdmin):
    list_display = ["version", "sample_count", "trained_at"]
    exclude = ["blob"]


@admin.register(TicketTriage)
class TicketTriageAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "score", "computed_priority", "ab_group", "rule_set_version", "explicit_priority"]
    list_filter = ["ab_group", "rule_set_version"]


@admin.register(TicketClassification)
class TicketClassificationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "source", "category", "confidence", "needs_review"]
    list_filter = ["source", "needs_review"]


@admin.register(PriorityOverride)
class PriorityOverrideAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "old_priority", "new_priority", "score", "user", "created_at"]


@admin.register(ClassificationCorrection)
class ClassificationCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "field", "predicted", "corrected", "confidence", "user", "created_at"]
