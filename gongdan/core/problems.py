"""RFC 9457 problem details (`application/problem+json`) with bilingual human text."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

PROBLEM_BASE = "https://gongdan.dev/problems/"


def wants_chinese(request: HttpRequest) -> bool:
    language = getattr(request, "LANGUAGE_CODE", "") or request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    return language.lower().startswith("zh")


def problem_response(
    request: HttpRequest,
    status: int,
    type_slug: str,
    detail_en: str,
    detail_zh: str,
    *,
    errors: Any = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": type_slug.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail_zh if wants_chinese(request) else detail_en,
        "detail_en": detail_en,
        "detail_zh": detail_zh,
    }
    if errors is not None:
        body["errors"] = errors
    # Extension members (RFC 9457 §3.2), e.g. a ticket's current values beside a refused stale write.
    body.update(extra or {})
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/problem+json",
    )
