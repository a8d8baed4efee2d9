"""Brute-force and flood limits on signing in (R14.1): failed passwords per account and per IP lock
sign-in for a while; sign-in link mails are limited per address and per IP. Counters are rows
(`SignInThrottle`), so every web process shares them and an admin can lift a lock."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q

from gongdan.accounts.constants import ThrottleScope
from gongdan.accounts.models import SecurityPolicy, SignInThrottle
from gongdan.audit import services as audit
from gongdan.audit.constants import Action
from gongdan.core import clock


def account_key(username: str) -> str:
    return (username or "").strip().lower()[:200]


def _hit(
    scope: str, key: str, *, window: timedelta, lock_after: int | None, lock_for: timedelta | None
) -> SignInThrottle:
    now = clock.now()
    with transaction.atomic():
        row, _created = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"window_started_at": now}
        )
        if now - row.window_started_at >= window:
            row.count, row.window_started_at = 0, now
        row.count += 1
        if lock_after is not None and row.count >= lock_after:
            row.locked_until = now + lock_for
        row.save(update_fields=["count", "window_started_at", "locked_until"])
    return row


def locked_until(*, username: str, ip: str | None) -> datetime | None:
    """The end of the lock that keeps this account or this IP from signing in now, if any."""
    scope = Q(scope=ThrottleScope.ACCOUNT, key=account_key(username))
    if ip:
        scope |= Q(scope=ThrottleScope.IP, key=ip)
    rows = SignInThrottle.objects.filter(scope, locked_until__gt=clock.now())
    return rows.aggregate(end=Max("locked_until"))["end"]


def register_failure(*, username: str, ip: str | None, user_agent: str = "", reason: str = "") -> datetime | None:
    """Count a failed sign-in; returns the lock's end when this failure locked the account or IP."""
    policy = SecurityPolicy.current()
    window = timedelta(minutes=policy.lockout_window_minutes)
    lock_for = timedelta(minutes=policy.lockout_minutes)
    key = account_key(username)
    rows = [
        _hit(ThrottleScope.ACCOUNT, key, window=window, lock_after=policy.lockout_account_failures, lock_for=lock_for)
    ]
    if ip:
        rows.append(_hit(ThrottleScope.IP, ip, window=window, lock_after=policy.lockout_ip_failures, lock_for=lock_for))
    user = _user(key)
    audit.record(action=Action.SIGNIN_FAILURE, actor=user, actor_label=key, ip=ip, user_agent=user_agent, detail=reason)
    now = clock.now()
    locks = [row for row in rows if row.locked_until and row.locked_until > now]
    if not locks:
        return None
    for row in locks:
        audit.record(
            action=Action.SIGNIN_LOCKOUT,
            actor=user,
            actor_label=key,
            ip=ip,
            user_agent=user_agent,
            detail=f"{row.scope}:{row.key} until {row.locked_until.isoformat()}",
        )
    return max(row.locked_until for row in locks)


def register_success(*, username: str) -> None:
    """A correct sign-in forgets the account's failures (not the IP's: one good password from an
    address does not excuse the other names it tried)."""
    SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=account_key(username)).delete()


@transaction.atomic
def unlock(*, actor, throttle: SignInThrottle, ip: str | None = None) -> None:
    """An admin lifts a lock (and forgets the failures)."""
    audit.record(
        action=Action.SIGNIN_UNLOCK,
        actor=actor,
        ip=ip,
        target=throttle,
        before={"count": throttle.count, "locked_until": throttle.locked_until and throttle.locked_until.isoformat()},
        after=None,
        detail=f"{throttle.scope}:{throttle.key}",
    )
    throttle.delete()


def allow_link_mail(*, email: str, ip: str | None) -> bool:
    """Whether one more sign-in link may be mailed to `email` on a request from `ip`."""
    policy = SecurityPolicy.current()
    window = timedelta(minutes=policy.link_window_minutes)
    allowed = True
    if ip:
        row = _hit(ThrottleScope.LINK_IP, ip, window=window, lock_after=None, lock_for=None)
        allowed = row.count <= policy.link_requests_per_ip
    if allowed:
        row = _hit(
            ThrottleScope.LINK_ADDRESS, email.strip().lower()[:200], window=window, lock_after=None, lock_for=None
        )
        allowed = row.count <= policy.link_mails_per_address
    return allowed


def _user(key: str):
    from gongdan.accounts.models import User

    return User.objects.filter(username__iexact=key).first() if key else None
