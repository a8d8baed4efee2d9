"""The only write path for tickets (rule 1). Every public function is keyword-only, takes the
actor explicitly, runs in one transaction and writes typed timeline events (rule 3).
"""

import hashlib
import mimetypes
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from gongdan.accounts.constants import STAFF_ROLES
from gongdan.accounts.models import Team, User
from gongdan.automation import services as outbox
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import IllegalTransition, InvalidInput, ReasonRequired
from gongdan.core.text import headline, is_blank
from gongdan.customers.models import Customer, Device
from gongdan.tickets import access, lifecycle
from gongdan.tickets import constants as c
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import (
    Attachment,
    Category,
    DeskPolicy,
    ExternalReference,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)
from gongdan.tickets.validation import (
    check_attachment,
    clean_custom_fields,
    clean_summary,
    is_acknowledgement_only,
    require_body,
)

MENTION = re.compile(r"@([\w.\-]+)")


class Upload:
    """A file handed to a service: a name, a declared type and its bytes."""

    def __init__(self, name: str, content: bytes, content_type: str = ""):
        self.name = name
        self.content = content
        self.content_type = content_type


# ---- helpers -------------------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("status", "priority", "customer").get(pk=ticket.pk)


def _record(
    ticket: Ticket,
    actor: Actor,
    event_type: str,
    *,
    summary: str = "",
    body: str = "",
    old: Any = None,
    new: Any = None,
    is_public: bool = False,
    is_effective: bool = False,
    first_response: bool = False,
) -> TicketEvent:
    at = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        event_type=event_type,
        actor=actor.user,
        actor_customer=actor.customer,
        ip=actor.ip,
        channel=actor.channel,
        summary=summary,
        body=body,
        old_value=old,
        new_value=new,
        is_public=is_public,
        is_effective=is_effective,
        counts_as_first_response=first_response,
        created_at=at,
    )
    fields = {"updated_at": at}
    if is_effective:
        fields["last_effective_action_at"] = at
    if first_response:
        fields["first_response_at"] = at
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for name, value in fields.items():
        setattr(ticket, name, value)
    return event


def _counts_as_effective(event_type: str, policy: DeskPolicy, actor: Actor) -> bool:
    # Effective actions are work done by the desk (R3.3); a customer's own message is not one.
    return event_type in policy.effective_event_types and not actor.is_customer


def _status_for(kind: str) -> Status:
    return Status.objects.get(kind=kind, is_default=True)


def _resolve_status(value: str | Status) -> Status:
    if isinstance(value, Status):
        return value
    status = Status.objects.filter(key=value).first() or Status.objects.filter(kind=value, is_default=True).first()
    if status is None:
        raise InvalidInput(f"Unknown status: {value}.", f"未知的状态：{value}。", fields={"status": "unknown"})
    return status


def _resolve_priority(code: str | None) -> Priority:
    code = code or c.DEFAULT_PRIORITY
    priority = Priority.objects.filter(code=code).first()
    if priority is None:
        raise InvalidInput(
            f"Unknown priority: {code}. Use P0–P4.",
            f"未知的优先级：{code}，请使用 P0–P4。",
            fields={"priority": "unknown"},
        )
    return priority


def _staff_user(user_id_or_user: User | int | None, field: str) -> User | None:
    if user_id_or_user is None:
        return None
    user = user_id_or_user if isinstance(user_id_or_user, User) else User.objects.filter(pk=user_id_or_user).first()
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise InvalidInput(
            "The chosen person is not an active staff member.",
            "所选人员不是在职的员工账号。",
            fields={field: "invalid"},
        )
    return user


def _mentioned_staff(body: str) -> list[User]:
    names = set(MENTION.findall(body))
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True, role__in=STAFF_ROLES))


def _set_tags(ticket: Ticket, names: Iterable[str]) -> tuple[list[str], list[str]]:
    old = sorted(ticket.tags.values_list("name", flat=True))
    cleaned = sorted({name.strip() for name in names if name and name.strip()})
    too_long = [name for name in cleaned if len(name) > 50]
    if too_long:
        raise InvalidInput("Tags are at most 50 characters.", "标签最多 50 个字符。", fields={"tags": "too_long"})
    tags = [Tag.objects.get_or_create(name=name)[0] for name in cleaned]
    ticket.tags.set(tags)
    return old, cleaned


def _notify_customer(ticket: Ticket, *, subject_en: str, subject_zh: str, body: str, key: str | None = None) -> None:
    email = ticket.customer.primary_email
    if not email:
        return
    chinese = ticket.customer.language.startswith("zh")
    outbox.enqueue_email(
        recipient=email,
        subject=f"[{ticket.number}] {subject_zh if chinese else subject_en}",
        body=body,
        ticket=ticket,
        dedupe_key=key,
    )


# ---- create --------------------------------------------------------------------------------


@transaction.atomic
def create_ticket(
    *,
    actor: Actor,
    customer: Customer,
    subject: str,
    description: str = "",
    category: Category | None = None,
    priority_code: str | None = None,
    ticket_type: str = c.TicketType.INCIDENT,
    device_sn: str = "",
    site_location: str = "",
    fault_code: str = "",
    tags: Sequence[str] = (),
    custom_fields: dict[str, Any] | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    parent: Ticket | None = None,
    external_refs: Sequence[tuple[str, str]] = (),
) -> Ticket:
    if is_blank(subject):
        raise InvalidInput("A subject is required.", "请填写标题。", fields={"subject": "blank"})
    if actor.is_customer and actor.customer.pk != customer.pk:
        raise InvalidInput(
            "Customers can only open tickets for themselves.",
            "客户只能为自己提交工单。",
            fields={"customer": "invalid"},
        )
    if category is not None and not category.is_active:
        raise InvalidInput("This category is no longer in use.", "该分类已停用。", fields={"category": "inactive"})
    if ticket_type not in c.TicketType.values:
        raise InvalidInput(
            f"Unknown ticket type: {ticket_type}.",
            f"未知的工单类型：{ticket_type}。",
            fields={"ticket_type": "unknown"},
        )
    if parent is not None:
        access.ensure_can_see(actor, parent)
    fields = clean_custom_fields(custom_fields or {}, category, creating=True)
    device = Device.objects.filter(serial_number=device_sn.strip()).first() if device_sn.strip() else None
    now = clock.now()
    ticket = Ticket.objects.create(
        subject=subject.strip(),
        description=(description or "").strip(),
        channel=actor.channel,
        ticket_type=ticket_type,
        customer=customer,
        organization=customer.organization,
        category=category,
        priority=_resolve_priority(priority_code),
        status=_status_for(StatusKind.NEW),
        team=team or (category.default_team if category else None),
        assignee=_staff_user(assignee, "assignee"),
        custom_fields=fields,
        device=device,
        device_sn=device_sn.strip(),
        site_location=site_location.strip(),
        fault_code=fault_code.strip(),
        parent=parent,
        language=customer.language,
        created_by=actor.user,
        created_at=now,
        updated_at=now,
    )
    ticket.number = f"GD-{ticket.pk:06d}"
    ticket.save(update_fields=["number"])
    if tags:
        _set_tags(ticket, tags)
    for system, reference in external_refs:
        _add_external_ref(ticket, system, reference)
    _record(
        ticket,
        actor,
        EventType.CREATED,
        summary=headline(ticket.subject, 60),
        is_public=True,
        new={"status": ticket.status.key, "priority": ticket.priority.code, "channel": ticket.channel},
    )
    return ticket


# ---- conversation --------------------------------------------------------------------------


@transaction.atomic
def add_reply(
    *, actor: Actor, ticket: Ticket, body: str, summary: str = "", attachments: Sequence[Upload] = ()
) -> TicketEvent:
    """A public reply. From the desk it may be the first response; from the customer it may reopen."""
    access.ensure_can_reply(actor, ticket)
    ticket = _lock(ticket)
    policy = DeskPolicy.current()
    body = require_body(body)
    kind = ticket.status.kind
    if kind in lifecycle.FINAL_KINDS_FOR_REPLY:
        raise IllegalTransition(
            "This ticket is closed; please open a new request and mention its number.",
            "该工单已关闭，请提交新的请求并注明原工单号。",
        )
    summary = clean_summary(summary, policy) or headline(body, policy.summary_max_length)
    substantive = not is_acknowledgement_only(body, policy)
    from_desk = not actor.is_customer
    effective = from_desk and substantive and _counts_as_effective(EventType.REPLY, policy, actor)
    first = from_desk and substantive and ticket.first_response_at is None
    event = _record(
        ticket,
        actor,
        EventType.REPLY,
        summary=summary,
        body=body,
        is_public=True,
        is_effective=effective,
        first_response=first,
    )
    _attach_files(ticket, actor, attachments, event=event, is_public=True, policy=policy)
    if from_desk:
        if kind == StatusKind.NEW:
            _move(ticket, actor, _status_for(StatusKind.OPEN), summary="", reason="", effective=False)
        _notify_customer(ticket, subject_en=ticket.subject, subject_zh=ticket.subject, body=body)
    else:
        _after_customer_reply(ticket, actor, kind, policy)
    return event


def _after_customer_reply(ticket: Ticket, actor: Actor, kind: str, policy: DeskPolicy) -> None:
    if kind == StatusKind.PENDING:
        _move(ticket, actor, _status_for(StatusKind.OPEN), summary="", reason="", effective=False)
    elif kind == StatusKind.RESOLVED and policy.reopen_on_customer_reply:
        _reopen(ticket, actor, reason="客户回复 / customer replied", effective=False)


@transaction.atomic
def add_note(
    *, actor: Actor, ticket: Ticket, body: str, summary: str = "", attachments: Sequence[Upload] = ()
) -> TicketEvent:
    """An internal note; effective only with a summary (R3.3). @username mentions staff."""
    access.ensure_staff(actor, ticket)
    ticket = _lock(ticket)
    policy = DeskPolicy.current()
    body = require_body(body)
    summary = clean_summary(summary, policy)
    effective = bool(summary) and _counts_as_effective(EventType.NOTE, policy, actor)
    event = _record(
        ticket,
        actor,
        EventType.NOTE,
        summary=summary or headline(body, policy.summary_max_length),
        body=body,
        is_effective=effective,
    )
    mentioned = _mentioned_staff(body)
    if mentioned:
        event.mentions.set(mentioned)
    _attach_files(ticket, actor, attachments, event=event, is_public=False, policy=policy)
    return event


# ---- status --------------------------------------------------------------------------------


def _move(
    ticket: Ticket,
    actor: Actor,
    target: Status,
    *,
    summary: str,
    reason: str,
    effective: bool,
    event_type: str = EventType.STATUS_CHANGED,
    closure_kind: str = "",
) -> TicketEvent:
    old = ticket.status
    now = clock.now()
    updates: dict[str, Any] = {"status": target}
    if target.kind == StatusKind.RESOLVED:
        updates["resolved_at"] = now
    if target.kind == StatusKind.CLOSED:
        updates.update(closed_at=now, closure_kind=closure_kind or c.ClosureKind.AGENT_CLOSED)
    if old.kind in (StatusKind.RESOLVED, StatusKind.CLOSED) and target.kind not in lifecycle.DONE_KINDS:
        updates.update(resolved_at=None, closed_at=None, closure_kind="", reopen_count=ticket.reopen_count + 1)
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    for name, value in updates.items():
        setattr(ticket, name, value)
    event = _record(
        ticket,
        actor,
        event_type,
        summary=summary or f"{old.label_zh} → {target.label_zh}",
        body=reason,
        old={"status": old.key, "kind": old.kind},
        new={"status": target.key, "kind": target.kind},
        is_public=True,
        is_effective=effective,
    )
    if target.kind == StatusKind.RESOLVED:
        from gongdan.feedback import services as feedback

        feedback.request_confirmation(ticket=ticket, actor=actor)
    return event


@transaction.atomic
def change_status(*, actor: Actor, ticket: Ticket, status: str | Status, reason: str = "", summary: str = "") -> Ticket:
    """Move a ticket along the lifecycle table; a step back (回退) or an agent close needs a reason."""
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
    target = _resolve_status(status)
    policy = DeskPolicy.current()
    summary = clean_summary(summary, policy)
    current = ticket.status
    if target.pk == current.pk:
        raise IllegalTransition(f"The ticket is already {current.label_en}.", f"工单已经是“{current.label_zh}”状态。")
    rule = lifecycle.rule_for(current.kind, target.kind)
    if target.kind == StatusKind.MERGED:
        raise IllegalTransition("Use merge to merge tickets.", "合并工单请使用“合并”操作。")
    if current.kind == target.kind:
        rule = lifecycle.TransitionRule(allowed=True, needs_reason=False, is_step_back=False)
    if not rule.allowed:
        allowed = ", ".join(lifecycle.allowed_targets(current.kind)) or "none"
        raise IllegalTransition(
            f"A {current.kind} ticket cannot move to {target.kind} (allowed: {allowed}).",
            f"“{current.label_zh}”的工单不能变为“{target.label_zh}”（允许：{allowed}）。",
        )
    if rule.needs_reason and is_blank(reason):
        raise ReasonRequired(
            f"Moving from {current.kind} to {target.kind} needs a reason.",
            f"从“{current.label_zh}”变为“{target.label_zh}”（回退或直接关闭）需要填写原因。",
            fields={"reason": "required"},
        )
    effective = bool(summary) and _counts_as_effective(EventType.STATUS_CHANGED, policy, actor)
    _move(ticket, actor, target, summary=summary, reason=(reason or "").strip(), effective=effective)
    return ticket


def _reopen(ticket: Ticket, actor: Actor, *, reason: str, effective: bool) -> TicketEvent:
    return _move(
        ticket,
        actor,
        _status_for(StatusKind.OPEN),
        summary="重新打开 / reopened",
        reason=reason,
        effective=effective,
        event_type=EventType.REOPENED,
    )


@transaction.atomic
def reopen(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
    if ticket.status.kind not in lifecycle.DONE_KINDS:
        raise IllegalTransition(
            "Only resolved or closed tickets can be reopened.", "只有已解决或已关闭的工单可以重新打开。"
        )
    if is_blank(reason):
        raise ReasonRequired("Reopening needs a reason.", "重新打开需要填写原因。", fields={"reason": "required"})
    policy = DeskPolicy.current()
    _reopen(ticket, actor, reason=reason.strip(), effective=_counts_as_effective(EventType.REOPENED, policy, actor))
    return ticket


@transaction.atomic
def close_resolved(*, actor: Actor, ticket: Ticket, closure_kind: str, rating: int | None = None) -> Ticket:
    """Close a resolved ticket by the customer's confirmation or the auto-close sweep (R10.1, R10.3)."""
    ticket = _lock(ticket)
    if ticket.status.kind != StatusKind.RESOLVED:
        raise IllegalTransition("Only a resolved ticket can be closed this way.", "只有已解决的工单可以这样关闭。")
    event_type = EventType.AUTO_CLOSED if closure_kind == c.ClosureKind.AUTO_CLOSED else EventType.CUSTOMER_CONFIRMED
    if rating is not None:
        Ticket.objects.filter(pk=ticket.pk).update(rating=rating)
        ticket.rating = rating
    _move(
        ticket,
        actor,
        _status_for(StatusKind.CLOSED),
        summary="",
        reason="",
        effective=False,
        event_type=event_type,
        closure_kind=closure_kind,
    )
    return ticket


@transaction.atomic
def reopen_by_customer(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """The customer says a resolution did not solve the problem."""
    ticket = _lock(ticket)
    if ticket.status.kind != StatusKind.RESOLVED:
        raise IllegalTransition("Only a resolved ticket can be rejected.", "只有已解决的工单可以反馈未解决。")
    _move(
        ticket,
        actor,
        _status_for(StatusKind.OPEN),
        summary="客户反馈未解决 / not solved",
        reason=reason,
        effective=False,
        event_type=EventType.CUSTOMER_REJECTED,
    )
    return ticket


# ---- assignment and fields -----------------------------------------------------------------


@transaction.atomic
def assign(
    *, actor: Actor, ticket: Ticket, assignee: User | int | None, team: Team | None = None, reason: str = ""
) -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
    user = _staff_user(assignee, "assignee")
    new_team = team if team is not None else ticket.team
    old = {"assignee": ticket.assignee_id, "team": ticket.team_id}
    new = {"assignee": user.pk if user else None, "team": new_team.pk if new_team else None}
    if old == new:
        return ticket
    Ticket.objects.filter(pk=ticket.pk).update(assignee=user, team=new_team)
    ticket.assignee, ticket.team = user, new_team
    label = str(user) if user else "—"
    _record(ticket, actor, EventType.ASSIGNED, summary=f"指派给 {label}", body=reason.strip(), old=old, new=new)
    return ticket


@transaction.atomic
def set_priority(*, actor: Actor, ticket: Ticket, code: str, reason: str = "") -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
    priority = _resolve_priority(code)
    if priority.pk == ticket.priority_id:
        return ticket
    old = ticket.priority.code
    Ticket.objects.filter(pk=ticket.pk).update(priority=priority)
    ticket.priority = priority
    _record(
        ticket,
        actor,
        EventType.PRIORITY_CHANGED,
        summary=f"{old} → {priority.code}",
        body=reason.strip(),
        old={"priority": old},
        new={"priority": priority.code},
    )
    return ticket


@transaction.atomic
def set_category(*, actor: Actor, ticket: Ticket, category: Category | None, reason: str = "") -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
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
        summary=str(category) if category else "—",
        body=reason.strip(),
        old={"category": old},
        new={"category": category.code if category else None},
    )
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
        return _staff_user(value, "engineer")
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


@transaction.atomic
def update_fields(
    *, actor: Actor, ticket: Ticket, changes: dict[str, Any], tags: Sequence[str] | None = None
) -> Ticket:
    """Change plain fields (and tags) in one step: one event with the old and new values."""
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
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
        _record(ticket, actor, EventType.FIELDS_CHANGED, summary=", ".join(sorted(old)), old=old, new=new)
    if tags is not None:
        before_tags, after_tags = _set_tags(ticket, tags)
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


# ---- links, references, attachments ---------------------------------------------------------


@transaction.atomic
def link(*, actor: Actor, ticket: Ticket, target: Ticket, kind: str = c.LinkKind.RELATED) -> TicketLink:
    access.ensure_desk(actor, ticket)
    access.ensure_can_see(actor, target)
    if kind not in c.LinkKind.values:
        raise InvalidInput(f"Unknown link kind: {kind}.", f"未知的关联类型：{kind}。", fields={"kind": "unknown"})
    if target.pk == ticket.pk:
        raise InvalidInput("A ticket cannot be linked to itself.", "工单不能关联自身。", fields={"target": "self"})
    created = TicketLink.objects.get_or_create(
        source=ticket, target=target, kind=kind, defaults={"created_by": actor.user}
    )[0]
    _record(
        ticket, actor, EventType.LINKED, summary=f"{kind} {target.number}", new={"kind": kind, "target": target.number}
    )
    return created


@transaction.atomic
def set_parent(*, actor: Actor, ticket: Ticket, parent: Ticket | None) -> Ticket:
    access.ensure_desk(actor, ticket)
    ticket = _lock(ticket)
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
        summary=f"parent {parent.number if parent else '—'}",
        old={"parent": old},
        new={"parent": parent.number if parent else None},
    )
    return ticket


def _add_external_ref(ticket: Ticket, system: str, reference: str) -> ExternalReference:
    if system not in c.ExternalSystem.values or is_blank(reference):
        raise InvalidInput(
            f"Unknown external system or empty reference: {system}.",
            f"外部系统未知或单号为空：{system}。",
            fields={"external_refs": "invalid"},
        )
    return ExternalReference.objects.get_or_create(ticket=ticket, system=system, reference=reference.strip())[0]


@transaction.atomic
def add_external_ref(*, actor: Actor, ticket: Ticket, system: str, reference: str) -> ExternalReference:
    access.ensure_staff(actor, ticket)
    ticket = _lock(ticket)
    ref = _add_external_ref(ticket, system, reference)
    policy = DeskPolicy.current()
    _record(
        ticket,
        actor,
        EventType.EXTERNAL_REF_ADDED,
        summary=f"{system} {ref.reference}"[:60],
        new={"system": system, "reference": ref.reference},
        is_effective=_counts_as_effective(EventType.EXTERNAL_REF_ADDED, policy, actor),
    )
    return ref


def _content_type(upload: Upload) -> str:
    guessed = mimetypes.guess_type(upload.name)[0]
    return guessed or upload.content_type or "application/octet-stream"


def _attach_files(
    ticket: Ticket,
    actor: Actor,
    uploads: Sequence[Upload],
    *,
    event: TicketEvent,
    is_public: bool,
    policy: DeskPolicy,
) -> list[Attachment]:
    if len(uploads) > policy.attachment_max_per_action:
        raise InvalidInput(
            f"At most {policy.attachment_max_per_action} files per message.",
            f"每条消息最多 {policy.attachment_max_per_action} 个附件。",
            fields={"attachments": "too_many"},
        )
    saved = []
    for upload in uploads:
        content_type = _content_type(upload)
        check_attachment(upload.name, content_type, len(upload.content), policy)
        attachment = Attachment(
            ticket=ticket,
            event=event,
            filename=upload.name[:255],
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            is_public=is_public,
            uploaded_by=actor.user,
            uploaded_by_customer=actor.customer,
            created_at=clock.now(),
        )
        attachment.file.save(attachment.sha256, ContentFile(upload.content), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def attach(
    *, actor: Actor, ticket: Ticket, files: Sequence[Upload], is_public: bool = True, summary: str = ""
) -> TicketEvent:
    """Upload files on their own (a solution document, a photo); effective for the desk (R3.3)."""
    if actor.is_customer:
        access.ensure_can_see(actor, ticket)
        is_public = True
    else:
        access.ensure_staff(actor, ticket)
    ticket = _lock(ticket)
    if not files:
        raise InvalidInput("No file was sent.", "没有收到文件。", fields={"files": "required"})
    policy = DeskPolicy.current()
    names = ", ".join(f.name for f in files)
    event = _record(
        ticket,
        actor,
        EventType.ATTACHMENT_ADDED,
        summary=clean_summary(summary, policy) or headline(names, 60),
        is_public=is_public,
        is_effective=_counts_as_effective(EventType.ATTACHMENT_ADDED, policy, actor),
    )
    _attach_files(ticket, actor, files, event=event, is_public=is_public, policy=policy)
    return event


# ---- merge ---------------------------------------------------------------------------------


@transaction.atomic
def merge(*, actor: Actor, source: Ticket, target: Ticket, reason: str = "") -> Ticket:
    """Merge `source` into `target`: the source becomes `merged` and points at the target."""
    access.ensure_desk(actor, source)
    access.ensure_desk(actor, target)
    if source.pk == target.pk:
        raise InvalidInput("A ticket cannot be merged into itself.", "工单不能合并到自身。", fields={"target": "self"})
    source, target = _lock(source), _lock(target)
    if source.status.kind in lifecycle.FINAL_KINDS_FOR_REPLY or target.status.kind == StatusKind.MERGED:
        raise IllegalTransition("Closed or merged tickets cannot be merged.", "已关闭或已合并的工单不能再合并。")
    Ticket.objects.filter(pk=source.pk).update(merged_into=target)
    source.merged_into = target
    _move(
        source,
        actor,
        _status_for(StatusKind.MERGED),
        summary=f"合并到 {target.number}",
        reason=reason,
        effective=False,
        event_type=EventType.MERGED,
    )
    _record(
        target, actor, EventType.MERGED, summary=f"并入 {source.number}", body=reason, new={"merged": source.number}
    )
    return target
