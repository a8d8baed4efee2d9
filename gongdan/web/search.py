"""One search box for the desk (`/desk/search/`): every ticket the user may see, closed ones too, by
number, phone, device SN, keywords (the duplicates keyword index, R5.2) or external reference; and
customers, organisations and devices. The queue's own filter narrows only the queue it sits on."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongdan.customers import access as customer_access
from gongdan.customers import selectors as customer_selectors
from gongdan.customers.models import Device, Organization
from gongdan.tickets import access
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.web.decorators import staff_required

LIMIT = 25
STATES = {"open": ACTIVE_KINDS}


def _by_reference(user, query: str):
    return (
        access.visible_tickets(user)
        .filter(external_refs__reference__icontains=query)
        .select_related("status", "priority", "customer")
        .distinct()
        .order_by("-created_at")[:LIMIT]
    )


def tickets(user, query: str, state: str = "") -> list:
    """Reference matches first, then what the related search finds (number, phone, SN, keywords)."""
    from gongdan.triage.duplicates import selectors as related

    found = list(_by_reference(user, query))
    seen = {t.pk for t in found}
    found += [t for t in related.related_search(query, user=user, limit=LIMIT) if t.pk not in seen]
    if state in STATES:
        found = [t for t in found if t.status.kind in STATES[state]]
    elif state == "closed":
        found = [t for t in found if t.status.kind not in ACTIVE_KINDS]
    return found[:LIMIT]


def directory(user, query: str) -> dict:
    """Customers, organisations and devices: the desk only (department staff see tickets, not the directory)."""
    if not customer_access.is_desk(user):
        return {"customers": [], "organizations": [], "devices": []}
    return {
        "customers": list(customer_selectors.search_customers(user, query)[:LIMIT]),
        "organizations": list(Organization.objects.filter(Q(name__icontains=query) | Q(domain__icontains=query))[:10]),
        "devices": list(
            Device.objects.filter(Q(serial_number__icontains=query) | Q(model__icontains=query)).select_related(
                "customer"
            )[:10]
        ),
    }


@require_GET
@staff_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    state = request.GET.get("state", "")
    context = {"query": query, "state": state, "tickets": [], "customers": [], "organizations": [], "devices": []}
    if query:
        context.update(tickets=tickets(request.user, query, state), **directory(request.user, query))
    return render(request, "web/search.html", context)
