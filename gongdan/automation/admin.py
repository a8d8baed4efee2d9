from django.contrib import admin, messages
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from gongdan.automation import services
from gongdan.automation.models import DeliveryAttempt, DeliveryCircuit, NotificationPreference, OutboxMessage
from gongdan.core.admin import ReadOnlyAdminMixin, ReadOnlyInline, SecretFieldsForm


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["at", "ok", "error"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery log. Messages are written by services; admins may only ask for a retry."""

    list_display = ["id", "kind", "recipient", "subject", "state", "attempts", "next_attempt_at", "sent_at", "ticket"]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["recipient", "subject", "ticket__number", "dedupe_key"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "kind",
        "recipient",
        "ticket",
        "subject",
        "body",
        "payload",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "dedupe_key",
    ]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("automation.change_outboxmessage")

    @admin.action(description=_("Retry selected messages now"), permissions=["retry"])
    def retry_now(self, request, queryset) -> None:
        count = services.retry_now(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message queued for delivery now.", "%(count)d messages queued for delivery now.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "message", "ok", "error"]
    list_filter = ["ok", "message__state", "message__kind", "at"]
    search_fields = ["message__recipient", "message__ticket__number", "error"]
    list_select_related = ["message"]
    fields = ["message", "at", "ok", "error"]
    show_full_result_count = False


class NotificationPreferenceForm(SecretFieldsForm):
    # Push URLs carry tokens: never shown again after saving (SecretFieldsForm); SSRF-checked here.
    class Meta:
        model = NotificationPreference
        fields = [
            "user",
            "channel",
            "target",
            "is_active",
            "urgent_only",
            "quiet_start",
            "quiet_end",
            "urgent_ignores_quiet_hours",
        ]

    def clean(self):
        data = super().clean()
        # The same SSRF check as the API's; the worker checks again at every send.
        refused = services.address_refusal(data.get("channel", ""), (data.get("target") or "").strip())
        if refused is not None:
            self.add_error("target", refused.message(get_language()))
        return data


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """How each staff member is reached (R7.6): channels, urgent-only, quiet hours in their time zone."""

    form = NotificationPreferenceForm

    list_display = ["user", "channel", "masked_target", "is_active", "urgent_only", "quiet_start", "quiet_end"]
    list_filter = ["channel", "is_active", "urgent_only"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("address"))
    def masked_target(self, obj: NotificationPreference) -> str:
        # Push URLs carry tokens: the list shows scheme and host only.
        return services.masked_target(obj.channel, obj.target)


@admin.register(DeliveryCircuit)
class DeliveryCircuitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each delivery channel's health: open circuits send one probe at a time (docs/operations.md)."""

    list_display = ["channel", "failures", "open_until", "changed_at"]
    fields = ["channel", "failures", "open_until", "changed_at"]
