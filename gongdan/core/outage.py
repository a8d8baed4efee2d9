"""Outage answers (issue 24.6): when the database or the queue cannot be reached, every request
answers 503 with `Retry-After` (problem+json under /api/, a bilingual page elsewhere), never a 500
page, and never with the driver's text: clients learn what failed, not where it lives.

Two paths lead here. API views raise into django-ninja, whose handler (`api_support`) answers with
`outage_response`. Everything else (pages, middleware such as the session lookup or the
Idempotency-Key claim) ends in Django's uncaught-exception path, which sends
`got_request_exception`: the receiver marks the request and `OutageMiddleware`, the outermost
middleware, swaps the 500 for the 503.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from gongdan.core.problems import problem_response

log = logging.getLogger(__name__)

_MARK = "_gongdan_outage"


def _queue_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency; SqliteHuey needs no Redis
        return ()
    return (RedisConnectionError, RedisTimeoutError)


DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
QUEUE_ERRORS = _queue_errors()
OUTAGE_ERRORS = DATABASE_ERRORS + QUEUE_ERRORS


def retry_after() -> int:
    return max(1, int(getattr(settings, "GONGDAN_OUTAGE_RETRY_AFTER", 5)))


def _what(exc: BaseException | None) -> tuple[str, str]:
    if exc is not None and isinstance(exc, QUEUE_ERRORS):
        return "the task queue", "任务队列"
    return "the database", "数据库"


def outage_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 + Retry-After: problem+json for the API, the bilingual page for everyone else."""
    what_en, what_zh = _what(exc)
    seconds = retry_after()
    if exc is not None:
        # The operator's log keeps the cause; the answer names only what failed.
        log.warning("outage answer for %s %s: %s: %s", request.method, request.path, type(exc).__name__, exc)
    if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        response = problem_response(
            request,
            503,
            "service-unavailable",
            f"The service is temporarily unavailable ({what_en} cannot be reached). "
            f"Retry after {seconds} seconds; a request sent with an Idempotency-Key is safe to repeat.",
            f"服务暂时不可用（{what_zh}无法访问）。请在 {seconds} 秒后重试；带 Idempotency-Key 的请求可以安全重发。",
        )
    else:
        context = {"retry_after": seconds, "what_en": what_en, "what_zh": what_zh}
        response = HttpResponse(render_to_string("core/unavailable.html", context), status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def _mark_outage(sender, request: HttpRequest | None = None, **kwargs) -> None:
    exc = sys.exc_info()[1]
    if request is not None and exc is not None and isinstance(exc, OUTAGE_ERRORS):
        setattr(request, _MARK, exc)


got_request_exception.connect(_mark_outage, dispatch_uid="gongdan-outage")


class OutageMiddleware:
    """Outermost middleware: a request that failed on an outage answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None and response.status_code >= 500:
            return outage_response(request, exc)
        return response
