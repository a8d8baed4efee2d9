"""Admin screens for calendars, policies, the ladder and thresholds; read-only SLA state and signals."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gongdan.core import clock
from gongdan.core.admin import ReadOnlyAdminMixin, TimeZoneFormMixin
from gongdan.core.aftercommit import after_commit
from gongdan.sla import calendars
from gongdan.sla.models import (
    BusinessCalendar,
    CalendarDay,
    EscalationStep,
    SlaPolicy,
    SlaSettings,
    SlaSignal,
    StagnationRule,
    TicketSla,
    WorkingHours,
)


def _recompute_after_commit() -> None:
    """Deadlines of active tickets follow the configuration: recompute them in the background."""
    from gongdan.sla.tasks import recompute_active_tickets

    after_commit(recompute_active_tickets)


class RecomputeOnSaveMixin:
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        _recompute_after_commit()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        _recompute_after_commit()


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "kind", "name", "work_as_weekday", "source"]
    readonly_fields = ["source"]

    def get_queryset(self, request):
        # The table grows every year: the inline shows this year onwards; older days are in "Calendar days".
        return super().get_queryset(request).filter(date__year__gte=clock.now().year)


class BusinessCalendarForm(TimeZoneFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["code", "name_zh", "name_en", "timezone", "holiday_country", "always_open", "is_default", "teams"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["code", "name_zh", "name_en", "timezone", "holiday_country", "always_open", "is_default"]
    filter_horizontal = ["teams"]
    inlines = [WorkingHoursInline, CalendarDayInline]
    actions = ["seed_holidays"]

    @admin.action(description=_("Seed holidays and make-up days for this year and next"))
    def seed_holidays(self, request, queryset) -> None:
        year = clock.now().year
        added = sum(calendars.seed_holidays(calendar, [year, year + 1]) for calendar in queryset)
        _recompute_after_commit()
        self.message_user(request, _("%(count)d day(s) added.") % {"count": added}, messages.SUCCESS)


@admin.register(CalendarDay)
class CalendarDayAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    list_display = ["date", "calendar", "kind", "name", "work_as_weekday", "source"]
    list_filter = ["calendar", "kind", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change) -> None:
        # A day an admin touched is theirs: re-seeding never overwrites it.
        obj.source = "manual"
        super().save_model(request, obj, form, change)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    list_display = [
        "order",
        "name_zh",
        "name_en",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
        "is_active",
    ]
    list_display_links = ["name_zh", "name_en"]
    list_filter = ["is_active", "calendar"]
    filter_horizontal = ["priorities", "categories", "pause_statuses"]
    inlines = [EscalationStepInline]
    fieldsets = [
        (None, {"fields": ["name_zh", "name_en", "order", "is_active"]}),
        (_("Matches"), {"fields": ["priorities", "categories", "customer_tiers", "channels"]}),
        (
            _("Targets (minutes)"),
            {"fields": ["first_response_minutes", "next_response_minutes", "resolution_minutes", "warning_percents"]},
        ),
        (_("Clock"), {"fields": ["calendar", "pause_statuses", "customer_timezone_first"]}),
    ]


@admin.register(EscalationStep)
class EscalationStepAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    list_display = ["policy", "order", "after_minutes", "target"]
    list_filter = ["policy", "target"]


@admin.register(StagnationRule)
class StagnationRuleAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    list_display = ["category", "priority", "yellow_hours", "red_hours"]
    list_filter = ["priority"]


@admin.register(SlaSettings)
class SlaSettingsAdmin(RecomputeOnSaveMixin, admin.ModelAdmin):
    filter_horizontal = ["managers", "directors", "duty_managers"]

    def has_add_permission(self, request) -> bool:
        return not SlaSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TicketSla)
class TicketSlaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "policy", "calendar", "clock_start_at", "paused_at", "warning_stage", "breached_at"]
    list_filter = ["policy", "calendar"]
    list_select_related = ["ticket", "policy", "calendar"]
    search_fields = ["ticket__number"]
    show_full_result_count = False


@admin.register(SlaSignal)
class SlaSignalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["fired_at", "ticket", "kind", "target", "stage", "due_at", "recipients"]
    list_filter = ["kind", "target"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]
    date_hierarchy = "fired_at"
    show_full_result_count = False
