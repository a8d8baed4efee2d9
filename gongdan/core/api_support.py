"""Shared API plumbing: authentication (token or session) and problem+json error rendering."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, django_auth

from gongdan.accounts.models import ApiToken
from gongdan.core import clock
from gongdan.core.errors import DomainError
from gongdan.core.outage import OUTAGE_ERRORS, outage_response
from gongdan.core.problems import STATUS_PROBLEMS, problem_response


def api_datetime(value: datetime) -> str:
    """The API's one datetime format: UTC, always milliseconds, `Z` (2026-12-03T03:00:00.000Z).

    Django's encoder drops the fraction on a whole second, so a client parsing a fixed format
    broke whenever a deadline fell on one (issue 13, item 9).
    """
    if value.tzinfo is None:
        return value.isoformat(timespec="milliseconds")
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ApiJSONEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return api_datetime(o)
        return super().default(o)


class ApiRenderer(JSONRenderer):
    encoder_class = ApiJSONEncoder


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gd_…`: a personal token issued by `manage.py issue_api_token`."""

    def authenticate(self, request: HttpRequest, token: str):
        # The user's customer profile comes along (usually none): Actor.from_request reads it next.
        record = (
            ApiToken.objects.select_related("user", "user__customer_profile")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        now = clock.now()
        # Record use at most once a minute: no write on every read request.
        if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


session_or_token = [TokenAuth(), django_auth]


def unknown_fields(errors: list[dict]) -> list[str]:
    """The body fields a schema refused as unknown (`extra="forbid"`), as dotted paths in order."""
    found = []
    for error in errors:
        if error.get("type") != "extra_forbidden":
            continue
        # ("body", "payload", "materials", 0, "price") → "materials.0.price"
        path = [str(part) for part in error.get("loc", ())[2:]] or [str(error.get("loc", ("?",))[-1])]
        name = ".".join(path)
        if name not in found:
            found.append(name)
    return found


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return problem_response(
            request, exc.status, exc.type, exc.message_en, exc.message_zh, errors=exc.fields or None
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        unknown = unknown_fields(exc.errors)
        if unknown:
            names = ", ".join(unknown)
            return problem_response(
                request,
                422,
                "unknown-fields",
                f"Unknown fields, nothing was changed: {names}. Send only the documented fields.",
                f"存在未知字段，未做任何修改：{names}。请只发送文档中列出的字段。",
                errors={"unknown_fields": unknown, "detail": exc.errors},
            )
        return problem_response(
            request,
            422,
            "validation-error",
            "The request is not valid; see `errors`.",
            "请求内容无效，请查看 errors。",
            errors=exc.errors,
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return problem_response(
            request,
            422,
            "validation-error",
            "The request is not valid; see `errors`.",
            "请求内容无效，请查看 errors。",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem_response(
            request,
            401,
            "unauthenticated",
            "Authentication is required: a Bearer token or a session.",
            "需要认证：请提供 Bearer 令牌或先登录。",
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem_response(request, 404, "not-found", "The object does not exist.", "对象不存在。")

    for error_class in OUTAGE_ERRORS:
        # The database or the queue is out of reach: 503 + Retry-After, never the driver's text.
        api.add_exception_handler(error_class, outage_response)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # A few statuses have their own type (ninja's CSRF refusal is a 403 "forbidden").
        slug = STATUS_PROBLEMS[exc.status_code][0] if exc.status_code in (401, 403, 405, 429) else "http-error"
        return problem_response(request, exc.status_code, slug, str(exc), str(exc))


def query_names(operation) -> frozenset[str]:
    """The query parameters an operation declares (flattened `Query[Schema]` fields included)."""
    names: set[str] = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) == "query":
            names |= set(getattr(model, "__ninja_flatten_map__", {}) or model.model_fields)
    return frozenset(names)


def install_strict_query(api: NinjaAPI, *, skip_prefixes: tuple[str, ...] = ()) -> None:
    """Refuse unknown query parameters on every GET operation with a 422 naming them.

    A mistyped filter (`?stauts=open`) silently returning everything is a wrong answer, not a
    convenience. Integrations whose platforms add their own parameters (signed webhooks) are skipped.
    """
    # The routers as mounted (ninja clones operations per mount; django-ninja is pinned <1.8).
    for router in api._get_bound_routers():
        if any(router.prefix.strip("/").startswith(skip.strip("/")) for skip in skip_prefixes):
            continue
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if "GET" in operation.methods:
                    operation._run_checks = _strict(operation._run_checks, query_names(operation))


def _strict(run_checks, allowed: frozenset[str]):
    def run_checks_then_refuse_unknown(request: HttpRequest):
        error = run_checks(request)
        if error is not None or request.method != "GET":
            return error
        unknown = sorted(set(request.GET) - allowed)
        if not unknown:
            return None
        names = ", ".join(unknown)
        return problem_response(
            request,
            422,
            "unknown-parameter",
            f"Unknown query parameter(s): {names}. Known: {', '.join(sorted(allowed)) or 'none'}.",
            f"未知的查询参数：{names}。可用参数：{'、'.join(sorted(allowed)) or '无'}。",
            errors={name: "unknown_parameter" for name in unknown},
        )

    return run_checks_then_refuse_unknown
