"""Routing pages: "next ticket", the breaker banner and history, the assignment board, field dispatch.

Views are thin: parse, check who may, call a service, render or redirect.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.accounts import services as accounts
from gongdan.core import clock
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.routing import access, config, selectors, services
from gongdan.routing.forms import AvailabilityForm, DispatchForm, ReassignForm
from gongdan.routing.models import BreakerTransition, Dispatch, HeldTicket, RoutingDecision
from gongdan.tickets import access as ticket_access
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.web.decorators import desk_required, lead_required, staff_required

HISTORY_ROWS = 100
DISPATCH_ROWS = 200


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, Channel.WEB)


def _ticket(request: HttpRequest, number: str):
    try:
        return ticket_access.get_visible_ticket(request.user, number)
    except DomainError as error:
        raise Http404 from error


def _refusal(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message(get_language()))


@require_POST
@desk_required
def next_ticket(request: HttpRequest) -> HttpResponse:
    try:
        ticket = services.claim_next(actor=_actor(request))
    except DomainError as error:
        _refusal(request, error)
        return redirect("web:queue", "mine")
    if ticket is None:
        messages.info(request, _("Nothing is waiting that you are qualified for."))
        return redirect("web:queue", "mine")
    messages.success(request, _("%(number)s is yours now.") % {"number": ticket.number})
    return redirect("web:ticket", ticket.number)


@require_GET
@desk_required
def banner(request: HttpRequest) -> HttpResponse:
    state = selectors.breaker_state()
    context = {
        "state": state,
        "waiting": selectors.waiting_p0_count() if state.is_open else 0,
        "threshold": config.policy().breaker_threshold,
        "is_lead": access.is_lead(request.user),
        "availability": request.user.availability,
        "my_state": selectors.states([request.user], clock.now())[request.user.pk],
        "choices": AvailabilityForm.base_fields["availability"].choices,
    }
    return render(request, "routing/partials/banner.html", context)


@require_POST
@desk_required
def availability(request: HttpRequest) -> HttpResponse:
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        accounts.set_availability(
            actor=_actor(request), user=request.user, availability=form.cleaned_data["availability"]
        )
        if form.cleaned_data["availability"] == "on_shift":
            services.release_held()
    # The banner sends the page it sits on (HX-Current-URL, a full URL): go back to its path, desk pages only.
    back = urlsplit(request.POST.get("next", "")).path
    return redirect(back if back.startswith("/desk/") else "web:home")


@require_GET
@lead_required
def board(request: HttpRequest) -> HttpResponse:
    state = selectors.breaker_state()
    context = {
        "rows": selectors.board_rows(clock.now()),
        "held": selectors.held_tickets()[:50],
        "state": state,
        "waiting": selectors.waiting_p0_count(),
        "policy": config.policy(),
        "decisions": RoutingDecision.objects.select_related("ticket", "chosen")[:20],
    }
    return render(request, "routing/board.html", context)


@require_GET
@lead_required
def breaker_history(request: HttpRequest) -> HttpResponse:
    context = {
        "state": selectors.breaker_state(),
        "waiting": selectors.waiting_p0_count(),
        "threshold": config.policy().breaker_threshold,
        "transitions": BreakerTransition.objects.all()[:HISTORY_ROWS],
    }
    return render(request, "routing/breaker.html", context)


@require_GET
@staff_required
def dispatches(request: HttpRequest) -> HttpResponse:
    """Open field jobs: all of them for the desk, their own for field engineers (department staff)."""
    jobs = Dispatch.objects.filter(ticket__status__kind__in=ACTIVE_KINDS)
    if not access.is_desk(request.user):
        jobs = jobs.filter(engineer=request.user)
    jobs = jobs.select_related("ticket__priority", "ticket__status", "engineer", "skill").order_by(
        "ticket__priority__rank", "-decided_at"
    )[:DISPATCH_ROWS]
    return render(request, "routing/dispatches.html", {"jobs": jobs, "policy": config.policy()})


@require_GET
@desk_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    job = Dispatch.objects.filter(ticket=ticket).select_related("engineer").first()
    site = (job.latitude, job.longitude) if job else selectors.suggested_site(ticket)
    context = {
        "ticket": ticket,
        "decisions": RoutingDecision.objects.filter(ticket=ticket).select_related("chosen")[:3],
        "hold": HeldTicket.objects.filter(ticket=ticket).first(),
        "job": job,
        "dispatch_form": DispatchForm(initial={"latitude": site[0], "longitude": site[1]} if site else None),
        "reassign_form": ReassignForm() if access.is_lead(request.user) else None,
    }
    return render(request, "routing/partials/panel.html", context)


@require_POST
@desk_required
def dispatch(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the site's latitude and longitude."))
        return redirect("web:ticket", number)
    data = form.cleaned_data
    try:
        job = services.dispatch(
            actor=_actor(request),
            ticket=ticket,
            latitude=data["latitude"],
            longitude=data["longitude"],
            skill=data["skill"],
        )
    except DomainError as error:
        _refusal(request, error)
        return redirect("web:ticket", number)
    if job.engineer_id:
        messages.success(
            request, _("%(name)s dispatched, %(km)s km away.") % {"name": job.engineer, "km": job.distance_km}
        )
    else:
        messages.warning(request, _("No engineer within range: the field team lead decides."))
    return redirect("web:ticket", number)


@require_POST
@lead_required
def reassign(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the ticket is reassigned."))
        return redirect("web:ticket", number)
    try:
        services.reassign(
            actor=_actor(request),
            ticket=ticket,
            assignee=form.cleaned_data["assignee"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Reassigned."))
    return redirect("web:ticket", number)
