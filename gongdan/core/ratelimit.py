"""Fixed-window rate limits per client IP for anonymous (and cheap-to-abuse) forms (issue 13, item 4).

`hit(scope, client, limit=…, window=…)` counts one submission and says whether it is still within
the limit. A conditional UPDATE on one row per (scope, client, window) keeps it exact under
concurrency on SQLite and PostgreSQL; rows older than a day are dropped as new windows open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from gongdan.core import clock
from gongdan.core.models import RateCounter

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window ends


def _window_start(now: datetime, window: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window, tz=UTC)


def hit(scope: str, client: str | None, *, limit: int, window: int) -> Verdict:
    """Count one hit of `client` (an IP) against `limit` per `window` seconds."""
    now = clock.now()
    start = _window_start(now, window)
    retry_after = max(1, int((start + timedelta(seconds=window) - now).total_seconds()))
    client = (client or "unknown")[:64]
    if limit <= 0:
        return Verdict(True, 0, limit, retry_after)
    rows = RateCounter.objects.filter(scope=scope, client=client, window_start=start)
    if not rows.update(hits=F("hits") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(scope=scope, client=client, window_start=start, hits=1)
            RateCounter.objects.filter(window_start__lt=now - KEEP).delete()
        except IntegrityError:  # another request opened the window first
            rows.update(hits=F("hits") + 1)
    hits = rows.values_list("hits", flat=True).first() or 1
    return Verdict(hits <= limit, hits, limit, retry_after)


def check_form(request, scope: str) -> Verdict:
    """One submission of a public form by this client IP, against the configured form limit."""
    from django.conf import settings

    from gongdan.core.context import client_ip

    return hit(
        scope, client_ip(request), limit=settings.GONGDAN_ANON_FORM_LIMIT, window=settings.GONGDAN_ANON_FORM_WINDOW
    )


def refusal_text(verdict: Verdict) -> str:
    from django.conf import settings
    from django.utils.translation import gettext

    return gettext(
        "Too many requests from your network: at most %(limit)d in %(minutes)d minutes. "
        "Nothing was sent; please try again in %(wait)d minutes."
    ) % {
        "limit": verdict.limit,
        "minutes": max(1, settings.GONGDAN_ANON_FORM_WINDOW // 60),
        "wait": max(1, -(-verdict.retry_after // 60)),
    }


def refuse_form(form, verdict: Verdict, render_page):
    """The page answer to a submission over the limit: the form (text kept) with the reason, 429."""
    form.add_error(None, refusal_text(verdict))
    response = render_page(status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
