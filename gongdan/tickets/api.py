"""Ticket endpoints under /api/v1/. Thin: look up what the caller may see, call the services, render.

Anything the caller may not see answers 404 exactly like a missing ticket (access.py). Which fields
a caller sees is decided by the field-visibility policy in schemas.py (`view_for`).
"""

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from gongdan.accounts.constants import DESK_ROLES
from gongdan.accounts.models import Team
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput, PermissionDenied, PreconditionFailed, not_found
from gongdan.core.problems import problem_response
from gongdan.customers.models import Customer
from gongdan.tickets import access, selectors, services
from gongdan.tickets.models import Category, Priority, Ticket
from gongdan.tickets.models import Status as TicketStatus
from gongdan.tickets.schemas import (
    NULLABLE_PATCH_FIELDS,
    AttachmentForm,
    AttachmentOut,
    CategoryNode,
    EventOut,
    ExternalRefIn,
    ExternalRefOut,
    FieldPolicy,
    Id,
    LinkCreatedOut,
    LinkIn,
    MergeIn,
    MessageIn,
    PriorityChoice,
    StatusChoice,
    TicketCreateIn,
    TicketFilters,
    TicketNumber,
    TicketOut,
    TicketPage,
    TicketPatchIn,
    TransitionIn,
    attachment_out,
    category_tree,
    view_for,
)
from gongdan.tickets.services import versions

router = Router(tags=["tickets"])
attachments_router = Router(tags=["tickets"])
catalog_router = Router(tags=["catalog"])

PLAIN_PATCH_FIELDS = {
    "subject": "subject",
    "description": "description",
    "ticket_type": "ticket_type",
    "device_sn": "device_sn",
    "fault_code": "fault_code",
    "site_location": "site_location",
    "knowledge_ref": "knowledge_ref",
    "sentiment": "sentiment",
    "materials": "materials",
    "engineer_id": "engineer",
    "collaborating_departments": "collaborating_departments",
    "custom_fields": "custom_fields",
}


# ---- helpers --------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, channel=Channel.API)


def _render(request: HttpRequest, number: str):
    policy = view_for(request.user)
    return policy.render_ticket(selectors.get_ticket(request.user, number, internal=policy.internal))


def _value(value):
    """Enum members (TextChoices) as their plain string value."""
    return getattr(value, "value", value)


def _category(code: str | None) -> Category | None:
    if code is None:
        return None
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise InvalidInput(f"Unknown category: {code}.", f"未知的分类：{code}。", fields={"category": "unknown"})
    return category


def _team(code: str | None) -> Team | None:
    if code is None:
        return None
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise InvalidInput(f"Unknown team: {code}.", f"未知的团队：{code}。", fields={"team": "unknown"})
    return team


def _refuse_staff_only(sent: dict, names: tuple[str, ...]) -> None:
    refused = sorted(name for name in names if sent.get(name) not in (None, "", [], {}))
    if refused:
        raise InvalidInput(
            f"Only staff may set or filter by: {', '.join(refused)}.",
            f"只有员工可以设置或按以下字段筛选：{', '.join(refused)}。",
            fields={name: "staff_only" for name in refused},
        )


def _customer_for_new_ticket(actor: Actor, customer_id: int | None) -> Customer:
    if actor.is_customer:
        if customer_id is not None and customer_id != actor.customer.pk:
            raise InvalidInput(
                "Customers can only open tickets for themselves.",
                "客户只能为自己提交工单。",
                fields={"customer_id": "invalid"},
            )
        return actor.customer
    user = actor.user
    if user is None or not (user.is_superuser or user.role in DESK_ROLES):
        raise PermissionDenied("Only the service desk opens tickets for customers.", "只有服务台可以为客户创建工单。")
    if customer_id is None:
        raise InvalidInput(
            "Staff must say which customer the ticket is for (customer_id).",
            "员工创建工单时必须填写客户（customer_id）。",
            fields={"customer_id": "required"},
        )
    customer = Customer.objects.select_related("organization").filter(pk=customer_id).first()
    if customer is None:
        raise InvalidInput("Unknown customer.", "客户不存在。", fields={"customer_id": "unknown"})
    return customer


def _upload(file: UploadedFile) -> services.Upload:
    name = "".join(ch for ch in (file.name or "") if ch.isprintable()).strip()[:255] or "file"
    return services.Upload(name=name, content=file.read(), content_type=file.content_type or "")


# ---- list, create, read, update -------------------------------------------------------------


@router.get("", response=TicketPage, summary="List tickets (newest or nearest SLA deadline first, cursor pagination)")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]):
    policy = view_for(request.user)
    sent = filters.model_dump(exclude={"cursor", "limit", "order"})
    _refuse_staff_only(sent, policy.staff_only_filters)
    query = selectors.TicketQuery(**{name: _value(value) for name, value in sent.items()})
    rows, next_cursor = selectors.paginate(
        selectors.search_tickets(request.user, query, internal=policy.internal),
        cursor=filters.cursor,
        limit=filters.limit,
        order=filters.order,
    )
    return {"items": [policy.render_ticket(ticket) for ticket in rows], "next_cursor": next_cursor}


@router.post("", response={201: TicketOut}, summary="Open a ticket")
def create_ticket(request: HttpRequest, payload: TicketCreateIn):
    actor = _actor(request)
    policy: FieldPolicy = view_for(request.user)
    _refuse_staff_only(payload.model_dump(), policy.staff_only_create_fields)
    customer = _customer_for_new_ticket(actor, payload.customer_id)
    parent = access.get_visible_ticket(request.user, payload.parent) if payload.parent else None
    ticket = services.create_ticket(
        actor=actor,
        customer=customer,
        subject=payload.subject,
        description=payload.description,
        category=_category(payload.category),
        priority_code=_value(payload.priority),
        ticket_type=_value(payload.ticket_type),
        device_sn=payload.device_sn,
        site_location=payload.site_location,
        fault_code=payload.fault_code,
        tags=payload.tags,
        custom_fields=payload.custom_fields,
        team=_team(payload.team),
        assignee=payload.assignee_id,
        parent=parent,
        external_refs=[(_value(ref.system), ref.reference) for ref in payload.external_refs],
    )
    return Status(201, policy.render_ticket(_as_written(ticket, payload)))


def _as_written(ticket, payload: TicketCreateIn):
    """Answer from what was written, not read back (issue 15): before the worker's judgement a new
    ticket's relations are what the request gave it, so the empty ones need no query. A ticket judged
    inline (tests, immediate huey) was refreshed by creation and reads its relations as usual."""
    if not ticket.triage_pending:
        return ticket
    empty = ["collaborating_departments", "children", "links_out", "links_in"]
    empty += [name for name in ("tags", "external_refs") if not getattr(payload, name)]
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    for name in empty:
        cache[name] = getattr(ticket, name).none()
    ticket._prefetched_objects_cache = cache
    return ticket


def _render_with_etag(request: HttpRequest, number: str, response: HttpResponse):
    """The ticket as the caller may see it, its version as the `ETag` (for `If-Match` on PATCH)."""
    policy = view_for(request.user)
    ticket = selectors.get_ticket(request.user, number, internal=policy.internal)
    response["ETag"] = versions.etag(ticket.version)
    return policy.render_ticket(ticket)


@router.get("/{number}", response=TicketOut, summary="Read a ticket (its version in `ETag`)")
def read_ticket(request: HttpRequest, number: TicketNumber, response: HttpResponse):
    return _render_with_etag(request, number, response)


def _patch_changes(payload: TicketPatchIn, sent: set[str]) -> dict:
    changes = {}
    for name, field in PLAIN_PATCH_FIELDS.items():
        if name not in sent:
            continue
        value = getattr(payload, name)
        if name == "materials":
            value = [material.model_dump() for material in value]
        changes[field] = _value(value)
    return changes


def _apply_patch(actor: Actor, original: Ticket, payload: TicketPatchIn, accepted: list[int] | None) -> None:
    sent = set(payload.model_fields_set) - {"reason"}
    nulls = sorted(name for name in sent if getattr(payload, name) is None and name not in NULLABLE_PATCH_FIELDS)
    if nulls:
        raise InvalidInput(
            f"These fields cannot be null: {', '.join(nulls)}.",
            f"这些字段不能为空值：{', '.join(nulls)}。",
            fields={name: "null" for name in nulls},
        )
    reason = payload.reason

    def write() -> None:
        # The precondition is checked on the locked row: of two PATCHes sent with the same
        # If-Match, the second finds the version the first one made and is refused.
        ticket = services.ensure_version(ticket=original, versions=accepted)
        if "priority" in sent:
            services.set_priority(actor=actor, ticket=ticket, code=_value(payload.priority), reason=reason)
        if "category" in sent:
            services.set_category(actor=actor, ticket=ticket, category=_category(payload.category), reason=reason)
        if sent & {"assignee_id", "team"}:
            assignee = payload.assignee_id if "assignee_id" in sent else ticket.assignee_id
            team = _team(payload.team) if "team" in sent else None
            services.assign(actor=actor, ticket=ticket, assignee=assignee, team=team, reason=reason)
        changes = _patch_changes(payload, sent)
        tags = payload.tags if "tags" in sent else None
        if changes or tags is not None:
            services.update_fields(actor=actor, ticket=ticket, changes=changes, tags=tags)

    services.run_atomic_write(write)


def _stale(request: HttpRequest, error: PreconditionFailed) -> HttpResponse:
    response = problem_response(
        request, error.status, error.type, error.message_en, error.message_zh, extra={"current": error.current}
    )
    response["ETag"] = versions.etag(error.current["version"])
    return response


@router.patch(
    "/{number}",
    response=TicketOut,
    summary="Change a ticket's fields (`If-Match: <ETag>` refuses the change with 412 if the ticket changed)",
    description=(
        "Send the `ETag` of your last read as `If-Match` to apply the change only if nobody changed the "
        "ticket since: otherwise nothing is written and the answer is 412 `precondition-failed` with the "
        "ticket's `current` values and its new `ETag`. Without `If-Match` (or with `*`) the change is "
        "applied whatever the version. A successful answer carries the new `ETag`. See docs/concurrency.md."
    ),
)
def update_ticket(request: HttpRequest, number: TicketNumber, payload: TicketPatchIn, response: HttpResponse):
    ticket = access.get_visible_ticket(request.user, number)
    accepted = versions.parse_if_match(request.headers.get("If-Match"))
    try:
        _apply_patch(_actor(request), ticket, payload, accepted)
    except PreconditionFailed as error:
        return _stale(request, error)
    return _render_with_etag(request, number, response)


# ---- lifecycle and conversation -------------------------------------------------------------


@router.post("/{number}/transitions", response=TicketOut, summary="Change a ticket's status")
def transition(request: HttpRequest, number: TicketNumber, payload: TransitionIn):
    ticket = access.get_visible_ticket(request.user, number)
    services.change_status(
        actor=_actor(request), ticket=ticket, status=payload.status, reason=payload.reason, summary=payload.summary
    )
    return _render(request, number)


def _render_event(request: HttpRequest, ticket: Ticket, event_id: int):
    event = selectors.events_for(request.user, ticket).get(pk=event_id)
    return view_for(request.user).render_event(event)


@router.post("/{number}/replies", response={201: EventOut}, summary="Reply publicly")
def reply(request: HttpRequest, number: TicketNumber, payload: MessageIn):
    ticket = access.get_visible_ticket(request.user, number)
    event = services.add_reply(actor=_actor(request), ticket=ticket, body=payload.body, summary=payload.summary)
    # A reply to a ticket merged meanwhile is stored on its master: render it from there.
    return Status(201, _render_event(request, event.ticket, event.pk))


@router.post("/{number}/notes", response={201: EventOut}, summary="Add an internal note (staff only)")
def note(request: HttpRequest, number: TicketNumber, payload: MessageIn):
    ticket = access.get_visible_ticket(request.user, number)
    event = services.add_note(actor=_actor(request), ticket=ticket, body=payload.body, summary=payload.summary)
    return Status(201, _render_event(request, ticket, event.pk))


@router.get("/{number}/events", response=list[EventOut], summary="The ticket's timeline")
def events(request: HttpRequest, number: TicketNumber):
    ticket = access.get_visible_ticket(request.user, number)
    render = view_for(request.user).render_event
    return [render(event) for event in selectors.events_for(request.user, ticket)]


# ---- attachments ----------------------------------------------------------------------------


@router.post("/{number}/attachments", response={201: list[AttachmentOut]}, summary="Upload files")
def upload_attachments(
    request: HttpRequest,
    number: TicketNumber,
    files: File[list[UploadedFile]],
    form: Form[AttachmentForm],
):
    ticket = access.get_visible_ticket(request.user, number)
    event = services.attach(
        actor=_actor(request),
        ticket=ticket,
        files=[_upload(file) for file in files],
        is_public=form.is_public,
        summary=form.summary,
    )
    return Status(201, [attachment_out(attachment) for attachment in event.attachments.order_by("id")])


@router.get("/{number}/attachments", response=list[AttachmentOut], summary="List the files on a ticket")
def list_attachments(request: HttpRequest, number: TicketNumber):
    ticket = access.get_visible_ticket(request.user, number)
    return [attachment_out(attachment) for attachment in selectors.attachments_for(request.user, ticket)]


DOWNLOAD_RESPONSES = {
    200: {
        "description": "The file, as an attachment.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@attachments_router.get(
    "/{attachment_id}/download", summary="Download a file", openapi_extra={"responses": DOWNLOAD_RESPONSES}
)
def download_attachment(request: HttpRequest, attachment_id: Id):
    attachment = access.get_visible_attachment(request.user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise not_found("attachment") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type)


# ---- links, merge, external references ------------------------------------------------------


@router.post("/{number}/links", response={201: LinkCreatedOut}, summary="Link to another ticket")
def link(request: HttpRequest, number: TicketNumber, payload: LinkIn):
    ticket = access.get_visible_ticket(request.user, number)
    target = access.get_visible_ticket(request.user, payload.target)
    created = services.link(actor=_actor(request), ticket=ticket, target=target, kind=_value(payload.kind))
    return Status(201, {"source": ticket.number, "target": target.number, "kind": created.kind})


@router.post("/{number}/merge", response=TicketOut, summary="Merge this ticket into another")
def merge(request: HttpRequest, number: TicketNumber, payload: MergeIn):
    source = access.get_visible_ticket(request.user, number)
    target = access.get_visible_ticket(request.user, payload.target)
    master = services.merge(actor=_actor(request), source=source, target=target, reason=payload.reason)
    return _render(request, master.number)


@router.post("/{number}/external-refs", response={201: ExternalRefOut}, summary="Add an external reference")
def add_external_ref(request: HttpRequest, number: TicketNumber, payload: ExternalRefIn):
    ticket = access.get_visible_ticket(request.user, number)
    ref = services.add_external_ref(
        actor=_actor(request), ticket=ticket, system=_value(payload.system), reference=payload.reference
    )
    return Status(201, {"system": ref.system, "reference": ref.reference, "url": ref.url})


# ---- catalog: categories, statuses, priorities ----------------------------------------------


@catalog_router.get("/categories", response=list[CategoryNode], summary="The category tree (active categories)")
def categories(request: HttpRequest):
    return category_tree(list(Category.objects.filter(is_active=True)))


@catalog_router.get("/statuses", response=list[StatusChoice], summary="Statuses and the kinds they map to")
def statuses(request: HttpRequest):
    return list(TicketStatus.objects.all())


@catalog_router.get("/priorities", response=list[PriorityChoice], summary="Priorities P0–P4")
def priorities(request: HttpRequest):
    return list(Priority.objects.all())
