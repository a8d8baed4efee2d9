"""/api/v1/audit: the audit trail for administrators, filtered like the page; `export` streams."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from gongdan.audit import access, export, selectors
from gongdan.core.errors import InvalidInput

router = Router(tags=["audit"])
PAGE_LIMIT = 200


class AuditRowOut(Schema):
    at: datetime
    source: str
    action: str
    actor: str
    ip: str
    object: str
    summary: str
    before: dict | list | str | int | float | bool | None = None
    after: dict | list | str | int | float | bool | None = None


class AuditPageOut(Schema):
    count: int
    results: list[AuditRowOut]


@router.get(
    "/events",
    response=AuditPageOut,
    summary="Audit events (sign-in, configuration) or the ticket timeline, filtered",
    description="Query: source=audit|timeline, actor, ip, action, since, until (ISO 8601 with zone), "
    "offset, limit (≤ 200). Administrators only.",
)
def list_events(request: HttpRequest):
    access.ensure_can_read(request.user)
    params = request.GET.copy()
    offset, limit = _int(params.pop("offset", ["0"])[-1], "offset"), _int(params.pop("limit", ["50"])[-1], "limit")
    if limit < 1 or limit > PAGE_LIMIT or offset < 0:
        raise InvalidInput(
            f"limit is 1 to {PAGE_LIMIT} and offset ≥ 0.",
            f"limit 为 1 到 {PAGE_LIMIT}，offset 不小于 0。",
            fields={"limit": "range"},
        )
    f = selectors.parse_filter(params)
    items = selectors.audit_events(f) if f.source == "audit" else selectors.timeline_events(f)
    convert = selectors.audit_row if f.source == "audit" else selectors.timeline_row
    return {"count": items.count(), "results": [convert(e) for e in items[offset : offset + limit]]}


@router.get(
    "/export",
    summary="Export the filtered audit trail as CSV or JSON (streamed)",
    description="The same filters as /events plus format=csv|json. Administrators only.",
)
def export_events(request: HttpRequest):
    access.ensure_can_read(request.user)
    fmt = request.GET.get("format", "csv")
    if fmt not in export.FORMATS:
        raise InvalidInput("format is csv or json.", "format 只能是 csv 或 json。", fields={"format": "invalid"})
    return export.response(selectors.parse_filter(request.GET), fmt)


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} is a whole number.", f"{name} 应为整数。", fields={name: "invalid"}) from None
