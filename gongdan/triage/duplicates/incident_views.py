"""Incident clusters on the desk: a strip of open incidents (one row with a count each, loaded lazily
into the queue and the board), the incident page with its tickets, and bulk reply / bulk resolve."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.triage.duplicates import clusters
from gongdan.triage.models import IncidentCluster
from gongdan.web.decorators import desk_required

STRIP_LIMIT = 10


@require_GET
@desk_required
def strip(request: HttpRequest) -> HttpResponse:
    rows = list(clusters.open_clusters()[: STRIP_LIMIT + 1])
    context = {"incidents": rows[:STRIP_LIMIT], "more": len(rows) > STRIP_LIMIT}
    return render(request, "triage/incidents/strip_rows.html", context)


@require_GET
@desk_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(IncidentCluster.objects.select_related("first_ticket", "closed_by"), pk=pk)
    context = {"incident": cluster, "tickets": clusters.member_tickets(cluster)}
    return render(request, "triage/incidents/detail.html", context)


def _act(request: HttpRequest, pk: int, action, done_message: str) -> HttpResponse:
    cluster = get_object_or_404(IncidentCluster, pk=pk)
    try:
        result = action(Actor.from_request(request, Channel.WEB), cluster)
    except DomainError as error:
        messages.error(request, error.message(get_language()))
        return redirect("triage:incident", pk=cluster.pk)
    messages.success(request, done_message % {"done": len(result.done), "skipped": len(result.skipped)})
    return redirect("triage:incident", pk=cluster.pk)


@require_POST
@desk_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    body = request.POST.get("body", "")
    return _act(
        request,
        pk,
        lambda actor, cluster: clusters.bulk_reply(actor=actor, cluster=cluster, body=body),
        _("Replied to %(done)s tickets (%(skipped)s skipped)."),
    )


@require_POST
@desk_required
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda actor, cluster: clusters.bulk_resolve(actor=actor, cluster=cluster, reason=reason),
        _("Resolved %(done)s tickets (%(skipped)s skipped); the incident is closed."),
    )
