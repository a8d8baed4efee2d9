from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where an inbound message came from; finer than the ticket's `Channel` (WeCom vs Feishu)."""

    WEB = "web", _("Web form")
    API = "api", _("REST API")
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WEBHOOK = "webhook", _("Generic webhook")
    PHONE = "phone", _("Phone / CTI")


class Outcome(models.TextChoices):
    CREATED = "created", _("New ticket")
    FOLLOW_UP = "follow_up", _("Follow-up on a ticket")
    MERGED = "merged", _("Merged into a ticket")
    HELD = "held", _("Held for an agent (sender not a party of the ticket)")
    AUTO_NOTED = "auto_noted", _("Auto-reply or bounce noted on its ticket")
    DEAD_LETTER = "dead_letter", _("Dead letter")


class HeldState(models.TextChoices):
    HELD = "held", _("Waiting for an agent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class QuarantineReason(models.TextChoices):
    TYPE = "type", _("File type not allowed")
    SIZE = "size", _("File too large")
    COUNT = "count", _("Too many files")
    MESSAGE_SIZE = "message_size", _("Message too large")
    HELD = "held", _("Part of a held message")


class AuthRequirement(models.TextChoices):
    NONE = "", _("Not required (shown only)")
    DMARC = "dmarc", _("DMARC pass")
    DKIM_OR_SPF = "dkim_or_spf", _("DKIM or SPF pass")


class DeadLetterState(models.TextChoices):
    OPEN = "open", _("Waiting for an admin")
    QUARANTINED = "quarantined", _("Quarantined (flood)")
    REPLAYED = "replayed", _("Replayed")
    DISCARDED = "discarded", _("Discarded by an admin")


class Reason(models.TextChoices):
    """Why an attempt became a dead letter: a stable code; the detail text says more."""

    MALFORMED = "malformed", _("Malformed message")
    NO_SENDER = "no_sender", _("No usable sender")
    AUTO_REPLY = "auto_reply", _("Auto-reply or bounce")
    LOOP = "loop", _("Our own message (mail loop)")
    UNAUTHENTICATED = "unauthenticated", _("Sender authentication failed (SPF/DKIM/DMARC)")
    TOO_LARGE = "too_large", _("Message too large")
    ATTACHMENTS = "attachments", _("Attachment limits exceeded")
    RATE_LIMITED = "rate_limited", _("Sender flood (rate limit)")
    REJECTED = "rejected", _("Rejected by the desk rules")
    FAILED = "failed", _("Processing failed")


# Which ticket channel each source is recorded as (R2.1: each ticket records its source channel).
SOURCE_CHANNEL = {
    Source.WEB: "web",
    Source.API: "api",
    Source.EMAIL: "email",
    Source.WECOM: "im",
    Source.DINGTALK: "im",
    Source.FEISHU: "im",
    Source.WEBHOOK: "api",
    Source.PHONE: "phone",
}

# Defaults of the DB-stored intake policy (IntakePolicy).
DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ATTACHMENTS = 10
# Flood limits: a burst (messages within the window) and an hourly ceiling per sender; a known
# customer (one who already has tickets) gets KNOWN_SENDER_FACTOR times both.
DEFAULT_RATE_PER_SENDER = 20
DEFAULT_RATE_WINDOW_MINUTES = 10
DEFAULT_RATE_PER_SENDER_HOUR = 60
DEFAULT_KNOWN_SENDER_FACTOR = 4
DEFAULT_FOLLOW_UP_HOURS = 72
DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300
DEFAULT_SILENCE_MINUTES = 5
DEFAULT_BUSY_PER_HOUR = 2
DEFAULT_BUSINESS_START_HOUR = 9
DEFAULT_BUSINESS_END_HOUR = 18
