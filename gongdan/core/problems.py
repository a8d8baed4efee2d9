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


# Django's own answers under /api/ (no route, wrong method, CSRF, oversized body…) in the API's format.
STATUS_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "The request could not be read.", "无法读取该请求。"),
    401: ("unauthenticated", "Authentication is required.", "需要认证。"),
    403: ("forbidden", "This request is not allowed.", "不允许此请求。"),
    404: ("not-found", "There is no such API resource.", "不存在该 API 资源。"),
    405: ("method-not-allowed", "This method is not allowed here.", "此处不允许该请求方法。"),
    406: ("not-acceptable", "The API answers in JSON only.", "API 只返回 JSON。"),
    413: ("too-large", "The request body is too large.", "请求内容过大。"),
    415: ("unsupported-media-type", "This content type is not accepted.", "不接受该内容类型。"),
    429: ("too-many-requests", "Too many requests; try again later.", "请求过于频繁，请稍后再试。"),
}


class ApiProblemMiddleware:
    """Every 4xx under /api/ is application/problem+json, whoever produced it (issue 13, item 8).

    Outermost middleware: it also sees the 400s Django turns exceptions of other middleware into.
    Answers already in problem+json (the API's own errors) pass untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or not 400 <= response.status_code < 500:
            return response
        if response.get("Content-Type", "").startswith("application/problem+json"):
            return response
        slug, detail_en, detail_zh = STATUS_PROBLEMS.get(
            response.status_code, ("http-error", "The request was refused.", "请求被拒绝。")
        )
        converted = problem_response(request, response.status_code, slug, detail_en, detail_zh)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                converted[header] = response[header]
        return converted
