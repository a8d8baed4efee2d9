"""Assignment, priority, category, plain fields, tags, links and external references."""

from collections.abc import Sequence
from typing import Any

from gongdan.accounts.models import Team, User
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.core.text import is_blank
from gongdan.tickets import access, rendering
from gongdan.tickets import constants as c
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import (
    Category,
    DeskPolicy,
    ExternalReference,
    Ticket,
    TicketLink,
)
from gongdan.tickets.services._base import (
    counts_as_effective,
    resolve_priority,
    set_tags,
    staff_user,
)
from gongdan.tickets.services._base import (
    record_event as _record,
)
from gongdan.tickets.services.hooks import run_changed_hooks
from gongdan.tickets.services.locking import atomic_write, lock_ticket, lock_tickets
from gongdan.tickets.validation import (
    clean_custom_fields,
)


@atomic_write
def assign(
    *,
    actor: Actor,
    ticket: Ticket,
    assignee: User | int | None,
    team: Team | None = None,
    reason: str = "",
    locked: bool = False,
) -> Ticket:
    """Set the assignee (and team). `locked`: the caller already holds the row of the current `ticket`
    (read with status, priority and customer in this transaction), which is then not read again."""
    access.ensure_desk(actor, ticket)
    if not locked:
        ticket = lock_ticket(ticket)
    user = staff_user(assignee, "assignee")
    new_team = team if team is not None else ticket.team
    old = {"assignee": ticket.assignee_id, "team": ticket.team_id}
    new = {"assignee": user.pk if user else None, "team": new_team.pk if new_team else None}
    if old == new:
        return ticket
    Ticket.objects.filter(pk=ticket.pk).update(assignee=user, team=new_team)
    ticket.assignee, ticket.team = user, new_team
    new.update(assignee_name=str(user) if user else None, team_name=rendering.names(new_team))
    _record(ticket, actor, EventType.ASSIGNED, body=reason.strip(), old=old, new=new)
    return ticket


@atomic_write
def set_priority(*, actor: Actor, ticket: Ticket, code: str, reason: str = "") -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    priority = resolve_priority(code)
    if priority.pk == ticket.priority_id:
        return ticket
    old = ticket.priority.code
    Ticket.objects.filter(pk=ticket.pk).update(priority=priority)
    ticket.priority = priority
    _record(
        ticket,
        actor,
        EventType.PRIORITY_CHANGED,
        summary=f"{old} → {priority.code}",  # codes: the same in every language
        body=reason.strip(),
        old={"priority": old},
        new={"priority": priority.code},
    )
    return ticket


@atomic_write
def set_category(*, actor: Actor, ticket: Ticket, category: Category | None, reason: str = "") -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    if category is not None and not category.is_active:
        raise InvalidInput("This category is no longer in use.", "该分类已停用。", fields={"category": "inactive"})
    if (category.pk if category else None) == ticket.category_id:
        return ticket
    old = ticket.category.code if ticket.category_id else None
    Ticket.objects.filter(pk=ticket.pk).update(category=category)
    ticket.category = category
    _record(
        ticket,
        actor,
        EventType.CATEGORY_CHANGED,
        body=reason.strip(),
        old={"category": old},
        new={"category": category.code if category else None, "category_name": rendering.names(category)},
    )
    run_changed_hooks(ticket, actor, frozenset({"category"}))
    return ticket


EDITABLE_FIELDS = (
    "subject",
    "description",
    "ticket_type",
    "device_sn",
    "fault_code",
    "site_location",
    "knowledge_ref",
    "sentiment",
    "materials",
    "engineer",
    "collaborating_departments",
    "custom_fields",
)


def _field_value(ticket: Ticket, name: str) -> Any:
    if name == "engineer":
        return ticket.engineer_id
    if name == "collaborating_departments":
        return sorted(ticket.collaborating_departments.values_list("code", flat=True))
    return getattr(ticket, name)


def _clean_field(ticket: Ticket, name: str, value: Any) -> Any:
    if name == "subject" and is_blank(value):
        raise InvalidInput("A subject is required.", "请填写标题。", fields={"subject": "blank"})
    if name == "ticket_type" and value not in c.TicketType.values:
        raise InvalidInput(f"Unknown ticket type: {value}.", f"未知的工单类型：{value}。", fields={name: "unknown"})
    if name == "sentiment" and value not in ["", *c.Sentiment.values]:
        raise InvalidInput(f"Unknown sentiment: {value}.", f"未知的情绪标签：{value}。", fields={name: "unknown"})
    if name == "engineer":
        return staff_user(value, "engineer")
    if name == "collaborating_departments":
        teams = list(Team.objects.filter(code__in=value))
        if len(teams) != len(set(value)):
            raise InvalidInput("Unknown department code.", "未知的部门代码。", fields={name: "unknown"})
        return teams
    if name == "custom_fields":
        return clean_custom_fields(value, ticket.category, existing=ticket.custom_fields, creating=False)
    if name == "materials" and not (
        isinstance(value, list) and all(isinstance(m, dict) and m.get("item") for m in value)
    ):
        raise InvalidInput(
            'Materials are a list of {"item", "quantity"} entries.',
            "耗材应为包含 item 和 quantity 的列表。",
            fields={name: "invalid"},
        )
    return value.strip() if isinstance(value, str) else value


@atomic_write
def update_fields(
    *, actor: Actor, ticket: Ticket, changes: dict[str, Any], tags: Sequence[str] | None = None
) -> Ticket:
    """Change plain fields (and tags) in one step: one event with the old and new values."""
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"These fields cannot be edited: {', '.join(unknown)}.",
            f"这些字段不可编辑：{', '.join(unknown)}。",
            fields={k: "read_only" for k in unknown},
        )
    old, new = {}, {}
    for name, raw in changes.items():
        value = _clean_field(ticket, name, raw)
        before = _field_value(ticket, name)
        if name == "collaborating_departments":
            ticket.collaborating_departments.set(value)
        else:
            setattr(ticket, name, value)
        after = _field_value(ticket, name)
        if before != after:
            old[name], new[name] = before, after
    if old:
        ticket.updated_at = clock.now()
        ticket.save(update_fields=[n for n in old if n != "collaborating_departments"] + ["updated_at"])
        _record(ticket, actor, EventType.FIELDS_CHANGED, old=old, new=new)
        run_changed_hooks(ticket, actor, frozenset(old))
    if tags is not None:
        before_tags, after_tags = set_tags(ticket, tags)
        if before_tags != after_tags:
            _record(
                ticket,
                actor,
                EventType.TAGS_CHANGED,
                summary=", ".join(after_tags)[:60],
                old={"tags": before_tags},
                new={"tags": after_tags},
            )
    return ticket


@atomic_write
def link(*, actor: Actor, ticket: Ticket, target: Ticket, kind: str = c.LinkKind.RELATED) -> TicketLink:
    access.ensure_desk(actor, ticket)
    access.ensure_can_see(actor, target)
    if kind not in c.LinkKind.values:
        raise InvalidInput(f"Unknown link kind: {kind}.", f"未知的关联类型：{kind}。", fields={"kind": "unknown"})
    if target.pk == ticket.pk:
        raise InvalidInput("A ticket cannot be linked to itself.", "工单不能关联自身。", fields={"target": "self"})
    # Both ends are locked (lowest id first): a link never lands on a ticket being merged away.
    ticket, target = lock_tickets(ticket, target)
    created = TicketLink.objects.get_or_create(
        source=ticket, target=target, kind=kind, defaults={"created_by": actor.user}
    )[0]
    _record(ticket, actor, EventType.LINKED, new={"kind": kind, "target": target.number})
    return created


@atomic_write
def set_parent(*, actor: Actor, ticket: Ticket, parent: Ticket | None) -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = lock_ticket(ticket)
    if parent is not None:
        access.ensure_can_see(actor, parent)
        # Walk the stored ancestry, not the caller's possibly stale objects.
        node_id: int | None = parent.pk
        while node_id is not None:
            if node_id == ticket.pk:
                raise InvalidInput(
                    "That would make a cycle of parent tickets.", "这样会形成父子工单循环。", fields={"parent": "cycle"}
                )
            node_id = Ticket.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
    old = ticket.parent.number if ticket.parent_id else None
    Ticket.objects.filter(pk=ticket.pk).update(parent=parent)
    ticket.parent = parent
    _record(
        ticket,
        actor,
        EventType.LINKED,
        old={"parent": old},
        new={"parent": parent.number if parent else None},
    )
    return ticket


def write_external_ref(ticket: Ticket, system: str, reference: str) -> ExternalReference:
    if system not in c.ExternalSystem.values or is_blank(reference):
        raise InvalidInput(
            f"Unknown external system or empty reference: {system}.",
            f"外部系统未知或单号为空：{system}。",
            fields={"external_refs": "invalid"},
        )
    return ExternalReference.objects.get_or_create(ticket=ticket, system=system, reference=reference.strip())[0]


@atomic_write
def add_external_ref(*, actor: Actor, ticket: Ticket, system: str, reference: str) -> ExternalReference:
    access.ensure_staff(actor, ticket)
    ticket = lock_ticket(ticket)
    ref = write_external_ref(ticket, system, reference)
    policy = DeskPolicy.current()
    _record(
        ticket,
        actor,
        EventType.EXTERNAL_REF_ADDED,
        new={"system": system, "reference": ref.reference},
        is_effective=counts_as_effective(EventType.EXTERNAL_REF_ADDED, policy, actor),
    )
    return ref
