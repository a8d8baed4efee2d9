from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.automation.constants import NotificationChannel, OutboxKind, OutboxState
from gongdan.core.secrets import EncryptedTextField


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that causes it (rule 4)."""

    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind.choices)
    recipient = models.CharField(_("recipient"), max_length=300)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.state})"


class DeliveryAttempt(models.Model):
    """The delivery log admins read: one row per try."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'error'} {self.at:%Y-%m-%d %H:%M:%S}"


class DeliveryCircuit(models.Model):
    """One delivery channel's health (issue 24.7): an email server, the SMS gateway, one push host.

    Closed while sends succeed. After `CIRCUIT_THRESHOLD` consecutive channel failures it opens:
    the waiting messages are left alone and one probe at a time is sent (half-open) at growing,
    capped intervals. The first send that succeeds closes it and re-drives the channel's waiting
    messages at once.
    """

    channel = models.CharField(_("channel"), max_length=200, unique=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    open_until = models.DateTimeField(_("next probe at"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("delivery circuit")
        verbose_name_plural = _("delivery circuits")

    def __str__(self) -> str:
        return f"{self.channel}: {self.failures} failures"


class NotificationPreference(models.Model):
    """One way to reach a staff member, with optional quiet hours in their own time zone.

    A person without any active preference is reached by email at their account address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    # Push URLs carry tokens (dingtalk://TOKEN/SECRET): encrypted at rest like every secret.
    target = EncryptedTextField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_(
            "Email: empty means the account's address. apprise: a URL such as wecombot://KEY, "
            "dingtalk://TOKEN/SECRET, feishu://TOKEN, slack://…, json://host/path. SMS: a phone number."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    urgent_only = models.BooleanField(_("urgent notices only"), default=False)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    urgent_ignores_quiet_hours = models.BooleanField(_("urgent notices ignore quiet hours"), default=True)

    class Meta:
        ordering = ["user", "channel", "pk"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None and self.quiet_start != self.quiet_end
