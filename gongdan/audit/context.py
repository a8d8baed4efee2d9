"""The request behind a configuration change. Admin forms save models without passing an actor, so a
middleware notes the request for its length; `tracking` reads who is asking (user, IP, browser) when a
change happens, so a sign-in earlier in the same request is seen."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from gongdan.core.context import client_ip


@dataclass(frozen=True)
class RequestContext:
    user: Any = None
    ip: str | None = None
    user_agent: str = ""


_request: ContextVar[Any] = ContextVar("audit_request", default=None)


def current() -> RequestContext:
    request = _request.get()
    if request is None:
        return RequestContext()
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    return RequestContext(user=user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


class AuditContextMiddleware:
    """Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
