"""The audit page for administrators: filter sign-in/configuration events or the ticket timeline by
actor, IP, action and time; export the same selection as CSV or JSON (streamed)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from gongdan.audit import export, selectors
from gongdan.audit.constants import Action
from gongdan.core.errors import DomainError
from gongdan.tickets.constants import EventType
from gongdan.web.decorators import admin_required

PAGE_SIZE = 100


def _filter(request: HttpRequest):
    try:
        return selectors.parse_filter(request.GET), ""
    except DomainError as error:
        return selectors.AuditFilter(), error.message(get_language())


@require_GET
@admin_required
def trail(request: HttpRequest) -> HttpResponse:
    f, error = _filter(request)
    items = selectors.audit_events(f) if f.source == "audit" else selectors.timeline_events(f)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    convert = selectors.audit_row if f.source == "audit" else selectors.timeline_row
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "f": f,
        "error": error,
        "page": page,
        "rows": [convert(e) for e in page.object_list],
        "query": query.urlencode(),
        "actions": Action.choices if f.source == "audit" else EventType.choices,
    }
    return render(request, "audit/trail.html", context, status=422 if error else 200)


@require_GET
@admin_required
def export_view(request: HttpRequest) -> HttpResponse:
    f, error = _filter(request)
    fmt = request.GET.get("format", "csv")
    if error or fmt not in export.FORMATS:
        context = {
            "f": f,
            "error": error or "format: csv | json",
            "page": None,
            "rows": [],
            "query": "",
            "actions": Action.choices,
        }
        return render(request, "audit/trail.html", context, status=422)
    return export.response(f, fmt)
