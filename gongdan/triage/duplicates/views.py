"""Duplicate and related-ticket pages: the lazy panel of the ticket page, the related search box,
agents' confirm/reject, the suspected-duplicates queue, and similar requests on the portal form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.accounts.constants import DESK_ROLES, Role
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.tickets import access
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import selectors, services
from gongdan.triage.models import DuplicateSuspicion
from gongdan.web.decorators import customer_required, desk_required, staff_required

QUEUE_PAGE_SIZE = 50
PORTAL_SIMILAR_LIMIT = 5
PORTAL_MIN_TEXT = 4


def _load(request: HttpRequest, number: str) -> Ticket:
    ticket = access.visible_tickets(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def _is_desk(user) -> bool:
    return (Role.ADMIN if user.is_superuser else user.role) in DESK_ROLES


def _panel(request: HttpRequest, ticket: Ticket, *, error: str = "", status: int = 200) -> HttpResponse:
    suspicions = selectors.suspicions_of(ticket, user=request.user)
    copies = selectors.copies_of(ticket, user=request.user)
    related = selectors.related_search(ticket.device_sn, exclude_ticket_id=ticket.pk, user=request.user, limit=5)
    context = {
        "ticket": ticket,
        "suspicions": suspicions,
        "copies": copies,
        "related": related,
        "query": ticket.device_sn,
        "can_decide": _is_desk(request.user),
        "error": error,
    }
    return render(request, "triage/duplicates/panel.html", context, status=status)


@require_GET
@staff_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    return _panel(request, _load(request, number))


@require_GET
@staff_required
def related(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    exclude = _load(request, request.GET["t"]).pk if request.GET.get("t") else None
    results = selectors.related_search(query, exclude_ticket_id=exclude, user=request.user)
    return render(request, "triage/duplicates/related_results.html", {"related": results, "query": query})


@require_POST
@desk_required
def decide(request: HttpRequest, number: str, original: str) -> HttpResponse:
    ticket, earlier = _load(request, number), _load(request, original)
    confirmed = request.POST.get("confirmed") == "1"
    try:
        services.decide(
            actor=Actor.from_request(request, Channel.WEB),
            ticket=ticket,
            original=earlier,
            confirmed=confirmed,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        message = error.message(get_language())
        if request.htmx:
            return _panel(request, ticket, error=message, status=422)
        messages.error(request, message)
        return redirect("web:ticket", number=ticket.number)
    done = _("Marked as a duplicate of %(number)s.") if confirmed else _("Marked as not a duplicate of %(number)s.")
    if request.htmx:
        return _panel(request, ticket)
    messages.success(request, done % {"number": earlier.number})
    return redirect("web:ticket", number=ticket.number)


@require_GET
@desk_required
def queue(request: HttpRequest) -> HttpResponse:
    decision = request.GET.get("decision", DuplicateSuspicion.Decision.OPEN)
    if decision not in DuplicateSuspicion.Decision.values:
        decision = DuplicateSuspicion.Decision.OPEN
    page = Paginator(selectors.suspicion_queue(decision), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "decision": decision, "decisions": DuplicateSuspicion.Decision.choices}
    return render(request, "triage/duplicates/queue.html", context)


@require_GET
@customer_required
def portal_similar(request: HttpRequest) -> HttpResponse:
    """While a customer writes a new request: their own earlier requests that look the same."""
    text = f"{request.GET.get('subject', '')}\n{request.GET.get('description', '')}".strip()
    customer = request.user.customer_profile
    similar = []
    if len(text) >= PORTAL_MIN_TEXT:
        similar = selectors.similar_for_customer(text, customer=customer, limit=PORTAL_SIMILAR_LIMIT)
    return render(request, "triage/duplicates/portal_similar.html", {"similar": similar})
