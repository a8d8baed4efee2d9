"""Read queries for customers: the directory with identities and devices, and its search."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongdan.customers import access
from gongdan.customers.models import Customer, CustomerIdentity, Device
from gongdan.customers.services import normalise_phone_query


def customer_queryset() -> QuerySet[Customer]:
    return Customer.objects.select_related("organization").prefetch_related("identities", "devices")


def search_customers(user, q: str | None = None) -> QuerySet[Customer]:
    """Customers `user` may see; `q` matches the name or any identity value (email, phone, IM id…)."""
    queryset = access.visible_customers(user, customer_queryset())
    text = (q or "").strip()
    if not text:
        return queryset
    values = Q(value__icontains=text.lower())
    phone = normalise_phone_query(text)
    if phone:
        values |= Q(value__contains=phone)
    identity = CustomerIdentity.objects.filter(values, customer=OuterRef("pk"))
    device = Device.objects.filter(serial_number__iexact=text, customer=OuterRef("pk"))
    return queryset.filter(Q(name__icontains=text) | Exists(identity) | Exists(device))


def get_customer(user, customer_id: int) -> Customer:
    return access.get_visible_customer(user, customer_id, customer_queryset())
