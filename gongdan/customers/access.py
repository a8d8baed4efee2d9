"""Who may see and manage customer records. The customer directory is for the service desk only:
department staff never browse customers (R8.2: purchasing sees part numbers, not the customer's phone),
and a customer reads their own account through /me. Anything not visible answers 404.
"""

from django.db.models import QuerySet

from gongdan.accounts.constants import DESK_ROLES
from gongdan.core.context import Actor
from gongdan.core.errors import PermissionDenied, not_found
from gongdan.customers.models import Customer, Organization


def is_desk(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and (user.is_superuser or user.role in DESK_ROLES)
    )


def visible_customers(user, base: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    queryset = base if base is not None else Customer.objects.all()
    return queryset if is_desk(user) else queryset.none()


def get_visible_customer(user, customer_id: int, base: QuerySet[Customer] | None = None) -> Customer:
    customer = visible_customers(user, base).filter(pk=customer_id).first()
    if customer is None:
        raise not_found("customer")
    return customer


def ensure_can_browse(user) -> None:
    if not is_desk(user):
        raise PermissionDenied(
            "Only agents, leads and admins may browse customers.", "只有坐席、组长和管理员可以查看客户列表。"
        )


def ensure_can_manage(actor: Actor) -> None:
    if actor.is_system:
        return
    ensure_can_browse(actor.user)


def shared_organization(customer: Customer | None) -> Organization | None:
    """The organization whose tickets this customer may read, if any: the organization must allow
    it (`share_tickets`, off by default) and the customer must be one of the members it applies to
    (`sees_organization_tickets`). Customers of other organizations never qualify."""
    if customer is None or customer.organization_id is None or not customer.sees_organization_tickets:
        return None
    organization = customer.organization
    return organization if organization.share_tickets else None


def is_requester(customer: Customer | None, ticket) -> bool:
    """Colleagues may read and reply on an organization ticket; confirming or rating its resolution
    stays with the customer who asked."""
    return customer is not None and ticket.customer_id == customer.pk
