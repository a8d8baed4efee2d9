"""How the outbox retries (issue 24.5/24.7): jittered capped steps, circuits per channel, stable
Message-IDs, and recording a sent message through a database outage.

Pure maths first (`retry_delay`, `channel_of`, `is_channel_failure`), then the circuit rows.
`services.deliver_due` is the loop that uses them.
"""

from __future__ import annotations

import hashlib
import smtplib
import threading
from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q

from gongdan.automation.constants import (
    CIRCUIT_THRESHOLD,
    PROBE_LEASE_SECONDS,
    RETRY_BASE_SECONDS,
    RETRY_CAP_SECONDS,
    OutboxKind,
    OutboxState,
)
from gongdan.automation.models import DeliveryCircuit, OutboxMessage

# ---- pure -----------------------------------------------------------------------------------


def _fraction(*parts: object) -> float:
    """A stable number in [0, 1) from `parts`: the same message retries at the same moments."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


def retry_delay(attempt: int, salt: object) -> float:
    """Seconds before retry `attempt` (1-based): exponential, capped, 50–100 % of the step."""
    step = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return step * (0.5 + 0.5 * _fraction(salt, attempt))


def channel_of(kind: str, payload: dict | None) -> str:
    """The circuit a message belongs to: its kind, and for pushes the host they go to."""
    if kind == OutboxKind.APPRISE:
        url = (payload or {}).get("url", "")
        return f"apprise:{urlsplit(url).hostname or url.split('://', 1)[0]}"[:200]
    return kind


def is_channel_failure(exc: BaseException) -> bool:
    """True when the channel failed (down, timed out, busy), False when this one message was refused."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500  # 4xx: try later; 5xx: this message is refused for good
    return not isinstance(exc, ValueError | TypeError | UnicodeError)


def stable_message_id(message: OutboxMessage) -> str:
    """One Message-ID per outbox message, the same on every attempt: a resent copy is recognisable."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rsplit("@", 1)[1] if "@" in address else "gongdan.local"
    return f"<gd-outbox-{message.pk}-{message.created_at:%Y%m%d%H%M%S}@{domain}>"


# ---- circuits -------------------------------------------------------------------------------

CLOSED, PROBE, WAIT = "closed", "probe", "wait"


def gate(channel: str, now: datetime) -> str:
    """CLOSED: send; PROBE: this worker sends the one probe of an open circuit; WAIT: leave it."""
    circuit = DeliveryCircuit.objects.filter(channel=channel).first()
    if circuit is None or circuit.failures < CIRCUIT_THRESHOLD:
        return CLOSED
    if circuit.open_until is not None and circuit.open_until > now:
        return WAIT
    # Half-open: one worker wins the probe (conditional UPDATE); the lease stops a second one.
    won = DeliveryCircuit.objects.filter(
        Q(open_until__isnull=True) | Q(open_until__lte=now), pk=circuit.pk, failures=circuit.failures
    ).update(open_until=now + timedelta(seconds=PROBE_LEASE_SECONDS))
    return PROBE if won else WAIT


def record_failure(channel: str, now: datetime) -> bool:
    """Count a channel failure; True when the circuit is (now) open."""
    circuit, _created = DeliveryCircuit.objects.get_or_create(channel=channel, defaults={"changed_at": now})
    DeliveryCircuit.objects.filter(pk=circuit.pk).update(failures=F("failures") + 1, changed_at=now)
    circuit.refresh_from_db()
    if circuit.failures < CIRCUIT_THRESHOLD:
        return False
    probe_at = now + timedelta(seconds=retry_delay(circuit.failures - CIRCUIT_THRESHOLD + 1, channel))
    DeliveryCircuit.objects.filter(pk=circuit.pk).update(open_until=probe_at)
    return True


def record_success(channel: str, now: datetime) -> int:
    """Close the channel's circuit; if it had failures, re-drive its waiting messages. Returns how many."""
    closed = DeliveryCircuit.objects.filter(channel=channel, failures__gt=0).update(
        failures=0, open_until=None, changed_at=now
    )
    if not closed:
        return 0
    waiting = OutboxMessage.objects.filter(state=OutboxState.PENDING, attempts__gt=0, next_attempt_at__gt=now)
    if channel.startswith("apprise:"):
        host = channel.split(":", 1)[1]
        waiting = waiting.filter(kind=OutboxKind.APPRISE, recipient__contains=f"://{host}/")
    else:
        waiting = waiting.filter(kind=channel)
    return waiting.update(next_attempt_at=now)


# ---- sent but not yet recorded --------------------------------------------------------------

# Messages this process sent while the database could not record it (kept past RECORD_PATIENCE):
# recorded first thing on the next delivery run. pk → the moment it was sent.
_unrecorded: dict[int, datetime] = {}
_unrecorded_lock = threading.Lock()


def remember_unrecorded(pk: int, at: datetime) -> None:
    with _unrecorded_lock:
        _unrecorded[pk] = at


def unrecorded() -> dict[int, datetime]:
    with _unrecorded_lock:
        return dict(_unrecorded)


def forget_unrecorded(pk: int) -> None:
    with _unrecorded_lock:
        _unrecorded.pop(pk, None)
