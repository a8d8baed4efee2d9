"""Who may see and do what on tickets. Object checks and queryset filters side by side.

For anything a user may not see, callers answer 404 exactly as for a missing object.
"""

from django.db.models import Q, QuerySet

from gongdan.accounts.constants import DESK_ROLES, STAFF_ROLES, Role
from gongdan.core.context import Actor
from gongdan.core.errors import PermissionDenied, not_found
from gongdan.customers.access import shared_organization
from gongdan.tickets.models import Attachment, Ticket, TicketEvent


def _customer_scope(user) -> Q | None:
    customer = getattr(user, "customer_profile", None)
    if customer is None:
        return None
    scope = Q(customer=customer)
    organization = shared_organization(customer)
    if organization is not None:
        scope |= Q(organization=organization)
    return scope


def ticket_scope(user) -> Q | None:
    """The tickets `user` may see, as a Q; None means nothing at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or user.role in DESK_ROLES:
        return Q()
    if user.role == Role.DEPARTMENT:
        team_ids = list(user.teams.values_list("id", flat=True))
        return Q(team_id__in=team_ids) | Q(collaborating_departments__in=team_ids) | Q(assignee=user) | Q(engineer=user)
    if user.role == Role.CUSTOMER:
        return _customer_scope(user)
    return None


def visible_tickets(user, base: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    queryset = base if base is not None else Ticket.objects.all()
    scope = ticket_scope(user)
    if scope is None:
        return queryset.none()
    if not scope:
        return queryset
    # Department scope joins a many-to-many: filter on ids to avoid duplicate rows.
    return queryset.filter(pk__in=Ticket.objects.filter(scope).values("pk"))


def get_visible_ticket(user, number: str) -> Ticket:
    ticket = visible_tickets(user).filter(number=number).first()
    if ticket is None:
        raise not_found("ticket")
    return ticket


def is_customer(user) -> bool:
    return getattr(user, "role", None) == Role.CUSTOMER


def visible_events(user, ticket: Ticket) -> QuerySet[TicketEvent]:
    events = ticket.events.all()
    return events.filter(is_public=True) if is_customer(user) else events


def visible_attachments(user, ticket: Ticket) -> QuerySet[Attachment]:
    attachments = ticket.attachments.all()
    return attachments.filter(is_public=True) if is_customer(user) else attachments


def get_visible_attachment(user, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("ticket").first()
    if attachment is None:
        raise not_found("attachment")
    if not visible_tickets(user).filter(pk=attachment.ticket_id).exists():
        raise not_found("attachment")
    if is_customer(user) and not attachment.is_public:
        raise not_found("attachment")
    return attachment


# Capabilities: what an actor may do to a ticket it can see.


def _role(actor: Actor) -> str | None:
    if actor.user is None:
        return None
    return Role.ADMIN if actor.user.is_superuser else actor.user.role


def ensure_can_see(actor: Actor, ticket: Ticket) -> None:
    if actor.is_system:
        return
    if actor.user is None:
        # A customer known only by an identity (e.g. email intake) acts on their own tickets only.
        if ticket.customer_id != actor.customer.pk:
            raise not_found("ticket")
        return
    if not visible_tickets(actor.user).filter(pk=ticket.pk).exists():
        raise not_found("ticket")


def ensure_desk(actor: Actor, ticket: Ticket) -> None:
    """Status, assignment, priority and field changes: admins, leads and agents (and the system)."""
    ensure_can_see(actor, ticket)
    if not actor.is_system and _role(actor) not in DESK_ROLES:
        raise PermissionDenied(
            "Only agents, leads and admins may change this ticket.", "只有坐席、组长和管理员可以修改此工单。"
        )


def ensure_staff(actor: Actor, ticket: Ticket) -> None:
    """Internal notes: any staff member who can see the ticket."""
    ensure_can_see(actor, ticket)
    if not actor.is_system and _role(actor) not in STAFF_ROLES:
        raise not_found("ticket")


def ensure_can_reply(actor: Actor, ticket: Ticket) -> None:
    ensure_can_see(actor, ticket)
    if actor.is_customer or actor.is_system or _role(actor) in DESK_ROLES:
        return
    raise PermissionDenied(
        "Department staff write internal notes; public replies come from the service desk.",
        "部门人员只能写内部备注，对客户的公开回复由服务台发出。",
    )
