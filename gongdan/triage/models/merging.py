"""Merge proposals, merge provenance and recurrence records (R5.3, R5.4, R10.2).

Written only by `gongdan.triage.merging.services` (provenance through `tickets.services.merge`/`unmerge`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongdan.core.context import Channel
from gongdan.tickets.constants import ClosureKind


class MergePolicy(models.Model):
    """When the system proposes a merge and when a new ticket counts as a recurrence. Singleton (rule 10)."""

    proposals_enabled = models.BooleanField(_("propose merges"), default=True)
    require_same_customer = models.BooleanField(_("only tickets of the same customer"), default=True)
    require_window = models.BooleanField(_("only tickets created close together"), default=True)
    window_hours = models.PositiveSmallIntegerField(
        _("created within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    require_same_category_group = models.BooleanField(
        _("only tickets in the same category group"),
        default=True,
        help_text=_("The same top-level category; a ticket without a category is proposed once it gets one."),
    )
    min_probability = models.FloatField(
        _("minimum duplicate probability"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 proposes every pair that passes the gates."),
    )
    recurrence_enabled = models.BooleanField(_("link recurrences"), default=True)
    recurrence_days = models.PositiveSmallIntegerField(
        _("recurrence within (days after a close)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("merge and recurrence policy")
        verbose_name_plural = _("merge and recurrence policy")

    def __str__(self) -> str:
        return str(_("Merge and recurrence policy"))

    @classmethod
    def current(cls) -> "MergePolicy":
        return cls.objects.get_or_create(pk=1)[0]


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Waiting for an agent")
    CONFIRMED = "confirmed", _("Confirmed and merged")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class ProposalTrigger(models.TextChoices):
    CREATED = "created", _("Ticket created")
    CATEGORY_CHANGED = "category_changed", _("Category changed")
    EMBEDDED = "embedded", _("Semantic check")


class MergeProposal(models.Model):
    """One proposal per pair of tickets, ever: a rejected pair is never proposed again."""

    master = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="merge_proposals_as_master")
    original = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="merge_proposals_as_original")
    # The pair in id order, so (a, b) and (b, a) hit the same unique constraint.
    low = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.PENDING)
    trigger = models.CharField(_("trigger"), max_length=20, choices=ProposalTrigger.choices)
    probability = models.FloatField(_("duplicate probability"))
    components = models.JSONField(_("similarity components"), default=dict)
    created_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="merge_proposal_one_per_pair"),
            models.CheckConstraint(condition=Q(low__lt=models.F("high")), name="merge_proposal_pair_ordered"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="merge_proposal_state")]
        verbose_name = _("merge proposal")
        verbose_name_plural = _("merge proposals")

    def __str__(self) -> str:
        return f"{self.original_id} → {self.master_id} ({self.state})"


class MergeProvenance(models.Model):
    """What an original was when it was merged into its master; undone rows stay for the audit."""

    master = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="provenance_originals")
    original = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="provenance_as_original")
    original_created_at = models.DateTimeField(_("original created at"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.CHOICES)
    subject = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    previous_status = models.ForeignKey("tickets.Status", on_delete=models.PROTECT, related_name="+")
    attachments = models.JSONField(_("attachments of the original"), default=list)
    missing_on_master = models.JSONField(_("attachments the master lacks"), default=list)
    probability = models.FloatField(_("duplicate probability"))
    components = models.JSONField(_("similarity components"), default=dict)
    proposal = models.ForeignKey(MergeProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"))
    undone_at = models.DateTimeField(_("un-merged at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = models.TextField(_("reason for un-merging"), blank=True)

    class Meta:
        ordering = ["merged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["original"], condition=Q(undone_at__isnull=True), name="merge_provenance_one_active"
            )
        ]
        indexes = [models.Index(fields=["merged_at"], name="merge_provenance_merged_at")]
        verbose_name = _("merge provenance")
        verbose_name_plural = _("merge provenance")

    def __str__(self) -> str:
        return f"{self.original_id} → {self.master_id}"


class RecurrenceRecord(models.Model):
    """A new ticket came back within the window after `earlier` was closed: that closure failed (R5.4)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="recurrence")
    earlier = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="recurrences")
    earlier_closed_at = models.DateTimeField(_("earlier ticket closed at"))
    earlier_closure_kind = models.CharField(_("earlier closure"), max_length=20, choices=ClosureKind.choices)
    closer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="failed_closures",
    )
    days_after_close = models.FloatField(_("days after the close"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["closer", "earlier_closed_at"], name="recurrence_closer_closed")]
        verbose_name = _("recurrence")
        verbose_name_plural = _("recurrences")

    def __str__(self) -> str:
        return f"{self.ticket_id} recurs {self.earlier_id}"
