"""Triage pages: the lazy ticket panel (breakdown, override, classification), its two forms, and
the lead's A/B page. Thin: parse, call a service, render the panel again."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.accounts.constants import DESK_ROLES
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.tickets import access as ticket_access
from gongdan.tickets.models import Ticket
from gongdan.triage import access, selectors, services
from gongdan.triage.forms import CorrectionForm, OverrideForm
from gongdan.web.decorators import lead_required, staff_required
from gongdan.web.forms import apply_domain_error


def _ticket(request: HttpRequest, number: str) -> Ticket:
    visible = ticket_access.visible_tickets(request.user).select_related("priority", "category")
    found = visible.filter(number=number).first()
    if found is None:
        raise Http404
    return found


def _render_panel(request: HttpRequest, ticket: Ticket, **forms) -> HttpResponse:
    data = selectors.panel(ticket)
    can_triage = access.role_of(request.user) in DESK_ROLES
    context = {
        "ticket": ticket,
        "panel": data,
        "breakdown": data.triage.breakdown if data.triage else None,
        "can_triage": can_triage,
        "override_form": forms.get("override_form") or OverrideForm(initial={"code": ticket.priority.code}),
        "correction_form": forms.get("correction_form")
        or CorrectionForm(
            initial={
                "category": ticket.category.code if ticket.category_id else None,
                "tags": ", ".join(ticket.tags.values_list("name", flat=True)),
                "sentiment": ticket.sentiment,
            }
        ),
        "classification": data.classification,
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "triage/panel.html", context, status=status)


def _after_write(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _render_panel(request, _ticket(request, ticket.number))
    return redirect("web:ticket", ticket.number)


@require_GET
@staff_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    return _render_panel(request, _ticket(request, number))


@require_POST
@staff_required
def override(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_priority(
                actor=Actor.from_request(request, Channel.WEB),
                ticket=ticket,
                code=form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
            )
            return _after_write(request, ticket, _("Priority changed."))
        except DomainError as error:
            apply_domain_error(form, error, get_language())
    return _render_panel(request, ticket, override_form=form)


@require_POST
@staff_required
def correct(request: HttpRequest, number: str) -> HttpResponse:
    """One-click acceptance (only `cl-category` posted) or a full correction of the classification."""
    ticket = _ticket(request, number)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        full = "cl-sentiment" in request.POST
        try:
            services.correct_classification(
                actor=Actor.from_request(request, Channel.WEB),
                ticket=ticket,
                category=form.cleaned_data["category"].code,
                tags=form.tag_list() if full else None,
                sentiment=form.cleaned_data["sentiment"] if full else None,
            )
            return _after_write(request, ticket, _("Classification saved."))
        except DomainError as error:
            apply_domain_error(form, error, get_language())
    return _render_panel(request, ticket, correction_form=form)


@require_GET
@lead_required
def ab_report(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/ab.html", {"rows": selectors.ab_report()})
