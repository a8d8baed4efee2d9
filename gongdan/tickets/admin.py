"""Admin for ticket configuration (editable) and ticket data (read-only: services are the only
writers of tickets and the timeline is the append-only audit log)."""

from django.contrib import admin
from django.template import engines
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongdan.core.admin import ReadOnlyAdminMixin, ReadOnlyInline
from gongdan.tickets import access
from gongdan.tickets.constants import PriorityCode
from gongdan.tickets.models import (
    Attachment,
    Category,
    CustomFieldDefinition,
    DeskPolicy,
    ExternalReference,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)

# ---- configuration -------------------------------------------------------------------------

SLA_BADGE = "{% load sla_tags %}{% sla_badge ticket %}"


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    """Codes P0–P4 are stable (code branches on them): names and colour are editable, nothing is deleted."""

    list_display = ["code", "rank", "name_zh", "name_en", "swatch"]
    search_fields = ["code", "name_zh", "name_en"]
    fields = ["code", "rank", "name_zh", "name_en", "color"]

    @admin.display(description=_("colour"), ordering="color")
    def swatch(self, obj: Priority) -> str:
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};vertical-align:middle"></span> {}',
            obj.color,
            obj.color,
        )

    def get_readonly_fields(self, request, obj=None):
        return ["code", "rank"] if obj is not None else []

    def has_add_permission(self, request) -> bool:
        # The codes are a closed set; once all exist there is nothing left to add.
        return super().has_add_permission(request) and Priority.objects.count() < len(PriorityCode.values)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    """Labels are configurable; the kind (what code branches on) and the key are fixed once created."""

    list_display = ["key", "label_zh", "label_en", "kind", "order", "is_default"]
    list_editable = ["order"]
    list_filter = ["kind", "is_default"]
    search_fields = ["key", "label_zh", "label_en"]
    fields = ["key", "kind", "label_zh", "label_en", "order", "is_default"]

    def get_readonly_fields(self, request, obj=None):
        return ["key", "kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CategoryChildInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = ["code", "name_zh", "name_en", "default_team", "is_active"]
    autocomplete_fields = ["default_team"]
    verbose_name = _("sub-category")
    verbose_name_plural = _("sub-categories")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "depth", "default_team", "is_active"]
    list_filter = ["is_active", "depth", "default_team"]
    search_fields = ["code", "name_zh", "name_en"]
    # __str__ walks up to three levels of parents.
    list_select_related = ["parent__parent", "default_team"]
    autocomplete_fields = ["parent", "default_team"]
    fields = ["code", "name_zh", "name_en", "parent", "depth", "default_team", "is_active"]
    readonly_fields = ["depth"]
    inlines = [CategoryChildInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "label_zh", "label_en", "field_type", "required", "is_active"]
    list_filter = ["field_type", "required", "is_active", "categories"]
    search_fields = ["key", "label_zh", "label_en"]
    filter_horizontal = ["categories"]


@admin.register(DeskPolicy)
class DeskPolicyAdmin(admin.ModelAdmin):
    """A singleton: it can be edited, never added twice or deleted."""

    list_display = ["__str__", "auto_close_days", "confirmation_link_days", "summary_max_length"]
    fieldsets = [
        (
            _("Timeline"),
            {"fields": ["ack_phrases", "vague_summaries", "summary_max_length", "effective_event_types"]},
        ),
        (
            _("Resolution"),
            {"fields": ["reopen_on_customer_reply", "auto_close_days", "confirmation_link_days"]},
        ),
        (
            _("Attachments"),
            {"fields": ["attachment_max_bytes", "attachment_max_per_action", "attachment_allowed_types"]},
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return not DeskPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---- ticket data (read-only) ---------------------------------------------------------------


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = [
        "created_at",
        "event_type",
        "actor",
        "actor_customer",
        "channel",
        "ip",
        "summary",
        "body",
        "old_value",
        "new_value",
        "is_public",
        "is_effective",
    ]
    verbose_name = _("timeline event")
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_customer")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    # The file itself is served only through access-checked views, never linked from here.
    fields = ["filename", "content_type", "size", "sha256", "is_public", "uploaded_by", "uploaded_by_customer"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "uploaded_by_customer")


class ExternalReferenceInline(ReadOnlyInline):
    model = ExternalReference
    fields = ["system", "reference", "url", "created_at"]


TICKET_FIELDSETS = [
    (None, {"fields": ["number", "subject", "description", "status", "priority", "ticket_type", "channel"]}),
    (
        _("People"),
        {
            "fields": [
                "customer",
                "organization",
                "assignee",
                "team",
                "engineer",
                "collaborating_departments",
                "created_by",
            ]
        },
    ),
    (
        _("Classification"),
        {
            "fields": [
                "category",
                "tags",
                "custom_fields",
                "device",
                "device_sn",
                "fault_code",
                "site_location",
                "materials",
                "knowledge_ref",
                "sentiment",
                "language",
                "parent",
                "merged_into",
            ]
        },
    ),
    (
        _("Service level"),
        {
            "fields": [
                "sla_badge",
                "sla_status",
                "stagnation_level",
                "created_at",
                "first_response_due_at",
                "first_response_at",
                "next_response_due_at",
                "resolution_due_at",
                "last_effective_action_at",
                "resolved_at",
                "closed_at",
                "closure_kind",
                "rating",
                "reopen_count",
                "updated_at",
            ]
        },
    ),
]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A view page only: tickets change through tickets.services, which write the timeline."""

    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "sla_badge",
        "customer",
        "assignee",
        "team",
        "created_at",
    ]
    list_display_links = ["number", "subject"]
    list_filter = ["status", "priority", "team", "channel", "sla_status", "stagnation_level"]
    search_fields = ["number", "subject", "customer__name", "device_sn"]
    list_select_related = ["status", "priority", "customer", "assignee", "team"]
    date_hierarchy = "created_at"
    fieldsets = TICKET_FIELDSETS
    inlines = [TicketEventInline, AttachmentInline, ExternalReferenceInline]

    class Media:
        js = ["sla/countdown.js"]
        css = {"all": ["sla/admin.css"]}

    @admin.display(description=_("SLA"), ordering="sla_next_check_at")
    def sla_badge(self, obj: Ticket) -> str:
        # Through the SLA app's template tag, not its Python module: `tickets` imports no higher app.
        return engines["django"].from_string(SLA_BADGE).render({"ticket": obj})

    def get_queryset(self, request):
        # Staff without full desk access see in the admin only what access.py lets them see anywhere.
        return access.visible_tickets(request.user, super().get_queryset(request))


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit log."""

    list_display = ["created_at", "ticket", "event_type", "actor_label", "channel", "summary", "is_effective"]
    list_filter = ["event_type", "channel", "is_public", "is_effective"]
    search_fields = ["ticket__number", "summary", "actor__username", "actor_customer__name"]
    list_select_related = ["ticket", "actor", "actor_customer"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "ticket",
        "event_type",
        "created_at",
        "actor",
        "actor_customer",
        "ip",
        "channel",
        "summary",
        "body",
        "old_value",
        "new_value",
        "is_public",
        "is_effective",
        "counts_as_first_response",
        "mentions",
    ]

    @admin.display(description=_("actor"))
    def actor_label(self, obj: TicketEvent) -> str:
        return obj.actor_label


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "is_public", "created_at"]
    list_filter = ["is_public", "content_type"]
    search_fields = ["filename", "ticket__number", "sha256"]
    list_select_related = ["ticket"]
    fields = [
        "ticket",
        "event",
        "filename",
        "content_type",
        "size",
        "sha256",
        "is_public",
        "uploaded_by",
        "uploaded_by_customer",
        "created_at",
    ]


@admin.register(ExternalReference)
class ExternalReferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "system", "ticket", "created_at"]
    list_filter = ["system"]
    search_fields = ["reference", "ticket__number"]
    list_select_related = ["ticket"]
    fields = ["ticket", "system", "reference", "url", "created_at"]


@admin.register(TicketLink)
class TicketLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "kind", "target", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["source__number", "target__number"]
    list_select_related = ["source", "target", "created_by"]
    fields = ["source", "kind", "target", "created_by", "created_at"]
