"""Desk pages of the intake: the held messages of the tickets an agent can see, accept or reject.

Views are thin: find what the agent may see, call `intake.held`, redirect to the ticket.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.intake import held as held_messages
from gongdan.intake.constants import HeldState
from gongdan.intake.models import HeldMessage
from gongdan.tickets import access as ticket_access
from gongdan.web.decorators import desk_required, staff_required


def _visible(request: HttpRequest):
    return HeldMessage.objects.filter(ticket__in=ticket_access.visible_tickets(request.user)).select_related("ticket")


@require_GET
@staff_required
def held_list(request: HttpRequest) -> HttpResponse:
    rows = _visible(request).filter(state=HeldState.HELD).prefetch_related("files")[:200]
    return render(request, "intake/desk/held_list.html", {"rows": rows})


@require_GET
@staff_required
def held_detail(request: HttpRequest, pk: int) -> HttpResponse:
    held = _visible(request).prefetch_related("files").filter(pk=pk).first()
    if held is None:
        raise Http404
    return render(request, "intake/desk/held.html", {"held": held})


@require_POST
@desk_required
def held_decide(request: HttpRequest, pk: int) -> HttpResponse:
    held = _visible(request).filter(pk=pk).first()
    if held is None:
        raise Http404
    decide = {"accept": held_messages.accept, "reject": held_messages.reject}.get(request.POST.get("decision", ""))
    if decide is None:
        messages.error(request, _("Choose accept or reject."))
        return redirect("intake-desk:held", pk)
    try:
        decide(actor=Actor.from_request(request, Channel.WEB), held=held)
    except DomainError as error:
        messages.error(request, error.message(get_language()))
        return redirect("intake-desk:held", pk)
    done = _("Accepted as the customer's reply.") if decide is held_messages.accept else _("Rejected.")
    messages.success(request, done)
    return redirect("web:ticket", held.ticket.number)
