"""Session policies (R14.1): idle timeout, absolute lifetime, a list of one's signed-in browsers
with revoke, and "sign out everywhere".

The clock of a session lives in the session itself (`gd_started`, `gd_seen`); the policy is checked
and the `UserSession` row that the list shows is touched at most once a minute, so other requests
cost no query. Revoking deletes the Django session from its store, so the browser is signed out at its
next request; the touch also notices a row ended elsewhere (for cookie-based session stores).
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction

from gongdan.accounts import mfa
from gongdan.accounts.constants import SESSION_TOUCH_SECONDS
from gongdan.accounts.models import SecurityPolicy, UserSession
from gongdan.audit import services as audit
from gongdan.audit.constants import Action
from gongdan.core import clock
from gongdan.core.context import client_ip
from gongdan.core.errors import not_found

STARTED, SEEN = "gd_started", "gd_seen"
# Whether this user's role must use a second factor, decided at sign-in and at each touch, so the
# enforcing middleware reads the session only.
MFA_NEEDED = "gd_mfa_needed"


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def start(request, user) -> UserSession:
    """Called on every sign-in (the `user_logged_in` signal): note the browser."""
    now = clock.now()
    request.session[STARTED] = request.session[SEEN] = now.timestamp()
    request.session[MFA_NEEDED] = mfa.required_for(user)
    if request.session.session_key is None:
        request.session.save()
    row, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": client_ip(request),
            "user_agent": _agent(request),
            "ended_at": None,
        },
    )
    return row


def end(request, user) -> None:
    """Called on sign-out (the `user_logged_out` signal)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(ended_at=clock.now())


def expiry_reason(request, policy: SecurityPolicy, now: datetime) -> str | None:
    started, seen = request.session.get(STARTED), request.session.get(SEEN)
    if started is None or seen is None:
        return None
    if now.timestamp() - seen > policy.session_idle_minutes * 60:
        return "idle"
    if now.timestamp() - started > policy.session_absolute_hours * 3600:
        return "absolute"
    return None


def touch(request, now: datetime) -> bool:
    """Record that the browser is still here; False when its row was ended meanwhile (revoked)."""
    key = request.session.session_key
    if key is None:
        return True
    updated = UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
        last_seen_at=now, ip=client_ip(request)
    )
    if not updated:
        if UserSession.objects.filter(session_key=key).exists():
            return False
        # A session from before this feature: adopt it.
        start(request, request.user)
    request.session[SEEN] = now.timestamp()
    request.session.setdefault(STARTED, now.timestamp())
    return True


def open_sessions(user):
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at")


def _drop_from_store(session_key: str) -> None:
    # With the database session store this is part of the same transaction.
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key=session_key).delete()


@transaction.atomic
def revoke(*, actor, session_id: int, ip: str | None = None) -> UserSession:
    """Sign one browser out. Users revoke their own sessions; admins anyone's."""
    rows = UserSession.objects.select_for_update().filter(pk=session_id, ended_at__isnull=True)
    if not (actor.is_superuser or actor.role == "admin"):
        rows = rows.filter(user=actor)
    row = rows.first()
    if row is None:
        raise not_found("session")
    row.ended_at = clock.now()
    row.save(update_fields=["ended_at"])
    _drop_from_store(row.session_key)
    audit.record(action=Action.SESSION_REVOKED, actor=actor, ip=ip, target=row, detail=f"user {row.user_id}")
    return row


@transaction.atomic
def sign_out_everywhere(*, actor, user, keep_session_key: str | None = None, ip: str | None = None) -> int:
    """End every session of `user` except `keep_session_key` (the browser asking, if any)."""
    if actor.pk != user.pk and not (actor.is_superuser or actor.role == "admin"):
        raise not_found("user")
    rows = list(UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True))
    keys = [row.session_key for row in rows if row.session_key != keep_session_key]
    UserSession.objects.filter(session_key__in=keys).update(ended_at=clock.now())
    for key in keys:
        _drop_from_store(key)
    audit.record(action=Action.SIGNOUT_EVERYWHERE, actor=actor, ip=ip, target=user, detail=f"{len(keys)} sessions")
    return len(keys)


class SessionPolicyMiddleware:
    """After AuthenticationMiddleware: ends sessions that were idle or alive too long, or revoked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        # At most once a minute per session: within a minute of the last touch neither limit can
        # have passed, so most requests cost no query at all.
        now = clock.now()
        seen = request.session.get(SEEN)
        if seen is not None and now.timestamp() - seen < SESSION_TOUCH_SECONDS:
            return None
        policy = SecurityPolicy.current()
        reason = expiry_reason(request, policy, now)
        if reason is None and not touch(request, now):
            reason = "revoked"
        if reason is None:
            request.session[MFA_NEEDED] = mfa.required_for(request.user, policy)
            return None
        user = request.user
        if reason != "revoked":
            audit.record(
                action=Action.SESSION_EXPIRED,
                actor=user,
                ip=client_ip(request),
                user_agent=_agent(request),
                detail=reason,
            )
        request.signout_reason = reason
        logout(request)
        return _signed_out_answer(request)


def _signed_out_answer(request):
    from django.contrib.auth.views import redirect_to_login

    from gongdan.core.problems import problem_response

    if request.path.startswith("/api/"):
        return problem_response(
            request, 401, "session-ended", "Your session has ended; sign in again.", "会话已结束，请重新登录。"
        )
    return redirect_to_login(request.get_full_path())


def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    start(request, user)
    audit.record(
        action=Action.SIGNIN_SUCCESS,
        actor=user,
        ip=client_ip(request),
        user_agent=_agent(request),
        detail=getattr(request, "signin_method", ""),
    )


def _on_logout(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    end(request, user)
    if user is not None and getattr(request, "signout_reason", None) is None:
        audit.record(action=Action.SIGNOUT, actor=user, ip=client_ip(request), user_agent=_agent(request))


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out

    user_logged_in.connect(_on_login, dispatch_uid="gongdan.accounts.sessions.login")
    user_logged_out.connect(_on_logout, dispatch_uid="gongdan.accounts.sessions.logout")
