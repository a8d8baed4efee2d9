"""The customer portal: my tickets, a new request, the public timeline, reply, confirm and rate.

Customers see tickets only through `access` and ticket fields only through the field policy
(`view_for`): templates get the customer schema, never the model, so internal fields cannot leak.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongdan.core import ratelimit
from gongdan.core.context import Actor, Channel, client_ip
from gongdan.core.errors import DomainError
from gongdan.customers.access import is_requester, shared_organization
from gongdan.feedback import services as feedback
from gongdan.feedback.forms import ConfirmationForm
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.portal.forms import ReplyForm, RequestForm
from gongdan.tickets import access, services
from gongdan.tickets.constants import StatusKind
from gongdan.tickets.schemas import view_for
from gongdan.web.decorators import customer_required
from gongdan.web.forms import apply_domain_error, mark_invalid, refusal_status, style
from gongdan.web.views import serve_attachment

PAGE_SIZE = 50


def _customer(request: HttpRequest):
    customer = getattr(request.user, "customer_profile", None)
    if customer is None:
        raise Http404
    return customer


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


def _uploads(files) -> list[services.Upload]:
    return [services.Upload(f.name, f.read(), f.content_type or "") for f in files]


@require_GET
@customer_required
def home(request: HttpRequest) -> HttpResponse:
    """My tickets; where my organization shares its tickets, theirs too (`?show=mine` narrows)."""
    customer = _customer(request)
    organization = shared_organization(customer)
    show = "mine" if organization is None or request.GET.get("show") == "mine" else "all"
    tickets = access.visible_tickets(request.user).select_related("status", "priority", "customer")
    if show == "mine":
        tickets = tickets.filter(customer=customer)
    context = {
        "tickets": tickets.order_by("-updated_at")[:PAGE_SIZE],
        "organization": organization,
        "show": show,
        "me": customer,
    }
    return render(request, "portal/home.html", context)


@require_http_methods(["GET", "POST"])
@customer_required
def new_request(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = RequestForm(request.POST or None, request.FILES or None, customer=customer)
    refused = None
    if request.method == "POST":
        verdict = ratelimit.check_form(request, "portal-new-request")
        if not verdict.allowed:
            return ratelimit.refuse_form(
                form, verdict, lambda status: render(request, "portal/new.html", {"form": form}, status=status)
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = _create(request, customer, data, form.device_serial())
        except DomainError as error:
            apply_domain_error(form, error, get_language())
            refused = error
        else:
            messages.success(request, _("Thank you. Your request %(number)s was received.") % {"number": ticket.number})
            return redirect("portal:ticket", number=ticket.number)
    status = refusal_status(refused) if request.method == "POST" else 200
    return render(request, "portal/new.html", {"form": form}, status=status)


@transaction.atomic
def _create(request: HttpRequest, customer, data: dict, device_sn: str):
    actor = _actor(request)
    ticket = services.create_ticket(
        actor=actor,
        customer=customer,
        subject=data["subject"],
        description=data["description"],
        category=data["category"],
        device_sn=device_sn,
    )
    if data["attachments"]:
        services.attach(actor=actor, ticket=ticket, files=_uploads(data["attachments"]), is_public=True)
    return ticket


def _load(request: HttpRequest, number: str):
    ticket = (
        access.visible_tickets(request.user)
        .select_related("status", "priority", "merged_into")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _open_confirmation(ticket) -> ResolutionConfirmation | None:
    if ticket.status.kind != StatusKind.RESOLVED:
        return None
    return (
        ResolutionConfirmation.objects.filter(ticket=ticket, answered_at__isnull=True, superseded=False)
        .order_by("-created_at")
        .first()
    )


def _page(request: HttpRequest, ticket, *, reply=None, confirm=None, status: int = 200) -> HttpResponse:
    policy = view_for(request.user)
    events = (
        access.visible_events(request.user, ticket)
        .select_related("actor", "actor_customer")
        .prefetch_related("attachments")
    )
    confirmation = _open_confirmation(ticket) if is_requester(_customer(request), ticket) else None
    confirm_form = (confirm or ConfirmationForm()) if confirmation else None
    if confirm_form is not None:
        style(confirm_form)
        mark_invalid(confirm_form)
    context = {
        "ticket": policy.render_ticket(ticket),
        "events": [(policy.render_event(event), event) for event in events],
        "reply_form": reply or ReplyForm(),
        "confirm_form": confirm_form,
        "can_reply": ticket.status.kind not in (StatusKind.CLOSED, StatusKind.MERGED),
        "status": ticket.status,
    }
    return render(request, "portal/ticket.html", context, status=status)


@require_GET
@customer_required
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, _load(request, number))


@require_POST
@customer_required
def reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    form = ReplyForm(request.POST, request.FILES)
    refused = None
    if form.is_valid():
        try:
            services.add_reply(
                actor=_actor(request),
                ticket=ticket,
                body=form.cleaned_data["body"],
                attachments=_uploads(form.cleaned_data["attachments"]),
            )
        except DomainError as error:
            apply_domain_error(form, error, get_language())
            refused = error
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal:ticket", number=number)
    return _page(request, ticket, reply=form, status=refusal_status(refused))


@require_POST
@customer_required
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    """The same confirmation as the emailed link (R10.1), answered from the signed-in portal."""
    ticket = _load(request, number)
    confirmation = _open_confirmation(ticket) if is_requester(_customer(request), ticket) else None
    if confirmation is None:
        messages.info(request, _("This ticket is not waiting for your confirmation."))
        return redirect("portal:ticket", number=number)
    form = ConfirmationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback.answer_confirmation(
                token=feedback.make_token(confirmation),
                solved=data["solved"] == "yes",
                clear=data["clear"] == "yes",
                rating=int(data["rating"]),
                comment=data["comment"],
                ip=client_ip(request),
                channel=Channel.PORTAL,
            )
        except DomainError as error:
            apply_domain_error(form, error, get_language())
        else:
            solved = data["solved"] == "yes"
            messages.success(
                request,
                _("Thank you for confirming.") if solved else _("Sorry it is not solved yet; we are back on it."),
            )
            return redirect("portal:ticket", number=number)
    return _page(request, ticket, confirm=form, status=422)


@require_GET
@customer_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    return serve_attachment(request, attachment_id)
