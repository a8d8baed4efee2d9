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
# Retry n (1-based) waits RETRY_BASE_SECONDS · 2^(n-1), capped at RETRY_CAP_SECONDS, of which a
# jittered 50–100 % (`delivery.retry_delay`): recovery is minutes away at most, and the messages of
# one outage do not all come back in the same second.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 300
# A message claimed but not finished within this many seconds is taken over by another worker.
CLAIM_TIMEOUT_SECONDS = 300
# After a send succeeded, a worker keeps trying to record it this long through a database outage
# (less than CLAIM_TIMEOUT_SECONDS, so nobody takes the message over and sends it again meanwhile).
RECORD_PATIENCE_SECONDS = 90
# Consecutive channel failures that open a channel's circuit: then one probe at a time is sent.
CIRCUIT_THRESHOLD = 3
# How long a worker that claimed the probe holds it before another worker may probe instead.
PROBE_LEASE_SECONDS = 60

# States an admin may send back to delivery now.
RETRYABLE_STATES = [OutboxState.PENDING, OutboxState.DEAD]
