"""`Idempotency-Key` on POST under /api/: the first answer is stored and replayed to retries.

The key is scoped to the caller (token digest or session user), so two integrators cannot collide.
A retry with the same key but a different body is refused with 422.

The claim, the request's own writes and the stored answer are one transaction (issue 24.1/24.4):
- the record follows what was committed: a committed create always has its answer stored beside
  it, and an answer that is a server error rolls the writes back with the claim, so a retry after
  a 5xx runs for real and a retry after anything else replays;
- an in-progress claim is an uncommitted row: it dies with its connection (a killed worker, a
  database restart), and on PostgreSQL with `GONGDAN_IDEMPOTENCY_CLAIM_SECONDS` (≤ 30 s) without
  progress (idle-in-transaction and statement timeouts). A retry that meets a live claim waits for
  it (at most `GONGDAN_IDEMPOTENCY_WAIT_SECONDS`) and then replays its answer, takes over if it
  died, or gets 409 with `Retry-After`.
"""

import hashlib

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse

from gongdan.core import clock
from gongdan.core.models import IdempotencyRecord
from gongdan.core.problems import problem_response

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 200
MAX_CLAIM_SECONDS = 30


def claim_seconds() -> int:
    return max(1, min(MAX_CLAIM_SECONDS, int(getattr(settings, "GONGDAN_IDEMPOTENCY_CLAIM_SECONDS", 30))))


def wait_seconds() -> int:
    return max(1, int(getattr(settings, "GONGDAN_IDEMPOTENCY_WAIT_SECONDS", 5)))


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


class _Busy(Exception):
    """The key's claim is held by a request still running (PostgreSQL lock wait timed out)."""


def _set_local(**values: str) -> None:
    """PostgreSQL settings for the rest of the current transaction, in one round trip."""
    if connection.vendor == "postgresql":
        calls = ", ".join("set_config(%s, %s, true)" for _ in values)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {calls}", [part for item in values.items() for part in item])


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
        with transaction.atomic():
            # The claim must not outlive a stuck request: the server ends the transaction first.
            limit = f"{claim_seconds()}s"
            _set_local(
                idle_in_transaction_session_timeout=limit, statement_timeout=limit, lock_timeout=f"{wait_seconds()}s"
            )
            record, answer = self._claim(request, key)
            if answer is not None:
                return answer
            response = self.get_response(request)
            if response.status_code >= 500:
                # Not an answer worth replaying: nothing of this attempt stays, a retry runs for real.
                transaction.set_rollback(True)
                return response
            self._store(record, response)
        return response

    def _claim(self, request: HttpRequest, key: str) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
        scope, body_hash = _scope(request), _request_hash(request)
        try:
            record = self._insert(request, scope, key, body_hash)
        except _Busy:
            return None, self._in_progress(request)
        if record is not None:
            return record, None
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
            # A claim committed without its answer (written before claims lived in the request's
            # transaction): its request is long gone, so this retry takes over.
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
    def _insert(request: HttpRequest, scope: str, key: str, body_hash: str) -> IdempotencyRecord | None:
        """The new claim, or None when the key is already committed; `_Busy` while a live claim holds it."""
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_hash=body_hash,
                    created_at=clock.now(),
                )
        except IntegrityError:
            return None
        except DatabaseError as exc:
            if getattr(getattr(exc, "__cause__", None), "sqlstate", None) == "55P03":  # lock_not_available
                raise _Busy from exc
            raise
        finally:
            _set_local(lock_timeout="0")  # the wait bounds the claim only, not the view's own locks

    @staticmethod
    def _in_progress(request: HttpRequest) -> HttpResponse:
        response = problem_response(
            request,
            409,
            "idempotency-in-progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。",
        )
        response["Retry-After"] = "1"
        return response

    @staticmethod
    def _store(record: IdempotencyRecord, response: HttpResponse) -> None:
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        # A streamed answer cannot be kept: its retry learns the status (the writes did happen).
        record.response_body = b"" if getattr(response, "streaming", False) else response.content
        record.save(update_fields=["status_code", "content_type", "response_body"])
