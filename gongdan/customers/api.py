"""Customer directory endpoints (service desk only): list/search, read, create with identities and devices."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput
from gongdan.core.schemas import InputSchema
from gongdan.customers import access, selectors, services
from gongdan.customers.constants import IdentityKind, Tier
from gongdan.customers.models import Customer, Organization
from gongdan.tickets.schemas import CursorPage, Id, Text
from gongdan.tickets.selectors import paginate

router = Router(tags=["customers"])


class OrganizationRef(Schema):
    id: int
    name: str
    tier: str


class IdentityOut(Schema):
    kind: str
    value: str
    verified: bool


class DeviceOut(Schema):
    serial_number: str
    model: str
    location: str
    installed_at: date | None


class CustomerOut(Schema):
    id: int
    name: str
    organization: OrganizationRef | None
    tier: str
    is_vip: bool
    timezone: str
    language: str
    notes: str
    has_portal_account: bool
    identities: list[IdentityOut]
    devices: list[DeviceOut]
    created_at: datetime


class CustomerPage(CursorPage):
    items: list[CustomerOut]


class CustomerFilters(Schema):
    q: Text(200) | None = Field(None, description="Part of the name or of an identity (email, phone, IM id…).")
    cursor: Text(500) | None = None
    limit: int = Field(25, ge=1, le=100)


class IdentityIn(InputSchema):
    kind: IdentityKind
    value: Text(200, min_length=1)
    verified: bool = False


class DeviceIn(InputSchema):
    serial_number: Text(100, min_length=1)
    model: Text(200) = ""
    location: Text(300) = ""
    installed_at: date | None = None


class CustomerIn(InputSchema):
    name: Text(200, min_length=1)
    organization_id: Id | None = None
    tier: Tier = Tier.STANDARD
    timezone: Text(64) = "Asia/Shanghai"
    language: Literal["zh-hans", "en"] = "zh-hans"
    notes: Text(5000) = ""
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)
    devices: list[DeviceIn] = Field(default_factory=list, max_length=50)


def customer_out(customer: Customer) -> CustomerOut:
    organization = customer.organization
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        organization=(
            OrganizationRef(id=organization.pk, name=organization.name, tier=organization.tier)
            if organization
            else None
        ),
        tier=customer.tier,
        is_vip=customer.is_vip,
        timezone=customer.timezone,
        language=customer.language,
        notes=customer.notes,
        has_portal_account=customer.user_id is not None,
        identities=[IdentityOut(kind=i.kind, value=i.value, verified=i.verified) for i in customer.identities.all()],
        devices=[
            DeviceOut(serial_number=d.serial_number, model=d.model, location=d.location, installed_at=d.installed_at)
            for d in customer.devices.all()
        ],
        created_at=customer.created_at,
    )


def _organization(organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise InvalidInput("Unknown organization.", "组织不存在。", fields={"organization_id": "unknown"})
    return organization


@router.get("", response=CustomerPage, summary="Search customers (service desk only)")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]):
    access.ensure_can_browse(request.user)
    rows, next_cursor = paginate(
        selectors.search_customers(request.user, filters.q), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [customer_out(customer) for customer in rows], "next_cursor": next_cursor}


@router.get("/{customer_id}", response=CustomerOut, summary="Read a customer (service desk only)")
def read_customer(request: HttpRequest, customer_id: Id):
    return customer_out(selectors.get_customer(request.user, customer_id))


@router.post("", response={201: CustomerOut}, summary="Create a customer with identities and devices")
def create_customer(request: HttpRequest, payload: CustomerIn):
    actor = Actor.from_request(request, channel=Channel.API)
    access.ensure_can_manage(actor)
    customer = services.create_customer(
        actor=actor,
        name=payload.name,
        organization=_organization(payload.organization_id),
        tier=payload.tier.value,
        timezone=payload.timezone,
        language=payload.language,
        notes=payload.notes,
        identities=[services.NewIdentity(i.kind.value, i.value, i.verified) for i in payload.identities],
        devices=[services.NewDevice(d.serial_number, d.model, d.location, d.installed_at) for d in payload.devices],
    )
    return Status(201, customer_out(selectors.get_customer(request.user, customer.pk)))
