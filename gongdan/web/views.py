"""The agent workspace: queues, the ticket page and its actions. Views are thin: parse, call a
service, render. Every write goes through `gongdan.tickets.services` with an explicit Actor."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongdan.accounts.constants import DESK_ROLES, Role
from gongdan.accounts.models import Team
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError, PreconditionFailed
from gongdan.tickets import access, lifecycle, services
from gongdan.tickets.constants import ACTIVE_KINDS, PriorityCode, StatusKind
from gongdan.tickets.models import Attachment, Status, Ticket
from gongdan.tickets.schemas import view_for
from gongdan.web import presence, queue_rows, queues, timeline
from gongdan.web.constants import QUEUE_PAGE_SIZE
from gongdan.web.decorators import staff_required
from gongdan.web.forms import (
    AssignForm,
    BulkForm,
    ComposerForm,
    StatusForm,
    apply_domain_error,
    mark_invalid,
    refusal_status,
)
from gongdan.web.models import WorkspacePolicy


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _is_desk(user) -> bool:
    return _role(user) in DESK_ROLES


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, Channel.WEB)


def _uploads(files) -> list[services.Upload]:
    return [services.Upload(f.name, f.read(), f.content_type or "") for f in files]


# ---- queues -------------------------------------------------------------------------------------


@require_GET
@staff_required
def queue(request: HttpRequest, key: str) -> HttpResponse:
    if key not in queues.QUEUE_KEYS:
        raise Http404
    filters = queues.Filters.from_request(request.GET)
    team_ids = queues.user_team_ids(request.user)
    rows = queues.tickets(key, request.user, filters, team_ids)
    page = Paginator(queues.PageRows(rows), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queue_rows.label(page.object_list, bulk=_is_desk(request.user))
    counts = queues.counts(request.user, team_ids)
    context = {
        "queue": queues.QUEUE_KEYS[key],
        "queues": queues.QUEUES,
        "queue_items": [(q, counts[q.key]) for q in queues.QUEUES],
        "page": page,
        "filters": filters,
        "statuses": [(kind.value, kind.label) for kind in StatusKind],
        "priorities": PriorityCode.values,
        "teams": Team.objects.all(),
        "bulk": BulkForm(numbers=[t.number for t in page]) if _is_desk(request.user) else None,
        "refresh_seconds": WorkspacePolicy.current().refresh_seconds,
        "board": key == "p0",
    }
    template = "web/partials/queue_list.html" if request.htmx and not request.htmx.boosted else "web/queue.html"
    return render(request, template, context)


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    numbers = request.POST.getlist("tickets")
    back = request.POST.get("next") or reverse("web:queue", args=["mine"])
    if not back.startswith("/desk/"):
        back = reverse("web:queue", args=["mine"])
    form = BulkForm(request.POST, numbers=numbers)
    if not _is_desk(request.user) or not form.is_valid():
        messages.error(request, _("Choose tickets and complete the action."))
        return redirect(back)
    done, failed = _run_bulk(request, form.cleaned_data)
    if done:
        messages.success(request, _("%(count)d tickets updated.") % {"count": done})
    for number, error in failed:
        messages.error(request, f"{number}: {error.message(get_language())}")
    return redirect(back)


def _run_bulk(request: HttpRequest, data: dict) -> tuple[int, list]:
    """Each ticket goes through the same service as a single action; one refusal does not stop the rest."""
    actor = _actor(request)
    done, failed = 0, []
    for ticket in access.visible_tickets(request.user).filter(number__in=data["tickets"]).select_related("status"):
        try:
            action = data["action"]
            if action == "assign_me":
                services.assign(actor=actor, ticket=ticket, assignee=request.user, reason=data["reason"])
            elif action == "assign":
                services.assign(actor=actor, ticket=ticket, assignee=data["assignee"], reason=data["reason"])
            elif action == "priority":
                services.set_priority(actor=actor, ticket=ticket, code=data["priority"], reason=data["reason"])
            elif action == "status":
                services.change_status(actor=actor, ticket=ticket, status=data["status"], reason=data["reason"])
            done += 1
        except DomainError as error:
            failed.append((ticket.number, error))
    return done, failed


# ---- the ticket page ----------------------------------------------------------------------------


def _load(request: HttpRequest, number: str) -> Ticket:
    ticket = (
        access.visible_tickets(request.user)
        .select_related("status", "priority", "customer", "customer__organization", "assignee", "team", "category")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _status_choices(ticket: Ticket):
    kinds = set(lifecycle.allowed_targets(ticket.status.kind)) - {StatusKind.MERGED}
    return Status.objects.filter(Q(kind__in=kinds) | Q(kind=ticket.status.kind)).exclude(pk=ticket.status_id)


def _forms(request: HttpRequest, ticket: Ticket, bound: dict | None = None) -> dict:
    bound = bound or {}
    can_reply = _is_desk(request.user)
    forms = {
        "composer": ComposerForm(can_reply=can_reply),
        "status_form": StatusForm(statuses=_status_choices(ticket), initial={"version": ticket.version})
        if can_reply
        else None,
        "assign_form": AssignForm(
            initial={"assignee": ticket.assignee_id, "team": ticket.team_id, "version": ticket.version}
        )
        if can_reply
        else None,
    }
    forms.update(bound)
    return forms


def _timeline(request: HttpRequest, ticket: Ticket) -> dict:
    everything = request.GET.get("timeline") == timeline.ALL
    return {"timeline": timeline.for_page(request.user, ticket, everything=everything), "timeline_all": everything}


def _customer_context(request: HttpRequest, ticket: Ticket) -> dict:
    customer = ticket.customer
    others = (
        access.visible_tickets(request.user)
        .filter(customer=customer)
        .exclude(pk=ticket.pk)
        .select_related("status", "priority")
        .order_by("-created_at")
    )
    return {
        "customer": customer,
        # The field policy decides: department staff never see the customer's phone or e-mail (R8.2).
        "identities": list(customer.identities.all()) if view_for(request.user).customer_contact else [],
        "devices": list(customer.devices.all()),
        "open_tickets": list(others.filter(status__kind__in=ACTIVE_KINDS)[:5]),
        "recent_tickets": list(others.exclude(status__kind__in=ACTIVE_KINDS)[:5]),
    }


def _ticket_context(request: HttpRequest, ticket: Ticket, bound: dict | None = None) -> dict:
    policy = WorkspacePolicy.current()
    return {
        "ticket": ticket,
        **_timeline(request, ticket),
        "is_desk": _is_desk(request.user),
        "refresh_seconds": policy.refresh_seconds,
        **_customer_context(request, ticket),
        **_forms(request, ticket, bound),
    }


def _render_ticket(request: HttpRequest, ticket: Ticket, bound: dict | None = None, status: int = 200):
    context = _ticket_context(request, ticket, bound)
    template = "web/partials/ticket_body.html" if request.htmx else "web/ticket.html"
    return render(request, template, context, status=status)


@require_GET
@staff_required
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    return render(request, "web/ticket.html", _ticket_context(request, ticket))


@require_GET
@staff_required
def ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """Polled by the open ticket page: 204 (nothing to swap) unless the ticket changed."""
    ticket = _load(request, number)
    if request.GET.get("v") == str(ticket.updated_at.timestamp()):
        return HttpResponse(status=204)
    context = {"ticket": ticket, **_timeline(request, ticket), "refresh_seconds": 0}
    context["refresh_seconds"] = WorkspacePolicy.current().refresh_seconds
    return render(request, "web/partials/ticket_live.html", context)


@require_GET
@staff_required
def ticket_events(request: HttpRequest, number: str) -> HttpResponse:
    """The events before `?before=<event id>`, swapped in place of the page's "Show earlier events"."""
    ticket = _load(request, number)
    try:
        before = int(request.GET.get("before", ""))
    except ValueError as error:
        raise Http404 from error
    events = timeline.earlier(request.user, ticket, before)
    return render(request, "web/partials/timeline_items.html", {"events": events, "items": timeline.markup(events)})


@require_POST
@staff_required
def ticket_presence(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    others = presence.report(ticket=ticket, user=request.user, replying=request.POST.get("replying") == "1")
    return render(request, "web/partials/presence.html", {"others": others})


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _render_ticket(request, _load(request, ticket.number))
    return redirect("web:ticket", number=ticket.number)


def _submit(request: HttpRequest, ticket: Ticket, form, form_key: str, write, done_message) -> HttpResponse:
    """Run a ticket-page form: valid input goes to one service call; a refusal shows on the form."""
    refused = None
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except PreconditionFailed as error:
            return _stale(request, ticket, form, form_key, error)
        except DomainError as error:
            apply_domain_error(form, error, get_language())
            refused = error
        else:
            return _done(request, ticket, done_message(form.cleaned_data))
    return _render_ticket(request, ticket, {form_key: form}, status=refusal_status(refused))


def _versioned(ticket: Ticket, version: int | None, write) -> None:
    """Run `write` in one transaction after checking the ticket is still at the form's version."""

    def guarded() -> None:
        services.ensure_version(ticket=ticket, versions=None if version is None else [version])
        write()

    services.run_atomic_write(guarded)


def _stale(request: HttpRequest, ticket: Ticket, form, form_key: str, error: PreconditionFailed) -> HttpResponse:
    """Someone else changed the ticket since the form was rendered: nothing was saved. The page
    comes back with the current ticket, the agent's input kept and the form's version renewed, so a
    second submit (after reading the current values) is a conscious overwrite."""
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(error.current["version"])
    kwargs = {"statuses": form.fields["status"].queryset} if form_key == "status_form" else {}
    fresh = type(form)(data, **kwargs)
    fresh.is_valid()
    current = error.current
    fresh.add_error(
        None,
        _(
            "%(message)s Now: status %(status)s, priority %(priority)s, assignee %(assignee)s, "
            "team %(team)s, subject “%(subject)s”."
        )
        % {
            "message": error.message(get_language()),
            "status": current["status"],
            "priority": current["priority"],
            "assignee": current["assignee"] or "—",
            "team": current["team"] or "—",
            "subject": current["subject"],
        },
    )
    mark_invalid(fresh)
    # 422 like every refused form: the page's htmx swaps 422 answers in (base.html's responseHandling).
    return _render_ticket(request, _load(request, ticket.number), {form_key: fresh}, status=422)


@require_POST
@staff_required
def compose(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    form = ComposerForm(request.POST, request.FILES, can_reply=_is_desk(request.user))

    def write(data: dict) -> None:
        service = services.add_reply if data["kind"] == "reply" else services.add_note
        service(
            actor=_actor(request),
            ticket=ticket,
            body=data["body"],
            summary=data["summary"],
            attachments=_uploads(data["attachments"]),
        )
        presence.report(ticket=ticket, user=request.user, replying=False)

    return _submit(
        request,
        ticket,
        form,
        "composer",
        write,
        lambda data: _("Reply sent.") if data["kind"] == "reply" else _("Note added."),
    )


@require_POST
@staff_required
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    if not _is_desk(request.user):
        raise Http404
    form = StatusForm(request.POST, statuses=_status_choices(ticket))

    def write(data: dict) -> None:
        _versioned(
            ticket,
            data["version"],
            lambda: services.change_status(
                actor=_actor(request),
                ticket=ticket,
                status=data["status"],
                reason=data["reason"],
                summary=data["summary"],
            ),
        )

    return _submit(request, ticket, form, "status_form", write, lambda data: _("Status changed."))


@require_POST
@staff_required
def assign(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(request, number)
    if not _is_desk(request.user):
        raise Http404
    form = AssignForm(request.POST)

    def write(data: dict) -> None:
        _versioned(
            ticket,
            data["version"],
            lambda: services.assign(
                actor=_actor(request),
                ticket=ticket,
                assignee=data["assignee"],
                team=data["team"],
                reason=data["reason"],
            ),
        )

    return _submit(request, ticket, form, "assign_form", write, lambda data: _("Assignment saved."))


@require_GET
@staff_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    return serve_attachment(request, attachment_id)


def serve_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    from django.http import FileResponse

    try:
        item: Attachment = access.get_visible_attachment(request.user, attachment_id)
    except DomainError as error:
        raise Http404 from error
    # Only images open in the browser; everything else downloads, so no upload can run as a page.
    inline = item.content_type.startswith("image/")
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.filename, as_attachment=not inline
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
