"""Creating a ticket."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from gongdan.accounts.models import Team, User
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.core.text import headline, is_blank
from gongdan.customers.models import Customer, Device
from gongdan.tickets import access
from gongdan.tickets import constants as c
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import (
    Category,
    Ticket,
)
from gongdan.tickets.services import judgement

# Public names of the shared helpers, aliased to the names this module's body uses.
from gongdan.tickets.services._base import clean_tags as _clean_tags
from gongdan.tickets.services._base import (
    record_event as _record,
)
from gongdan.tickets.services._base import resolve_priority as _resolve_priority
from gongdan.tickets.services._base import set_tags as _set_tags
from gongdan.tickets.services._base import staff_user as _staff_user
from gongdan.tickets.services._base import status_for as _status_for
from gongdan.tickets.services.fields import write_external_ref as _add_external_ref
from gongdan.tickets.services.hooks import CreationHints, run_created_hooks
from gongdan.tickets.validation import (
    clean_custom_fields,
)


def _check(actor: Actor, customer: Customer, subject: str, category: Category | None, ticket_type: str) -> None:
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
    _check(actor, customer, subject, category, ticket_type)
    if parent is not None:
        access.ensure_can_see(actor, parent)
    fields = clean_custom_fields(custom_fields or {}, category, creating=True)
    device = Device.objects.filter(serial_number=device_sn.strip()).first() if device_sn.strip() else None
    priority, status = _resolve_priority(priority_code), _status_for(StatusKind.NEW)
    staff = _staff_user(assignee, "assignee")
    tags = _clean_tags(tags)
    # Every refusal of the input happened above, before the first write, so the writes need no
    # savepoint of their own (two round trips per ticket inside intake's transaction): a failure below
    # aborts the caller's transaction as a whole. External references are still checked while they
    # are written, so with them the savepoint stays.
    with transaction.atomic(savepoint=bool(external_refs)):
        return _write(
            actor,
            hints=CreationHints(
                priority_given=priority_code is not None,
                category_given=category is not None,
                team_given=team is not None,
                assignee_given=assignee is not None,
            ),
            tags=tags,
            external_refs=external_refs,
            subject=subject.strip(),
            description=(description or "").strip(),
            channel=actor.channel,
            ticket_type=ticket_type,
            customer=customer,
            organization=customer.organization,
            category=category,
            priority=priority,
            status=status,
            team=team or (category.default_team if category else None),
            assignee=staff,
            custom_fields=fields,
            device=device,
            device_sn=device_sn.strip(),
            site_location=site_location.strip(),
            fault_code=fault_code.strip(),
            parent=parent,
            language=customer.language,
            created_by=actor.user,
        )


def _write(
    actor: Actor,
    *,
    hints: CreationHints,
    tags: Sequence[str],
    external_refs: Sequence[tuple[str, str]],
    **values: Any,
) -> Ticket:
    now = clock.now()
    ticket = Ticket(**values, created_at=now, updated_at=now)
    if not hints.priority_given:
        # Never empty (R1.6): the cheap pure rules' priority, else the default; the worker's full
        # score may change it later, on the timeline like any change.
        code = judgement.initial_priority(ticket)
        if code and code != ticket.priority.code:
            ticket.priority = _resolve_priority(code)
    ticket.triage_pending = bool(judgement.batch_steps())
    ticket.triage_hints = hints.to_bits()
    ticket.save(force_insert=True)
    if tags:
        _set_tags(ticket, tags)
    for system, reference in external_refs:
        _add_external_ref(ticket, system, reference)
    # The number comes from the id: it is written with the created event's `updated_at`, one UPDATE.
    _record(
        ticket,
        actor,
        EventType.CREATED,
        summary=headline(ticket.subject, 60),
        is_public=True,
        new={"status": ticket.status.key, "priority": ticket.priority.code, "channel": ticket.channel},
        ticket_fields={"number": f"GD-{ticket.pk:06d}"},
    )
    run_created_hooks(ticket, actor, hints)
    judgement.accept(ticket)
    return ticket
