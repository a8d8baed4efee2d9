"""Intake rows: every attempt (InboundMessage), its failures (DeadLetter), mail threading, channel
health, mailbox bookkeeping and the intake policy. Tickets are untouched: these point at them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongdan.core import configcache
from gongdan.core.secrets import EncryptedTextField
from gongdan.intake import constants as c


class IntakePolicy(models.Model):
    """Intake thresholds (rule: thresholds are DB-stored configuration with defaults). One row."""

    max_message_bytes = models.PositiveIntegerField(_("max message size (bytes)"), default=c.DEFAULT_MAX_MESSAGE_BYTES)
    max_attachment_bytes = models.PositiveIntegerField(
        _("max attachment size (bytes)"), default=c.DEFAULT_MAX_ATTACHMENT_BYTES
    )
    max_attachments = models.PositiveSmallIntegerField(
        _("max attachments per message"), default=c.DEFAULT_MAX_ATTACHMENTS
    )
    rate_per_sender = models.PositiveSmallIntegerField(
        _("messages per sender per window"), default=c.DEFAULT_RATE_PER_SENDER
    )
    rate_window_minutes = models.PositiveSmallIntegerField(
        _("rate window (minutes)"), default=c.DEFAULT_RATE_WINDOW_MINUTES
    )
    rate_per_sender_hour = models.PositiveSmallIntegerField(
        _("messages per sender per hour"), default=c.DEFAULT_RATE_PER_SENDER_HOUR
    )
    known_sender_factor = models.PositiveSmallIntegerField(
        _("limit multiplier for known customers"),
        default=c.DEFAULT_KNOWN_SENDER_FACTOR,
        help_text=_("A sender who already has tickets may send this many times the burst and hourly limits."),
    )
    follow_up_hours = models.PositiveSmallIntegerField(
        _("IM/phone follow-up window (hours)"),
        default=c.DEFAULT_FOLLOW_UP_HOURS,
        help_text=_(
            "A chat or call from a customer with an open ticket from the same channel this recent continues it."
        ),
    )
    signature_tolerance_seconds = models.PositiveIntegerField(
        _("webhook timestamp tolerance (seconds)"), default=c.DEFAULT_SIGNATURE_TOLERANCE_SECONDS
    )

    class Meta:
        verbose_name = _("intake policy")
        verbose_name_plural = _("intake policy")

    def __str__(self) -> str:
        return "intake policy"

    @classmethod
    def current(cls) -> "IntakePolicy":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    @classmethod
    def cached(cls) -> "IntakePolicy":
        """The policy for reading (shared between threads: never change it); writers use `current()`."""
        return configcache.cached(("intake-policy",), cls.current)


class InboundMessage(models.Model):
    """One intake attempt. (source, external_key) is unique: a redelivery finds this row (R2.4)."""

    source = models.CharField(_("source"), max_length=20, choices=c.Source.choices)
    external_key = models.CharField(_("idempotency key"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=20, choices=c.Outcome.choices, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    sender = models.CharField(_("sender"), max_length=300, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    auth_results = models.JSONField(_("sender authentication (SPF/DKIM/DMARC)"), default=dict, blank=True)
    step_timings = models.JSONField(_("pipeline step timings (ms)"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_key"], name="uniq_inbound_source_key")]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_time")]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_key[:40]} → {self.outcome}"


class ThreadReference(models.Model):
    """A mail Message-ID known to belong to a ticket, inbound or sent by us, for threading replies."""

    message_id = models.CharField(max_length=500, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="thread_references")
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mail thread reference")
        verbose_name_plural = _("mail thread references")

    def __str__(self) -> str:
        return self.message_id


class DeadLetter(models.Model):
    """A rejected or failed intake (R2.5): raw payload kept; only an admin action discards it."""

    source = models.CharField(_("source"), max_length=20, choices=c.Source.choices)
    external_key = models.CharField(_("idempotency key"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=c.Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    raw = models.BinaryField(_("raw payload"))
    meta = models.JSONField(_("request metadata"), default=dict, blank=True)
    sender = models.CharField(_("sender"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=c.DeadLetterState.choices, default=c.DeadLetterState.OPEN, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("replay attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inbound = models.ForeignKey(
        InboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="dead_letters"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self) -> str:
        return f"{self.source} {self.reason} {self.created_at:%Y-%m-%d %H:%M}"


class ChannelHealth(models.Model):
    """Heartbeat, probe and silence alarm state of one intake source (R2.6)."""

    source = models.CharField(_("source"), max_length=20, choices=c.Source.choices, unique=True)
    enabled = models.BooleanField(_("watched"), default=True)
    normally_busy = models.BooleanField(
        _("normally busy"),
        default=False,
        help_text=_("Alarm on silence even when recent traffic is low (otherwise judged from the last 7 days)."),
    )
    silence_minutes = models.PositiveSmallIntegerField(
        _("silence alarm after (minutes)"), default=c.DEFAULT_SILENCE_MINUTES
    )
    busy_per_hour = models.PositiveSmallIntegerField(
        _("busy means at least this many per business hour"), default=c.DEFAULT_BUSY_PER_HOUR
    )
    business_start_hour = models.PositiveSmallIntegerField(default=c.DEFAULT_BUSINESS_START_HOUR)
    business_end_hour = models.PositiveSmallIntegerField(default=c.DEFAULT_BUSINESS_END_HOUR)
    business_days = models.CharField(max_length=20, default="0,1,2,3,4", help_text=_("Weekdays, Monday is 0."))
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    last_intake_at = models.DateTimeField(_("last intake"), null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_probe_at = models.DateTimeField(_("last probe"), null=True, blank=True)
    probe_ok = models.BooleanField(_("probe OK"), null=True, blank=True)
    probe_error = models.TextField(_("probe error"), blank=True)
    alarm_since = models.DateTimeField(_("alarm raised at"), null=True, blank=True)

    class Meta:
        ordering = ["source"]
        verbose_name = _("channel health")
        verbose_name_plural = _("channel health")

    def __str__(self) -> str:
        return self.source


class Mailbox(models.Model):
    """An IMAP mailbox polled for intake, with UID/UIDVALIDITY bookkeeping."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"),
        max_length=10,
        default="ssl",
        choices=[("ssl", "SSL/TLS"), ("starttls", "STARTTLS"), ("none", _("none (local test servers only)"))],
    )
    username = models.CharField(_("user name"), max_length=200)
    password = EncryptedTextField(_("password"), max_length=200)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    address = models.EmailField(
        _("address of the mailbox"), blank=True, help_text=_("Mail From this address is a relay, not a customer.")
    )
    use_reply_to = models.BooleanField(
        _("customer is in Reply-To"),
        default=False,
        help_text=_("Only for web-form relays that send From their own address: the customer is then Reply-To."),
    )
    authserv_id = models.CharField(
        _("authentication server id"),
        max_length=200,
        blank=True,
        help_text=_("Trust only the Authentication-Results header of this server (your MTA's host name)."),
    )
    require_authentication = models.CharField(
        _("require sender authentication"), max_length=20, blank=True, choices=c.AuthRequirement.choices
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"


class WebhookSecret(models.Model):
    """Credentials of one IM/webhook integration, as its platform issues them."""

    source = models.CharField(_("source"), max_length=20, choices=c.Source.choices)
    name = models.SlugField(_("name"), max_length=50, unique=True)
    token = EncryptedTextField(_("token / app secret / HMAC secret"), max_length=300)
    aes_key = EncryptedTextField(_("EncodingAESKey / Encrypt Key"), max_length=300, blank=True)
    receive_id = models.CharField(_("CorpID / app id"), max_length=200, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("webhook credential")
        verbose_name_plural = _("webhook credentials")

    def __str__(self) -> str:
        return f"{self.source}:{self.name}"


class WebhookNonce(models.Model):
    """A signed delivery already seen: a replay of the same signature is refused."""

    source = models.CharField(max_length=20)
    nonce = models.CharField(max_length=300)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "nonce"], name="uniq_webhook_nonce")]

    def __str__(self) -> str:
        return f"{self.source}:{self.nonce}"


def quarantine_path(instance, filename: str) -> str:
    return f"intake/quarantine/{instance.created_at:%Y/%m}/{instance.sha256}"


class QuarantinedFile(models.Model):
    """A file intake did not put on a ticket (type, size, count) or one of a held message:
    kept for an admin, never shown to agents; the ticket carries a note naming it."""

    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="quarantined_files")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantined_files"
    )
    held = models.ForeignKey(
        "intake.HeldMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    filename = models.TextField(_("file name"))
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=c.QuarantineReason.choices)
    file = models.FileField(upload_to=quarantine_path, max_length=300)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quarantined file")
        verbose_name_plural = _("quarantined files")

    def __str__(self) -> str:
        return self.filename[:80]


class HeldMessage(models.Model):
    """A reply to a ticket from an address that is not one of its customer's identities (or that
    failed the mailbox's authentication rule): held for an agent to accept or reject, never lost."""

    inbound = models.OneToOneField(InboundMessage, on_delete=models.CASCADE, related_name="held")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="held_messages")
    sender = models.CharField(_("sender"), max_length=300)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("body"), blank=True)
    reason = models.TextField(_("why it was held"))
    auth_results = models.JSONField(_("sender authentication (SPF/DKIM/DMARC)"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=c.HeldState.choices, default=c.HeldState.HELD, db_index=True
    )
    created_at = models.DateTimeField(_("created at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("held message")
        verbose_name_plural = _("held messages")

    def __str__(self) -> str:
        return f"{self.sender} → {self.ticket_id}"
