"""Domain errors raised by services; the API renders them as application/problem+json.

Each error has a stable `type` slug, an HTTP status and a bilingual human message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    type = "domain-error"
    status = 400

    def __init__(self, message_en: str, message_zh: str, *, fields: dict[str, Any] | None = None):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        self.fields = fields or {}

    def message(self, language: str | None) -> str:
        if language and language.lower().startswith("zh"):
            return self.message_zh
        return self.message_en

    @property
    def bilingual(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


class InvalidInput(DomainError):
    type = "invalid-input"
    status = 422


class IllegalTransition(DomainError):
    type = "illegal-transition"
    status = 409


class ReasonRequired(DomainError):
    type = "reason-required"
    status = 422


class VagueSummary(DomainError):
    type = "vague-summary"
    status = 422


class NotFound(DomainError):
    """Also used for objects the actor may not see: the same answer as for a missing object."""

    type = "not-found"
    status = 404


class PermissionDenied(DomainError):
    type = "forbidden"
    status = 403


class AttachmentRejected(DomainError):
    type = "attachment-rejected"
    status = 422


class InsufficientStorage(DomainError):
    """The media disk is full (or over quota): nothing of the action was stored; try again later."""

    type = "insufficient-storage"
    status = 507


class TokenInvalid(DomainError):
    type = "invalid-token"
    status = 400


def not_found(what: str = "object") -> NotFound:
    return NotFound(f"The {what} does not exist.", "对象不存在。")


class ConcurrentChange(DomainError):
    """Another request changed the same object between this request's read and its write."""

    type = "concurrent-change"
    status = 409


class PreconditionFailed(DomainError):
    """`If-Match` (or a form's version field) names a version the object no longer has.

    `current` carries the object's current values so the client can show them beside its own.
    """

    type = "precondition-failed"
    status = 412

    def __init__(self, message_en: str, message_zh: str, *, current: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(message_en, message_zh, **kwargs)
        self.current = current or {}
