"""`Idempotency-Key` on POST under /api/: the first answer is stored and replayed to retries.

The key is scoped to the caller (token digest or session user), so two integrators cannot collide.
A retry with the same key but a different body is refused with 422; a retry that arrives while
the first request is still running gets 409 and may try again.
"""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from gongdan.core import clock
from gongdan.core.models import IdempotencyRecord
from gongdan.core.problems import problem_response

HEADER = "HTTP_IDEMPOTENCY_KEY"
IN_FLIGHT_TIMEOUT = timedelta(minutes=2)
MAX_KEY_LENGTH = 200


def _scope(request: HttpRequest) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "token:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.path.encode())
    digest.update(request.META.get("CONTENT_TYPE", "").split(";")[0].encode())
    digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return problem_response(
                request,
                400,
                "invalid-idempotency-key",
                "The Idempotency-Key header is longer than 200 characters.",
                "Idempotency-Key 超过 200 个字符。",
            )
        record, replay = self._claim(request, key)
        if replay is not None:
            return replay
        response = self.get_response(request)
        self._store(record, response)
        return response

    def _claim(self, request: HttpRequest, key: str) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
        scope, body_hash = _scope(request), _request_hash(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_hash=body_hash,
                    created_at=clock.now(),
                )
            return record, None
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(scope=scope, key=key)
        if existing.request_hash != body_hash:
            return None, problem_response(
                request,
                422,
                "idempotency-key-reused",
                "This Idempotency-Key was already used with a different request.",
                "该 Idempotency-Key 已用于另一个不同的请求。",
            )
        if existing.status_code is None:
            if clock.now() - existing.created_at < IN_FLIGHT_TIMEOUT:
                return None, problem_response(
                    request,
                    409,
                    "idempotency-in-progress",
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。",
                )
            # The first attempt died without an answer: this retry takes over.
            existing.created_at = clock.now()
            existing.save(update_fields=["created_at"])
            return existing, None
        replay = HttpResponse(
            bytes(existing.response_body or b""),
            status=existing.status_code,
            content_type=existing.content_type,
        )
        replay["Idempotent-Replayed"] = "true"
        return None, replay

    @staticmethod
    def _store(record: IdempotencyRecord | None, response: HttpResponse) -> None:
        if record is None:
            return
        if response.status_code >= 500 or getattr(response, "streaming", False):
            # A server error is not an answer worth replaying: let the client retry for real.
            record.delete()
            return
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.response_body = response.content
        record.save(update_fields=["status_code", "content_type", "response_body"])
