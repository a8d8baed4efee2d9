"""/api/v1/audit: the audit trail for administrators, filtered like the page; `export` streams."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongdan.audit import access, export, selectors

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


class AuditQuery(Schema):
    """The filters of the page, declared so the API refuses an unknown parameter and bounds each text."""

    source: Literal["audit", "timeline"] = "audit"
    actor: str = Field("", max_length=150)
    ip: str = Field("", max_length=45, description="IPv4 or IPv6 address")
    action: str = Field("", max_length=50)
    since: str = Field("", max_length=40, description="ISO 8601 with zone, inclusive")
    until: str = Field("", max_length=40, description="ISO 8601 with zone, exclusive")


class AuditPageQuery(AuditQuery):
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)


class AuditExportQuery(AuditQuery):
    format: Literal[export.FORMATS] = "csv"


def _filter(query: AuditQuery) -> selectors.AuditFilter:
    # The selector validates values (IP, action, zone-aware times) for the page and the API alike.
    return selectors.parse_filter(query.model_dump(include=set(selectors.FILTER_NAMES)))


@router.get(
    "/events",
    response=AuditPageOut,
    summary="Audit events (sign-in, configuration) or the ticket timeline, filtered",
    description="Filters: source=audit|timeline, actor, ip, action, since, until (ISO 8601 with zone), "
    "offset, limit (≤ 200). Administrators only.",
)
def list_events(request: HttpRequest, query: Query[AuditPageQuery]):
    access.ensure_can_read(request.user)
    f = _filter(query)
    items = selectors.audit_events(f) if f.source == "audit" else selectors.timeline_events(f)
    convert = selectors.audit_row if f.source == "audit" else selectors.timeline_row
    page = items[query.offset : query.offset + query.limit]
    return {"count": items.count(), "results": [convert(e) for e in page]}


@router.get(
    "/export",
    summary="Export the filtered audit trail as CSV or JSON (streamed)",
    description="The same filters as /events plus format=csv|json. Administrators only.",
)
def export_events(request: HttpRequest, query: Query[AuditExportQuery]):
    access.ensure_can_read(request.user)
    return export.response(_filter(query), query.format)
