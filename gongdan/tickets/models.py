from datetime import UTC, datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from gongdan.core.context import Channel
from gongdan.tickets import constants as c

MAX_CATEGORY_DEPTH = 3

# Sorts a ticket without an open deadline after every real one, on SQLite and PostgreSQL alike.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def sla_due_expression():
    """The nearest open deadline: first response (until given), next response, resolution.

    Defined here because an index sorts by it (`ticket_team_status_due`); queries must use this very
    expression for PostgreSQL to read that index in order.
    """
    first = Case(When(first_response_at__isnull=True, then=F("first_response_due_at")))
    return Least(
        Coalesce(first, FAR_FUTURE),
        Coalesce(F("next_response_due_at"), FAR_FUTURE),
        Coalesce(F("resolution_due_at"), FAR_FUTURE),
    )


class Priority(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True, choices=c.PriorityCode.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("0 is the most urgent."))
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        ordering = ["rank"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh} / {self.name_en}"


class Status(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=c.StatusKind.choices)
    label_zh = models.CharField(_("label (Chinese)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_default = models.BooleanField(_("default for its kind"), default=False)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(is_default=True), name="one_default_status_per_kind")
        ]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self) -> str:
        return f"{self.label_zh} / {self.label_en}"


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1, editable=False)
    default_team = models.ForeignKey(
        "accounts.Team", verbose_name=_("default team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return " > ".join(node.name_zh for node in self.path())

    def save(self, *args, **kwargs) -> None:
        self.depth = 1 if self.parent is None else self.parent.depth + 1
        super().save(*args, **kwargs)

    def path(self) -> list["Category"]:
        nodes: list[Category] = []
        node: Category | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return list(reversed(nodes))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        depth = 1 if self.parent is None else self.parent.depth + 1
        if depth > MAX_CATEGORY_DEPTH:
            raise ValidationError({"parent": _("Categories nest at most three levels deep / 分类最多三级")})
        if self.pk and self.parent and any(node.pk == self.pk for node in self.parent.path()):
            raise ValidationError({"parent": _("A category cannot be its own ancestor / 分类不能成为自己的上级")})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomFieldDefinition(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    field_type = models.CharField(_("type"), max_length=20, choices=c.CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("categories"),
        blank=True,
        help_text=_("Empty means every category."),
    )
    required = models.BooleanField(_("required on creation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return f"{self.key} ({self.field_type})"


class DeskPolicy(models.Model):
    """The desk's business thresholds, defined once (rule 10) and editable by admins. Singleton."""

    ack_phrases = models.JSONField(_("acknowledgement-only phrases"), default=list)
    vague_summaries = models.JSONField(_("refused vague summaries"), default=list)
    summary_max_length = models.PositiveSmallIntegerField(_("summary headline max length"), default=20)
    effective_event_types = models.JSONField(_("effective action types"), default=list)
    reopen_on_customer_reply = models.BooleanField(_("customer reply reopens a resolved ticket"), default=True)
    auto_close_days = models.PositiveSmallIntegerField(_("auto-close resolved tickets after (days)"), default=7)
    confirmation_link_days = models.PositiveSmallIntegerField(_("confirmation link valid for (days)"), default=14)
    attachment_max_bytes = models.PositiveIntegerField(_("attachment max size (bytes)"), default=20 * 1024 * 1024)
    attachment_max_per_action = models.PositiveSmallIntegerField(_("attachments per action"), default=10)
    attachment_allowed_types = models.JSONField(_("allowed attachment types"), default=list)

    class Meta:
        verbose_name = _("desk policy")
        verbose_name_plural = _("desk policy")

    def __str__(self) -> str:
        return str(_("Desk policy"))

    @classmethod
    def current(cls) -> "DeskPolicy":
        policy, _created = cls.objects.get_or_create(pk=1, defaults=cls.default_values())
        return policy

    @staticmethod
    def default_values() -> dict:
        return {
            "ack_phrases": list(c.DEFAULT_ACK_PHRASES),
            "vague_summaries": list(c.DEFAULT_VAGUE_SUMMARIES),
            "effective_event_types": [str(t) for t in c.DEFAULT_EFFECTIVE_TYPES],
            "attachment_allowed_types": list(c.DEFAULT_ALLOWED_ATTACHMENT_TYPES),
        }


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.CHOICES, default=Channel.WEB)
    ticket_type = models.CharField(
        _("type"), max_length=20, choices=c.TicketType.choices, default=c.TicketType.INCIDENT
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="+")
    status = models.ForeignKey(Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    device = models.ForeignKey(
        "customers.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    site_location = models.CharField(_("site location"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
    )
    # The twelve core fields of R1.2 (customer, SLA status and rating sit with the fields above/below).
    device_sn = models.CharField(_("device serial number"), max_length=100, blank=True, db_index=True)
    fault_code = models.CharField(_("fault code"), max_length=50, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_kind = models.CharField(_("closure"), max_length=20, choices=c.ClosureKind.choices, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("service rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    materials = models.JSONField(_("materials consumed"), default=list, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engineer_tickets",
    )
    collaborating_departments = models.ManyToManyField(
        "accounts.Team", verbose_name=_("collaborating departments"), blank=True, related_name="collaborations"
    )
    knowledge_ref = models.CharField(_("knowledge reference"), max_length=50, blank=True)
    sentiment = models.CharField(_("customer sentiment"), max_length=20, choices=c.Sentiment.choices, blank=True)
    sla_status = models.CharField(
        _("SLA status"), max_length=20, choices=c.SlaStatus.choices, default=c.SlaStatus.ON_TRACK
    )
    # Stored SLA deadlines (rule 6), computed by the sla app; the sweep reads only `sla_next_check_at`.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_next_check_at = models.DateTimeField(_("SLA next check"), null=True, blank=True, db_index=True)
    stagnation_level = models.CharField(
        _("stagnation"), max_length=10, choices=c.StagnationLevel.choices, default="", blank=True
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    last_effective_action_at = models.DateTimeField(_("last effective action"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), db_index=True)
    # Bumped by every event the ticket services record: the ETag of the API and the desk forms'
    # hidden version field, so a write based on an older read is refused instead of overwriting.
    version = models.PositiveIntegerField(_("version"), default=0, db_default=0, editable=False)
    # Accept in the request, judge behind it (ADR 0019): the judgement steps (classification,
    # full priority score, duplicates, merge proposals, routing) run in the worker's batches; until
    # then the ticket is "triage pending". `triage_hints` keeps what the creator chose explicitly
    # (bits of `CreationHints`), `triaged_at` when the judgement was written (intake-to-routed time).
    triage_pending = models.BooleanField(_("triage pending"), default=False)
    triage_hints = models.PositiveSmallIntegerField(default=0, editable=False)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The worker claims the few pending tickets oldest first; the partial index holds only them.
            models.Index(fields=["id"], condition=Q(triage_pending=True), name="ticket_triage_pending"),
            models.Index(fields=["status", "priority"], name="ticket_status_priority"),
            # With the priority, routing counts each agent's open tickets from the index alone (index-only scan).
            models.Index(fields=["assignee", "status", "priority"], name="ticket_assignee_status_prio"),
            models.Index(fields=["team", "status"], name="ticket_team_status"),
            # A team's tickets in one status, nearest SLA deadline first (API list `order=sla_due`):
            # read in index order and stopped after one page instead of sorting the whole team.
            models.Index(F("team"), F("status"), sla_due_expression(), F("id"), name="ticket_team_status_due"),
            models.Index(fields=["customer", "created_at"], name="ticket_customer_created"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def first_response_seconds(self) -> int | None:
        if self.first_response_at is None:
            return None
        return int((self.first_response_at - self.created_at).total_seconds())

    @property
    def resolution_seconds(self) -> int | None:
        if self.resolved_at is None:
            return None
        return int((self.resolved_at - self.created_at).total_seconds())


class ExternalReference(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="external_refs")
    system = models.CharField(_("system"), max_length=20, choices=c.ExternalSystem.choices)
    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    url = models.URLField(_("link"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "system", "reference"], name="uniq_ticket_external_ref")
        ]
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")

    def __str__(self) -> str:
        return f"{self.system}:{self.reference}"


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=c.LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="uniq_ticket_link"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="ticket_link_not_self"),
        ]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class TicketEvent(models.Model):
    """One row per action: the append-only timeline and the audit log (R1.4)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(_("type"), max_length=30, choices=c.EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.CHOICES)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    is_public = models.BooleanField(_("visible to the customer"), default=False)
    is_effective = models.BooleanField(_("effective action"), default=False)
    counts_as_first_response = models.BooleanField(default=False)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_created")]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.event_type} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def actor_label(self) -> str:
        if self.actor_id:
            return str(self.actor)
        if self.actor_customer_id:
            return str(self.actor_customer)
        return "system"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_by_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
