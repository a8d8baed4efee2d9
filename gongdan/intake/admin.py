from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gongdan.core.admin import SecretFieldsForm
from gongdan.core.context import Actor, Channel
from gongdan.intake import deadletters
from gongdan.intake.models import (
    ChannelHealth,
    DeadLetter,
    HeldMessage,
    InboundMessage,
    IntakePolicy,
    Mailbox,
    QuarantinedFile,
    WebhookSecret,
)


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "reason", "state", "sender", "attempts", "created_at"]
    list_filter = ["state", "source", "reason"]
    search_fields = ["sender", "detail", "external_key"]
    readonly_fields = [f.name for f in DeadLetter._meta.fields] + ["raw_text"]
    exclude = ["raw"]
    actions = ["replay", "release_senders", "discard"]

    @admin.display(description=_("raw payload"))
    def raw_text(self, obj):
        return bytes(obj.raw).decode("utf-8", errors="replace")[:20000]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Replay through the intake pipeline"))
    def replay(self, request, queryset):
        actor = Actor.from_request(request, Channel.ADMIN)
        done = 0
        for letter in queryset:
            result = deadletters.replay(actor=actor, letter=letter) if letter.state not in deadletters.FINAL else None
            done += bool(result and result.dead_letter is None)
        self.message_user(request, _("%(n)d replayed into tickets.") % {"n": done}, messages.INFO)

    @admin.action(description=_("Release all quarantined mail of the selected senders"))
    def release_senders(self, request, queryset):
        actor = Actor.from_request(request, Channel.ADMIN)
        senders = {letter.sender for letter in queryset if letter.sender}
        done = sum(deadletters.release(actor=actor, sender=sender) for sender in sorted(senders))
        self.message_user(request, _("%(n)d released into tickets.") % {"n": done}, messages.INFO)

    @admin.action(description=_("Discard (keep for the record)"))
    def discard(self, request, queryset):
        count = deadletters.discard(actor=Actor.from_request(request, Channel.ADMIN), letters=list(queryset))
        self.message_user(request, _("%(n)d discarded.") % {"n": count}, messages.INFO)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "outcome", "sender", "ticket", "received_at"]
    list_filter = ["source", "outcome"]
    search_fields = ["sender", "external_key", "message_id", "subject"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ChannelHealth)
class ChannelHealthAdmin(admin.ModelAdmin):
    list_display = ["source", "enabled", "normally_busy", "last_intake_at", "probe_ok", "alarm_since"]
    readonly_fields = ["last_intake_at", "last_heartbeat_at", "last_probe_at", "probe_ok", "probe_error", "alarm_since"]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = SecretFieldsForm  # the password is never shown again after saving
    list_display = ["name", "host", "username", "folder", "enabled", "last_uid", "last_polled_at", "last_error"]
    readonly_fields = ["uid_validity", "last_uid", "last_polled_at", "last_error"]


@admin.register(WebhookSecret)
class WebhookSecretAdmin(admin.ModelAdmin):
    form = SecretFieldsForm  # token and key are never shown again after saving
    list_display = ["name", "source", "enabled"]


@admin.register(IntakePolicy)
class IntakePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "max_message_bytes",
        "max_attachments",
        "rate_per_sender",
        "rate_window_minutes",
        "rate_per_sender_hour",
        "known_sender_factor",
    ]


@admin.register(QuarantinedFile)
class QuarantinedFileAdmin(admin.ModelAdmin):
    """Files intake kept off tickets: admins only (agents never see them)."""

    list_display = ["id", "filename", "content_type", "size", "reason", "ticket", "created_at"]
    list_filter = ["reason"]
    search_fields = ["filename", "sha256"]
    readonly_fields = [f.name for f in QuarantinedFile._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HeldMessage)
class HeldMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "sender", "state", "created_at", "decided_by"]
    list_filter = ["state"]
    search_fields = ["sender", "subject"]
    readonly_fields = [f.name for f in HeldMessage._meta.fields]

    def has_add_permission(self, request):
        return False
