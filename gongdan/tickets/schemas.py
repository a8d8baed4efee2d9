"""API schemas for tickets, and the field-visibility policy that decides which schema a caller gets.

Customers get the reduced `CustomerTicketOut` (no internal fields: team, tags, custom fields,
materials, engineer, sentiment, knowledge reference, links…); staff get `StaffTicketOut`. The
choice is made in one place, `view_for(user)`, which the endpoints (and templates) consult.
Each output carries `view` ("customer" or "staff") so clients and the OpenAPI schema can tell
them apart.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from gongdan.accounts.constants import STAFF_ROLES, Role
from gongdan.core.schemas import InputSchema
from gongdan.tickets import constants as c
from gongdan.tickets import rendering
from gongdan.tickets.models import Attachment, Category, Ticket, TicketEvent

# ---- input primitives shared by the API -----------------------------------------------------

MAX_ID = 2**31 - 1


def _storable(value: str) -> str:
    """Refuse text no database can store (NUL, lone surrogates): a 422, never a 500."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


def Text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length), AfterValidator(_storable)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")]
TicketNumber = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[-A-Za-z0-9]+$")]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]
ScalarValue = Text(2000) | bool | int | Number | None


# ---- small shared outputs -------------------------------------------------------------------


class StatusOut(Schema):
    key: str
    kind: str
    label_zh: str
    label_en: str


class CategoryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    depth: int
    path: list[str] = Field(description="Codes from the root category down to this one.")


class UserRef(Schema):
    id: int
    display_name: str


class ExternalRefOut(Schema):
    system: str
    reference: str
    url: str


class LinkOut(Schema):
    kind: str
    direction: Literal["out", "in"]
    ticket: str = Field(description="The number of the linked ticket.")


class MaterialIn(InputSchema):
    item: Text(200, min_length=1)
    quantity: Number = 1
    unit: Text(20) = ""


class CursorPage(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# ---- ticket outputs -------------------------------------------------------------------------


class TicketBase(Schema):
    number: str
    subject: str
    description: str
    channel: str
    ticket_type: str
    customer_id: int
    organization_id: int | None
    category: CategoryOut | None
    priority: str
    status: StatusOut
    device_sn: str
    site_location: str
    fault_code: str
    first_response_seconds: int | None
    resolution_seconds: int | None
    rating: int | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None


class CustomerTicketOut(TicketBase):
    view: Literal["customer"] = "customer"
    assignee_name: str | None
    merged_into: str | None = Field(None, description="The ticket this one was merged into (R5.3).")


class StaffTicketOut(TicketBase):
    view: Literal["staff"] = "staff"
    assignee: UserRef | None
    team: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    external_refs: list[ExternalRefOut]
    parent: str | None
    children: list[str]
    merged_into: str | None
    links: list[LinkOut]
    materials: list[dict[str, Any]]
    engineer_id: int | None
    collaborating_departments: list[str]
    knowledge_ref: str
    sentiment: str
    sla_status: str
    first_response_due_at: datetime | None = Field(description="Stored SLA deadline (business time applied).")
    next_response_due_at: datetime | None = Field(description="Set while a customer message awaits an answer.")
    resolution_due_at: datetime | None
    stagnation_level: str = Field(description='"", "yellow" or "red" (no effective action for too long).')
    closure_kind: str
    reopen_count: int
    language: str
    last_effective_action_at: datetime | None
    created_by_id: int | None


TicketOut = Annotated[StaffTicketOut | CustomerTicketOut, Field(discriminator="view")]


class TicketPage(CursorPage):
    items: list[TicketOut]


# ---- event and attachment outputs -----------------------------------------------------------


class EventBase(Schema):
    id: int
    event_type: str
    actor_name: str
    channel: str
    summary: str
    text: str = Field(description="What the event says, in the request's language (from its type and values)")
    body: str
    created_at: datetime


class CustomerEventOut(EventBase):
    view: Literal["customer"] = "customer"


class StaffEventOut(EventBase):
    view: Literal["staff"] = "staff"
    actor_id: int | None
    actor_customer_id: int | None
    ip: str | None
    old_value: Any
    new_value: Any
    is_public: bool
    is_effective: bool
    counts_as_first_response: bool
    mentions: list[str]


EventOut = Annotated[StaffEventOut | CustomerEventOut, Field(discriminator="view")]


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    is_public: bool
    event_id: int | None
    created_at: datetime
    download_url: str


class LinkCreatedOut(Schema):
    source: str
    target: str
    kind: str


# ---- inputs ---------------------------------------------------------------------------------


class ExternalRefIn(InputSchema):
    system: c.ExternalSystem
    reference: Text(100, min_length=1)


class TicketCreateIn(InputSchema):
    subject: Text(200)
    description: Text(20000) = ""
    customer_id: Id | None = Field(None, description="Required for staff; customers open tickets for themselves.")
    category: Code | None = None
    priority: c.PriorityCode | None = Field(None, description="Staff only; defaults to P2.")
    ticket_type: c.TicketType = c.TicketType.INCIDENT
    device_sn: Text(100) = ""
    site_location: Text(300) = ""
    fault_code: Text(50) = ""
    tags: list[Text(50)] = Field(default_factory=list, max_length=20, description="Staff only.")
    custom_fields: dict[Text(50), ScalarValue] = Field(default_factory=dict)
    team: Code | None = Field(None, description="Staff only.")
    assignee_id: Id | None = Field(None, description="Staff only.")
    parent: TicketNumber | None = Field(None, description="Staff only.")
    external_refs: list[ExternalRefIn] = Field(default_factory=list, max_length=20, description="Staff only.")


STAFF_ONLY_CREATE_FIELDS = ("priority", "tags", "team", "assignee_id", "parent", "external_refs")


class TicketPatchIn(InputSchema):
    """Only the fields sent are changed. `reason` explains priority, category and assignment changes."""

    reason: Text(2000) = ""
    priority: c.PriorityCode | None = None
    category: Code | None = Field(None, description="null clears the category.")
    assignee_id: Id | None = Field(None, description="null unassigns.")
    team: Code | None = None
    tags: list[Text(50)] | None = Field(None, max_length=50)
    subject: Text(200) | None = None
    description: Text(20000) | None = None
    ticket_type: c.TicketType | None = None
    device_sn: Text(100) | None = None
    fault_code: Text(50) | None = None
    site_location: Text(300) | None = None
    knowledge_ref: Text(50) | None = None
    sentiment: c.Sentiment | Literal[""] | None = None
    materials: list[MaterialIn] | None = Field(None, max_length=100)
    engineer_id: Id | None = None
    collaborating_departments: list[Code] | None = Field(None, max_length=20)
    custom_fields: dict[Text(50), ScalarValue] | None = None


# Sent as null, these fields keep their meaning: clear the category, unassign, clear the engineer.
NULLABLE_PATCH_FIELDS = frozenset({"category", "assignee_id", "engineer_id"})


class TransitionIn(InputSchema):
    status: Code = Field(description="A status key or a status kind (new, open, pending, …).")
    reason: Text(2000) = ""
    summary: Text(200) = ""


class MessageIn(InputSchema):
    body: Text(50000)
    summary: Text(200) = ""


class LinkIn(InputSchema):
    target: TicketNumber
    kind: c.LinkKind = c.LinkKind.RELATED


class MergeIn(InputSchema):
    target: TicketNumber = Field(description="The ticket this one is merged into.")
    reason: Text(2000) = ""


class AttachmentForm(Schema):
    is_public: bool = Field(True, description="Staff only: false keeps the files internal.")
    summary: Text(200) = ""


class TicketFilters(Schema):
    status: Code | None = Field(None, description="A status key or kind.")
    priority: c.PriorityCode | None = None
    assignee: Annotated[str, StringConstraints(pattern=r"^(me|none|[1-9][0-9]{0,8})$")] | None = Field(
        None, description='A user id, "me" or "none". Staff only.'
    )
    team: Code | None = Field(None, description="Team code. Staff only.")
    customer: Id | None = Field(None, description="Customer id. Staff only.")
    category: Code | None = Field(None, description="Category code; includes its sub-categories.")
    tag: Text(50) | None = Field(None, description="Staff only.")
    q: Text(200) | None = Field(None, description="Text in the subject, description or number.")
    order: Literal["newest", "sla_due"] = Field(
        "newest", description="newest: newest first. sla_due: nearest open SLA deadline first, none last."
    )
    cursor: Text(500) | None = None
    limit: int = Field(25, ge=1, le=100)


STAFF_ONLY_FILTERS = ("assignee", "team", "customer", "tag")


class CategoryNode(Schema):
    code: str
    name_zh: str
    name_en: str
    depth: int
    children: list["CategoryNode"]


class StatusChoice(StatusOut):
    order: int
    is_default: bool


class PriorityChoice(Schema):
    code: str
    rank: int
    name_zh: str
    name_en: str
    color: str


# ---- building outputs -----------------------------------------------------------------------


def category_out(category: Category | None) -> CategoryOut | None:
    if category is None:
        return None
    return CategoryOut(
        code=category.code,
        name_zh=category.name_zh,
        name_en=category.name_en,
        depth=category.depth,
        path=[node.code for node in category.path()],
    )


def _base_fields(ticket: Ticket) -> dict[str, Any]:
    status = ticket.status
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "channel": ticket.channel,
        "ticket_type": ticket.ticket_type,
        "customer_id": ticket.customer_id,
        "organization_id": ticket.organization_id,
        "category": category_out(ticket.category),
        "priority": ticket.priority.code,
        "status": StatusOut(key=status.key, kind=status.kind, label_zh=status.label_zh, label_en=status.label_en),
        "device_sn": ticket.device_sn,
        "site_location": ticket.site_location,
        "fault_code": ticket.fault_code,
        "first_response_seconds": ticket.first_response_seconds,
        "resolution_seconds": ticket.resolution_seconds,
        "rating": ticket.rating,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


def customer_ticket(ticket: Ticket) -> CustomerTicketOut:
    assignee = str(ticket.assignee) if ticket.assignee_id else None
    merged_into = ticket.merged_into.number if ticket.merged_into_id else None
    return CustomerTicketOut(**_base_fields(ticket), assignee_name=assignee, merged_into=merged_into)


def _links(ticket: Ticket) -> list[LinkOut]:
    out = [LinkOut(kind=link.kind, direction="out", ticket=link.target.number) for link in ticket.links_out.all()]
    out += [LinkOut(kind=link.kind, direction="in", ticket=link.source.number) for link in ticket.links_in.all()]
    return out


def staff_ticket(ticket: Ticket) -> StaffTicketOut:
    assignee = ticket.assignee
    return StaffTicketOut(
        **_base_fields(ticket),
        assignee=UserRef(id=assignee.pk, display_name=str(assignee)) if assignee else None,
        team=ticket.team.code if ticket.team_id else None,
        tags=sorted(tag.name for tag in ticket.tags.all()),
        custom_fields=ticket.custom_fields,
        external_refs=[
            ExternalRefOut(system=ref.system, reference=ref.reference, url=ref.url)
            for ref in ticket.external_refs.all()
        ],
        parent=ticket.parent.number if ticket.parent_id else None,
        children=sorted(child.number for child in ticket.children.all()),
        merged_into=ticket.merged_into.number if ticket.merged_into_id else None,
        links=_links(ticket),
        materials=ticket.materials if isinstance(ticket.materials, list) else [],
        engineer_id=ticket.engineer_id,
        collaborating_departments=sorted(team.code for team in ticket.collaborating_departments.all()),
        knowledge_ref=ticket.knowledge_ref,
        sentiment=ticket.sentiment,
        sla_status=ticket.sla_status,
        first_response_due_at=ticket.first_response_due_at,
        next_response_due_at=ticket.next_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        stagnation_level=ticket.stagnation_level,
        closure_kind=ticket.closure_kind,
        reopen_count=ticket.reopen_count,
        language=ticket.language,
        last_effective_action_at=ticket.last_effective_action_at,
        created_by_id=ticket.created_by_id,
    )


def _event_base(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "event_type": event.event_type,
        "actor_name": str(event.actor_customer) if event.actor_customer_id else event.actor_label,
        "channel": event.channel,
        "summary": event.summary,
        "text": rendering.describe(event),
        "body": event.body,
        "created_at": event.created_at,
    }


def customer_event(event: TicketEvent) -> CustomerEventOut:
    return CustomerEventOut(**_event_base(event))


def staff_event(event: TicketEvent) -> StaffEventOut:
    return StaffEventOut(
        **_event_base(event),
        actor_id=event.actor_id,
        actor_customer_id=event.actor_customer_id,
        ip=event.ip,
        old_value=event.old_value,
        new_value=event.new_value,
        is_public=event.is_public,
        is_effective=event.is_effective,
        counts_as_first_response=event.counts_as_first_response,
        mentions=sorted(user.username for user in event.mentions.all()),
    )


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        is_public=attachment.is_public,
        event_id=attachment.event_id,
        created_at=attachment.created_at,
        download_url=f"/api/v1/attachments/{attachment.pk}/download",
    )


# ---- the field-visibility policy ------------------------------------------------------------


@dataclass(frozen=True)
class FieldPolicy:
    """Which ticket and event fields a kind of caller may see, and how to render them."""

    name: str
    internal: bool
    ticket_schema: type[Schema]
    render_ticket: Callable[[Ticket], Schema]
    render_event: Callable[[TicketEvent], Schema]
    staff_only_filters: tuple[str, ...]
    staff_only_create_fields: tuple[str, ...]
    # The ticket's customer's contact data (identities: phone, e-mail, IM ids) and tickets of that
    # customer beyond this ticket. R8.2: purchasing sees part numbers, never the customer's phone.
    customer_contact: bool = False

    @property
    def ticket_fields(self) -> frozenset[str]:
        return frozenset(self.ticket_schema.model_fields)

    def shows(self, field: str) -> bool:
        return field in self.ticket_fields


STAFF_VIEW = FieldPolicy(
    name="staff",
    internal=True,
    ticket_schema=StaffTicketOut,
    render_ticket=staff_ticket,
    render_event=staff_event,
    staff_only_filters=(),
    staff_only_create_fields=(),
    customer_contact=True,
)
# Department staff (purchasing, warehouse…): the internal ticket, but not the customer's contact data.
DEPARTMENT_VIEW = replace(STAFF_VIEW, name="department", customer_contact=False)
CUSTOMER_VIEW = FieldPolicy(
    name="customer",
    internal=False,
    ticket_schema=CustomerTicketOut,
    render_ticket=customer_ticket,
    render_event=customer_event,
    staff_only_filters=STAFF_ONLY_FILTERS,
    staff_only_create_fields=STAFF_ONLY_CREATE_FIELDS,
)
INTERNAL_TICKET_FIELDS = STAFF_VIEW.ticket_fields - CUSTOMER_VIEW.ticket_fields - {"view"}


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def view_for(user) -> FieldPolicy:
    """Desk staff see the full ticket; department staff the same without the customer's contact data;
    everyone else (customers) sees the customer view."""
    if not is_staff(user):
        return CUSTOMER_VIEW
    return DEPARTMENT_VIEW if user.role == Role.DEPARTMENT and not user.is_superuser else STAFF_VIEW


def category_tree(categories: list[Category]) -> list[CategoryNode]:
    """Nest categories under their parents; a category under a left-out (inactive) parent is left out too."""
    nodes: dict[int, CategoryNode] = {}
    roots: list[CategoryNode] = []
    for cat in sorted(categories, key=lambda cat: (cat.depth, cat.code)):
        node = CategoryNode(code=cat.code, name_zh=cat.name_zh, name_en=cat.name_en, depth=cat.depth, children=[])
        if cat.parent_id is None:
            roots.append(node)
        elif cat.parent_id in nodes:
            nodes[cat.parent_id].children.append(node)
        else:
            continue
        nodes[cat.pk] = node
    return roots
