"""The transactional outbox (rule 4): write now, deliver after commit with retries and a log."""

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import charset
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Q

from gongdan.automation import delivery, sms
from gongdan.automation.constants import (
    CLAIM_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    RECORD_PATIENCE_SECONDS,
    RETRYABLE_STATES,
    NotificationChannel,
    OutboxKind,
    OutboxState,
)
from gongdan.automation.models import DeliveryAttempt, NotificationPreference, OutboxMessage
from gongdan.core import clock, netguard
from gongdan.core.aftercommit import after_commit
from gongdan.core.errors import InvalidInput

log = logging.getLogger(__name__)

# Callables `hook(message) -> dict` adding mail headers to an outbound email while it is enqueued
# (intake registers the threading headers Message-ID / In-Reply-To / References). A hook may also
# offer `hook.many(messages) -> list[dict]`, the same for a batch at once (`notify_many`).
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
    after_commit(_kick_worker)
    return message


def _add_headers(message: OutboxMessage) -> None:
    headers = {}
    for hook in EMAIL_HEADER_HOOKS:
        headers.update(hook(message) or {})
    if headers:
        message.payload = {**message.payload, "headers": headers}
        message.save(update_fields=["payload"])


def _enqueue(
    *, kind: str, recipient: str, subject: str, body: str, ticket, dedupe_key: str | None, at, payload=None
) -> OutboxMessage:
    message = _message(kind, recipient, subject, body, ticket, dedupe_key, clock.now(), at, payload)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    after_commit(_kick_worker)
    return message


def quiet_until(preference: NotificationPreference, now: datetime, *, urgent: bool) -> datetime | None:
    """The end of the person's quiet hours if `now` falls inside them (their own time zone), else None."""
    if not preference.has_quiet_hours or (urgent and preference.urgent_ignores_quiet_hours):
        return None
    try:
        tz = ZoneInfo(preference.user.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("Asia/Shanghai")
    local = now.astimezone(tz)
    start, end = preference.quiet_start, preference.quiet_end
    moment = local.time()
    if start < end:
        inside, end_day = start <= moment < end, local.date()
    else:  # overnight quiet hours, e.g. 22:00–08:00
        inside = moment >= start or moment < end
        end_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)


def _masked(url: str) -> str:
    """What the delivery log shows of an apprise URL: scheme and host, never the tokens."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"


MAX_PREFERENCES = 10
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,30}$")


def _valid_target(channel: str, target: str) -> bool:
    if channel == NotificationChannel.EMAIL:
        try:
            validate_email(target)
        except ValidationError:
            return not target  # empty: the account's address
        return True
    if channel == NotificationChannel.SMS:
        return not target or bool(PHONE.match(target))
    apprise = _apprise()
    return bool(target) and apprise.Apprise(asset=_asset()).add(target)


# apprise schemes whose "host" part is a network host; for the others (wecombot://KEY,
# dingtalk://TOKEN…) it is a token and only an address-like spelling of it is checked.
HOST_SCHEMES = frozenset(
    {"json", "jsons", "xml", "xmls", "form", "forms", "ntfy", "ntfys", "gotify", "gotifys", "mmost", "mmosts"}
    | {"rocket", "rockets", "matrix", "matrixs", "apprise", "apprises", "ncloud", "nclouds", "nctalk", "nctalks"}
)


REASONS_ZH = {
    "loopback": "本机回环",
    "private": "内网",
    "link-local": "链路本地",
    "unspecified": "未指定",
    "multicast": "组播",
    "reserved": "保留",
    "non-global": "非公网",
}


def address_refusal(channel: str, target: str) -> InvalidInput | None:
    """The SSRF check of a push URL when it is saved: a bilingual error, or None when allowed."""
    if channel != NotificationChannel.APPRISE or not target:
        return None
    scheme = target.partition("://")[0].lower()
    try:
        netguard.check_url(target, resolve_names=scheme in HOST_SCHEMES)
    except netguard.BlockedAddress as exc:
        return InvalidInput(
            f"The push URL points to a {exc.reason} address ({exc.address}), which notifications may not reach. "
            "An administrator can allow-list the network (GONGDAN_OUTBOUND_ALLOWED_NETWORKS).",
            f"推送地址指向{REASONS_ZH.get(exc.reason, exc.reason)}地址（{exc.address}），通知不得发往该地址。"
            "管理员可将该网段加入白名单（GONGDAN_OUTBOUND_ALLOWED_NETWORKS）。",
            fields={"target": "blocked_address"},
        )
    except netguard.UnresolvableHost:
        # Checked again at every send; a name that does not resolve yet is not an SSRF.
        return None
    return None


@transaction.atomic
def replace_preferences(*, user, items: list[dict]) -> list[NotificationPreference]:
    """Replace a person's channels in one step; any invalid item refuses the whole list."""
    if len(items) > MAX_PREFERENCES:
        raise InvalidInput(
            f"At most {MAX_PREFERENCES} channels.",
            f"最多 {MAX_PREFERENCES} 个通知渠道。",
            fields={"channels": "too_many"},
        )
    for index, item in enumerate(items):
        item["target"] = (item.get("target") or "").strip()
        if not _valid_target(item["channel"], item["target"]):
            raise InvalidInput(
                f"Channel {index + 1}: the address does not fit the channel {item['channel']}.",
                f"第 {index + 1} 个渠道：地址与渠道类型 {item['channel']} 不符。",
                fields={f"{index}.target": "invalid"},
            )
        refused = address_refusal(item["channel"], item["target"])
        if refused is not None:
            raise InvalidInput(
                f"Channel {index + 1}: {refused.message_en}",
                f"第 {index + 1} 个渠道：{refused.message_zh}",
                fields={f"{index}.target": "blocked_address"},
            )
    NotificationPreference.objects.filter(user=user).delete()
    return [NotificationPreference.objects.create(user=user, **item) for item in items]


def masked_target(channel: str, target: str) -> str:
    return _masked(target) if channel == NotificationChannel.APPRISE and target else target


def _preferences(user, urgent: bool) -> list[NotificationPreference]:
    prefs = [p for p in user.notification_preferences.all() if p.is_active]
    return [p for p in prefs if urgent or not p.urgent_only]


def notify(
    *, recipients, subject: str, body: str, ticket=None, urgent: bool = False, dedupe_key: str | None = None
) -> list[OutboxMessage]:
    """Tell staff members something (escalations, alerts) on the channels each of them chose.

    One outbox message per person and channel. People without preferences get email. Quiet hours
    delay the message to their end unless it is urgent (R7.6). Call inside the causing transaction.
    """
    messages, seen = [], set()
    prefix = "[紧急 URGENT] " if urgent else ""
    now = clock.now()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        prefs = _preferences(user, urgent)
        if not prefs and user.email:
            key = f"{dedupe_key}:{user.pk}" if dedupe_key else None
            messages.append(
                enqueue_email(recipient=user.email, subject=prefix + subject, body=body, ticket=ticket, dedupe_key=key)
            )
        for pref in prefs:
            message = _via_preference(pref, user, prefix + subject, body, ticket, dedupe_key, now, urgent)
            if message is not None:
                messages.append(message)
    return messages


@dataclass
class Notice:
    """One `notify` call's worth: what to tell whom (see `notify_many`)."""

    recipients: list
    subject: str
    body: str
    ticket: object = None
    urgent: bool = False
    dedupe_key: str | None = None


def notify_many(notices: list[Notice]) -> list[OutboxMessage]:
    """`notify` for many notices at once: one query for everyone's channels, one insert for all messages.

    The same messages as calling `notify` for each notice in turn. Call inside the causing transaction.
    """
    users = {user.pk: user for notice in notices for user in notice.recipients if user is not None and user.is_active}
    if not users:
        return []
    prefs: dict[int, list[NotificationPreference]] = {pk: [] for pk in users}
    rows = NotificationPreference.objects.filter(user_id__in=list(users), is_active=True).order_by("channel", "pk")
    for pref in rows:
        pref.user = users[pref.user_id]  # the instance at hand: quiet hours read its time zone
        prefs[pref.user_id].append(pref)
    now = clock.now()
    planned = [item for notice in notices for item in _plan_notice(notice, prefs, now)]
    messages = [message for message, _threaded in planned]
    if not messages:
        return []
    try:
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(messages)
    except IntegrityError:
        # A dedupe key met an existing message (a retried call): one by one, as `notify` does.
        return [_enqueue_planned(message, threaded) for message, threaded in planned]
    _add_headers_many([message for message, threaded in planned if threaded])
    after_commit(_kick_worker)
    return messages


def _plan_notice(notice: Notice, prefs: dict, now: datetime) -> list[tuple[OutboxMessage, bool]]:
    """(message, gets the email header hooks) for each message of one notice, in `notify`'s order."""
    planned, seen = [], set()
    subject = ("[紧急 URGENT] " if notice.urgent else "") + notice.subject
    key = notice.dedupe_key
    for user in notice.recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        chosen = [p for p in prefs[user.pk] if notice.urgent or not p.urgent_only]
        if not chosen and user.email:
            dedupe = key and f"{key}:{user.pk}"
            email = _message(OutboxKind.EMAIL, user.email, subject, notice.body, notice.ticket, dedupe, now)
            planned.append((email, True))
        for pref in chosen:
            spec = _channel_spec(pref, user, subject, notice.body)
            if spec is not None:
                kind, recipient, text, payload = spec
                dedupe = key and f"{key}:{user.pk}:{pref.pk}"
                at = quiet_until(pref, now, urgent=notice.urgent)
                message = _message(kind, recipient, subject, text, notice.ticket, dedupe, now, at, payload)
                planned.append((message, False))
    return planned


def _message(kind, recipient, subject, body, ticket, dedupe_key, now, at=None, payload=None) -> OutboxMessage:
    return OutboxMessage(
        kind=kind,
        recipient=recipient[:300],
        subject=subject[:300],
        body=body,
        payload=payload or {},
        ticket=ticket,
        dedupe_key=dedupe_key or None,
        next_attempt_at=at or now,
        created_at=now,
    )


def _enqueue_planned(message: OutboxMessage, threaded: bool) -> OutboxMessage:
    if threaded:
        return enqueue_email(
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            ticket=message.ticket,
            dedupe_key=message.dedupe_key,
        )
    return _enqueue(
        kind=message.kind,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        ticket=message.ticket,
        dedupe_key=message.dedupe_key,
        at=message.next_attempt_at,
        payload=message.payload,
    )


def _add_headers_many(messages: list[OutboxMessage]) -> None:
    if not messages or not EMAIL_HEADER_HOOKS:
        return
    headers: list[dict] = [{} for _ in messages]
    for hook in EMAIL_HEADER_HOOKS:
        many = getattr(hook, "many", None)
        for found, extra in zip(headers, many(messages) if many else map(hook, messages), strict=True):
            found.update(extra or {})
    changed = []
    for message, found in zip(messages, headers, strict=True):
        if found:
            message.payload = {**message.payload, "headers": found}
            changed.append(message)
    if changed:
        OutboxMessage.objects.bulk_update(changed, ["payload"])


def _channel_spec(pref, user, subject: str, body: str) -> tuple[str, str, str, dict | None] | None:
    """(kind, recipient, body, payload) of the message one preference asks for, or None."""
    if pref.channel == NotificationChannel.EMAIL:
        address = pref.target or user.email
        return (OutboxKind.EMAIL, address, body, None) if address else None
    if pref.channel == NotificationChannel.APPRISE and pref.target:
        recipient = f"{user.username} · {_masked(pref.target)}"
        return OutboxKind.APPRISE, recipient, body, {"url": pref.target}
    phone = pref.target or user.phone
    if pref.channel == NotificationChannel.SMS and phone:
        return OutboxKind.SMS, phone, subject, None  # a text message carries the headline only
    return None


def _via_preference(pref, user, subject, body, ticket, dedupe_key, now, urgent) -> OutboxMessage | None:
    key = f"{dedupe_key}:{user.pk}:{pref.pk}" if dedupe_key else None
    at = quiet_until(pref, now, urgent=urgent)
    if pref.channel == NotificationChannel.EMAIL:
        address = pref.target or user.email
        if not address:
            return None
        return _enqueue(
            kind=OutboxKind.EMAIL, recipient=address, subject=subject, body=body, ticket=ticket, dedupe_key=key, at=at
        )
    if pref.channel == NotificationChannel.APPRISE and pref.target:
        return _enqueue(
            kind=OutboxKind.APPRISE,
            recipient=f"{user.username} · {_masked(pref.target)}",
            subject=subject,
            body=body,
            ticket=ticket,
            dedupe_key=key,
            at=at,
            payload={"url": pref.target},
        )
    phone = pref.target or user.phone
    if pref.channel == NotificationChannel.SMS and phone:
        return _enqueue(
            kind=OutboxKind.SMS,
            recipient=phone,
            subject=subject,
            body=subject,  # a text message carries the headline only
            ticket=ticket,
            dedupe_key=key,
            at=at,
        )
    return None


def _kick_worker() -> None:
    # Deliver promptly after commit; the periodic sweep catches anything this misses.
    from gongdan.automation.tasks import deliver_outbox_task

    deliver_outbox_task()


def _claim(message_id: int) -> bool:
    """Take a message for sending and count the attempt before anything leaves (issue 24.5)."""
    now = clock.now()
    stale = now - timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
    claimed = OutboxMessage.objects.filter(
        Q(state=OutboxState.PENDING) | Q(state=OutboxState.SENDING, claimed_at__lt=stale), pk=message_id
    ).update(state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def _send(message: OutboxMessage) -> None:
    if message.kind == OutboxKind.EMAIL:
        # A stable Message-ID (intake's threading one, else the outbox's own): a copy sent again
        # after a crash carries the same id, which mail systems recognise as the same message.
        headers = {"Message-ID": delivery.stable_message_id(message), **((message.payload or {}).get("headers") or {})}
        _restore_utf8_headers()
        EmailMessage(subject=message.subject, body=message.body, to=[message.recipient], headers=headers).send()
        return
    if message.kind == OutboxKind.APPRISE:
        _send_apprise(message.payload.get("url", ""), message.subject, message.body)
        return
    if message.kind == OutboxKind.SMS:
        sms.get_sender().send(message.recipient, message.body)
        return
    raise ValueError(f"no sender for outbox kind {message.kind}")


def _apprise():
    import apprise

    return apprise


def _restore_utf8_headers() -> None:
    """Undo apprise's process-wide charset change before Django builds an email.

    apprise's email plugin (loaded whenever apprise discovers its plugins) re-registers utf-8 with
    quoted-printable headers; Django's mail would then fold Chinese subjects so that they read back
    with a leading space. This restores the standard library's own registration.
    """
    charset.add_charset("utf-8", charset.SHORTEST, charset.BASE64, "utf-8")


def _asset():
    # Redirects are never followed: a public URL answering 302 to a local port is the classic SSRF.
    # Sequential delivery keeps the send inside this call (and inside the SSRF guard's context).
    return _apprise().AppriseAsset(http_redirects=False, async_mode=False)


def _send_apprise(url: str, title: str, body: str) -> None:
    apprise = _apprise()
    pusher = apprise.Apprise(asset=_asset())
    if not url or not pusher.add(url):
        raise ValueError("not a valid apprise URL")
    # Resolved, checked and pinned at send time: a URL saved before a DNS change is caught here.
    with netguard.guarded() as refusals:
        delivered = pusher.notify(title=title, body=body)
    if refusals:
        raise refusals[0]
    if not delivered:
        raise RuntimeError("apprise reported a failed delivery")


def _record(message: OutboxMessage, error: str | None, *, at=None) -> None:
    """The attempt's outcome and the delivery-log row, together (the attempt was counted at claim)."""
    now = at or clock.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(message=message, at=now, ok=error is None, error=error or "")
        if error is None:
            OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.SENT, sent_at=now)
            return
        delay = delivery.retry_delay(message.attempts, message.pk)
        state = OutboxState.DEAD if message.attempts >= MAX_ATTEMPTS else OutboxState.PENDING
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=state, last_error=error[:2000], next_attempt_at=now + timedelta(seconds=delay)
        )


def _record_sent(message: OutboxMessage) -> None:
    """Record a sent message even through a database restart: a row left "sending" is sent again.

    The window in which a crash can still cause a second copy is the worker process dying between
    the server's acceptance and this commit (and, past RECORD_PATIENCE_SECONDS of outage, its
    dying before the database is back); docs/operations.md.
    """
    at = clock.now()
    deadline = time.monotonic() + RECORD_PATIENCE_SECONDS
    pause = 0.2
    while True:
        try:
            _record(message, None, at=at)
            return
        except DatabaseError:
            if connection.in_atomic_block or time.monotonic() > deadline:
                delivery.remember_unrecorded(message.pk, at)
                log.warning("outbox %s was sent but not yet recorded; kept for the next run", message.pk)
                return
            close_old_connections()  # a broken connection is replaced on the next query
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _record_remembered() -> None:
    for pk, at in delivery.unrecorded().items():
        message = OutboxMessage.objects.filter(pk=pk, state=OutboxState.SENDING).first()
        if message is not None:
            _record(message, None, at=at)
        delivery.forget_unrecorded(pk)


def _attempt(message: OutboxMessage, channel: str, now) -> tuple[bool, bool]:
    """Send one claimed message; (sent, the channel's circuit is open after it)."""
    try:
        _send(message)
    except Exception as exc:  # any delivery failure is logged and retried, never lost
        log.warning("outbox delivery %s failed: %s", message.pk, type(exc).__name__)
        _record(message, f"{type(exc).__name__}: {exc}")
        return False, delivery.record_failure(channel, now) if delivery.is_channel_failure(exc) else False
    _record_sent(message)
    if delivery.record_success(channel, now):
        log.info("outbox channel %s is back; its waiting messages are re-driven", channel)
    return True, False


def _deliver_pass(limit: int) -> int:
    """One pass over the due messages; how many were sent."""
    now = clock.now()
    stale = now - timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
    due = (
        OutboxMessage.objects.filter(
            Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, claimed_at__lt=stale)
        )
        .exclude(pk__in=list(delivery.unrecorded()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", "kind", "payload")[:limit]
    )
    gates: dict[str, str] = {}
    sent = 0
    for message_id, kind, payload in list(due):
        channel = delivery.channel_of(kind, payload)
        if gates.get(channel) == delivery.WAIT:
            continue
        gates[channel] = gates.get(channel) or delivery.gate(channel, now)
        if gates[channel] == delivery.WAIT or not _claim(message_id):
            continue
        ok, opened = _attempt(OutboxMessage.objects.get(pk=message_id), channel, now)
        sent += ok
        # A probe decides for its channel; an open circuit holds the rest of the channel back.
        gates[channel] = delivery.WAIT if opened or (gates[channel] == delivery.PROBE and not ok) else delivery.CLOSED
    return sent


def deliver_due(limit: int = 100) -> int:
    """Deliver due messages; safe to run on several workers at once. Returns how many were sent."""
    _record_remembered()
    sent = 0
    for _pass in range(3):
        # A channel that came back re-drives its waiting messages: they are due in the next pass.
        batch_sent = _deliver_pass(limit - sent)
        sent += batch_sent
        if not batch_sent or sent >= limit:
            break
    return sent


def retry_now(message_ids) -> int:
    """Queue failed or waiting messages for delivery now (admin action); returns how many."""
    # A conditional UPDATE: a message a worker is sending right now, or already sent, is left alone.
    count = OutboxMessage.objects.filter(pk__in=list(message_ids), state__in=RETRYABLE_STATES).update(
        state=OutboxState.PENDING, next_attempt_at=clock.now(), claimed_at=None
    )
    if count:
        after_commit(_kick_worker)
    return count
