"""`/healthz` for load balancers and monitors (anonymous): what is down, never where it lives."""

import logging
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from gongdan.core.outage import retry_after

log = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is "unavailable"; the detail goes to the log only
        log.warning("healthz: database unavailable: %s: %s", type(exc).__name__, exc)
        return False
    return True


def _queue_ok() -> bool:
    """Redis when the queue lives there (a down queue delays notifications, it loses nothing)."""
    from huey import RedisHuey
    from huey.contrib.djhuey import HUEY

    if not isinstance(HUEY, RedisHuey):
        return True  # SqliteHuey: the queue is a local file
    try:
        HUEY.storage.conn.ping()
    except Exception as exc:
        log.warning("healthz: queue unavailable: %s: %s", type(exc).__name__, exc)
        return False
    return True


def healthz(request: HttpRequest) -> JsonResponse:
    if not _database_ok():
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(retry_after())
        return response
    queue = "ok" if _queue_ok() else "unavailable"
    # The web answers while the queue is down (the sweeps catch up): degraded, still 200.
    status = "ok" if queue == "ok" else "degraded"
    return JsonResponse({"status": status, "database": connection.vendor, "queue": queue})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for on every page whatever the page links."""
    icon = finders.find("favicon.ico")
    response = HttpResponse(Path(icon).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
