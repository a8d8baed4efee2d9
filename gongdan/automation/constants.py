from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    APPRISE = "apprise", _("IM / chat push (apprise)")
    SMS = "sms", _("SMS")


class NotificationChannel(models.TextChoices):
    """How a staff member wants to be reached (R7.6); IM and webhooks go through apprise URLs."""

    EMAIL = "email", _("Email")
    APPRISE = "apprise", _("WeCom / DingTalk / Feishu / Slack / JSON webhook (apprise URL)")
    SMS = "sms", _("SMS")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed permanently")


MAX_ATTEMPTS = 8
# Seconds before retry n (1-based); the last value repeats.
BACKOFF_SECONDS = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600]
# A message claimed but not finished within this many seconds is taken over by another worker.
CLAIM_TIMEOUT_SECONDS = 300

# States an admin may send back to delivery now.
RETRYABLE_STATES = [OutboxState.PENDING, OutboxState.DEAD]
