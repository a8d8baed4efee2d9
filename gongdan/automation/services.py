"""The transactional outbox (rule 4): write now, deliver after commit with retries and a log."""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q

from gongdan.automation.constants import (
    BACKOFF_SECONDS,
    CLAIM_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    RETRYABLE_STATES,
    OutboxKind,
    OutboxState,
)
from gongdan.automation.models import DeliveryAttempt, OutboxMessage
from gongdan.core import clock

log = logging.getLogger(__name__)

# Callables `hook(message) -> dict` adding mail headers to an outbound email while it is enqueued
# (intake registers the threading headers Message-ID / In-Reply-To / References).
EMAIL_HEADER_HOOKS: list = []


def enqueue_email(
    *, recipient: str, subject: str, body: str, ticket=None, dedupe_key: str | None = None
) -> OutboxMessage:
    """Must be called inside the transaction of the change that causes the email."""
    now = clock.now()
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=OutboxKind.EMAIL,
                recipient=recipient,
                subject=subject[:300],
                body=body,
                ticket=ticket,
                dedupe_key=dedupe_key,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    _add_headers(message)
    transaction.on_commit(_kick_worker)
    return message


def _add_headers(message: OutboxMessage) -> None:
    headers = {}
    for hook in EMAIL_HEADER_HOOKS:
        headers.update(hook(message) or {})
    if headers:
        message.payload = {**message.payload, "headers": headers}
        message.save(update_fields=["payload"])


def notify(
    *, recipients, subject: str, body: str, ticket=None, urgent: bool = False, dedupe_key: str | None = None
) -> list[OutboxMessage]:
    """Tell staff members something (escalations, alerts): one outbox message per reachable person.

    Today this is email; per-user channels, preferences and quiet hours extend it here, so callers
    never need to know how a person is reached.
    """
    messages = []
    for user in recipients:
        if not user.email or not user.is_active:
            continue
        key = f"{dedupe_key}:{user.pk}" if dedupe_key else None
        prefix = "[紧急 URGENT] " if urgent else ""
        messages.append(
            enqueue_email(recipient=user.email, subject=prefix + subject, body=body, ticket=ticket, dedupe_key=key)
        )
    return messages


def _kick_worker() -> None:
    # Deliver promptly after commit; the periodic sweep catches anything this misses.
    from gongdan.automation.tasks import deliver_outbox_task

    deliver_outbox_task()


def _claim(message_id: int) -> bool:
    now = clock.now()
    stale = now - timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
    claimed = OutboxMessage.objects.filter(
        Q(state=OutboxState.PENDING) | Q(state=OutboxState.SENDING, claimed_at__lt=stale), pk=message_id
    ).update(state=OutboxState.SENDING, claimed_at=now)
    return claimed == 1


def _send(message: OutboxMessage) -> None:
    if message.kind == OutboxKind.EMAIL:
        headers = (message.payload or {}).get("headers") or None
        EmailMessage(subject=message.subject, body=message.body, to=[message.recipient], headers=headers).send()
        return
    raise ValueError(f"no sender for outbox kind {message.kind}")


def _finish(message: OutboxMessage, error: str | None) -> None:
    now = clock.now()
    attempts = message.attempts + 1
    DeliveryAttempt.objects.create(message=message, at=now, ok=error is None, error=error or "")
    if error is None:
        OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.SENT, attempts=attempts, sent_at=now)
        return
    backoff = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
    state = OutboxState.DEAD if attempts >= MAX_ATTEMPTS else OutboxState.PENDING
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=state, attempts=attempts, last_error=error[:2000], next_attempt_at=now + timedelta(seconds=backoff)
    )


def deliver_due(limit: int = 100) -> int:
    """Deliver due messages; safe to run on several workers at once. Returns how many were sent."""
    now = clock.now()
    stale = now - timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
    due = (
        OutboxMessage.objects.filter(
            Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in list(due):
        if not _claim(message_id):
            continue
        message = OutboxMessage.objects.get(pk=message_id)
        try:
            _send(message)
        except Exception as exc:  # any delivery failure is logged and retried, never lost
            log.warning("outbox delivery %s failed: %s", message_id, exc)
            _finish(message, f"{type(exc).__name__}: {exc}")
        else:
            _finish(message, None)
            sent += 1
    return sent


def retry_now(message_ids) -> int:
    """Queue failed or waiting messages for delivery now (admin action); returns how many."""
    # A conditional UPDATE: a message a worker is sending right now, or already sent, is left alone.
    count = OutboxMessage.objects.filter(pk__in=list(message_ids), state__in=RETRYABLE_STATES).update(
        state=OutboxState.PENDING, next_attempt_at=clock.now(), claimed_at=None
    )
    if count:
        transaction.on_commit(_kick_worker)
    return count
