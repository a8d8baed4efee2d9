"""Merge pages: proposal queue, the ticket panel, provenance, un-merge and the duplicate top-10.

Thin: parse, call `merging.services` / `tickets.services`, redirect with a message (refusals included).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.core import clock
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.tickets import access
from gongdan.tickets import services as tickets
from gongdan.tickets.models import Ticket
from gongdan.triage.merging import selectors, services
from gongdan.triage.merging.forms import ConfirmForm, MonthForm, ReasonForm
from gongdan.triage.models.merging import MergeProposal, RecurrenceRecord
from gongdan.web.decorators import desk_required, lead_required


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, Channel.WEB)


def _ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = (
        access.visible_tickets(request.user)
        .select_related("status", "merged_into", "category", "customer")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _proposal(request: HttpRequest, pk: int) -> MergeProposal:
    return get_object_or_404(selectors.open_proposals(request.user), pk=pk)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    return target if target.startswith("/desk/") else default


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message(get_language()))


@require_GET
@desk_required
def queue(request: HttpRequest) -> HttpResponse:
    proposals = list(selectors.open_proposals(request.user)[:200])
    return render(request, "triage/merging/queue.html", {"proposals": proposals})


@require_GET
@desk_required
def count(request: HttpRequest) -> HttpResponse:
    """The nav badge, loaded lazily so no desk page pays for it."""
    return render(request, "triage/merging/count.html", {"count": selectors.open_proposal_count(request.user)})


@require_POST
@desk_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = ConfirmForm(request.POST)
    back = _back(request, reverse("triage:merge-queue"))
    if not form.is_valid():
        return redirect(back)
    try:
        master = services.confirm_proposal(
            actor=_actor(request), proposal=proposal, swap=form.cleaned_data["swap"], reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        _refused(request, error)
        return redirect(back)
    messages.success(request, _("Merged into %(number)s.") % {"number": master.number})
    return redirect("triage:merge-provenance", number=master.number)


@require_POST
@desk_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = ReasonForm(request.POST)
    back = _back(request, reverse("triage:merge-queue"))
    if not form.is_valid():
        messages.error(request, _("Say why the tickets should not be merged."))
        return redirect(back)
    try:
        services.reject_proposal(actor=_actor(request), proposal=proposal, reason=form.cleaned_data["reason"])
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Proposal rejected; this pair will not be proposed again."))
    return redirect(back)


@require_GET
@desk_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    context = {
        "ticket": ticket,
        "proposals": selectors.proposals_for_ticket(request.user, ticket),
        "originals": [row for row in selectors.provenance_for_master(ticket) if row.undone_at is None],
        "recurrence": RecurrenceRecord.objects.filter(ticket=ticket).select_related("earlier", "closer").first(),
        "recurrences": list(RecurrenceRecord.objects.filter(earlier=ticket).select_related("ticket")),
        "unmerge_form": ReasonForm(),
    }
    return render(request, "triage/merging/panel.html", context)


@require_GET
@desk_required
def provenance(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    context = {"ticket": ticket, "rows": selectors.provenance_for_master(ticket)}
    return render(request, "triage/merging/provenance.html", context)


@require_POST
@desk_required
def unmerge(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the ticket is taken out of the merge."))
        return redirect("web:ticket", number=number)
    try:
        tickets.unmerge(actor=_actor(request), ticket=ticket, reason=form.cleaned_data["reason"])
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(number)s is no longer merged.") % {"number": number})
    return redirect("web:ticket", number=number)


@require_GET
@lead_required
def top10(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET or None)
    month = form.cleaned_data["month"] if form.is_valid() and form.cleaned_data["month"] else None
    month = month or clock.now().date()
    report = selectors.duplicate_top10(month)
    return render(request, "triage/merging/top10.html", {"form": form, "report": report, "month": f"{month:%Y-%m}"})
