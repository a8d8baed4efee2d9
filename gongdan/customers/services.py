"""The only write path for customers, their identities (R2.2) and devices. Keyword-only, actor explicit.

Identity values are stored normalised so that one email or phone number leads to one customer:
emails lower-case, phone numbers as digits with an optional leading "+".
"""

import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from gongdan.core.context import Actor
from gongdan.core.errors import DomainError, InvalidInput
from gongdan.core.text import is_blank
from gongdan.customers import access
from gongdan.customers.constants import IdentityKind, Tier
from gongdan.customers.models import Customer, CustomerIdentity, Device, Organization

PHONE_SEPARATORS = re.compile(r"[\s\-().]")
PHONE = re.compile(r"^\+?\d{5,20}$")
LANGUAGES = ("zh-hans", "en")


class IdentityTaken(DomainError):
    """An email, phone or IM id already leads to another customer: link it there instead."""

    type = "identity-taken"
    status = 409


class DeviceTaken(DomainError):
    type = "device-taken"
    status = 409


@dataclass(frozen=True)
class NewIdentity:
    kind: str
    value: str
    verified: bool = False


@dataclass(frozen=True)
class NewDevice:
    serial_number: str
    model: str = ""
    location: str = ""
    installed_at: date | None = None


def normalise_phone_query(text: str) -> str:
    """Digits (with an optional leading +) when `text` looks like a phone number, else ""."""
    candidate = PHONE_SEPARATORS.sub("", text.strip())
    return candidate if PHONE.match(candidate) else ""


def normalise_identity(kind: str, value: str, *, field: str = "value") -> str:
    if kind not in IdentityKind.values:
        raise InvalidInput(
            f"Unknown identity kind: {kind}.", f"未知的身份类型：{kind}。", fields={field: "unknown_kind"}
        )
    value = (value or "").strip()
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise InvalidInput(
                f"Not an email address: {value}.", f"邮箱地址无效：{value}。", fields={field: "invalid_email"}
            ) from exc
    elif kind == IdentityKind.PHONE:
        value = PHONE_SEPARATORS.sub("", value)
        if not PHONE.match(value):
            raise InvalidInput(
                f"Not a phone number: {value}. Use digits, optionally with a leading + (e.g. +8613800138000).",
                f"电话号码无效：{value}。请只填数字，可以“+”开头（例如 +8613800138000）。",
                fields={field: "invalid_phone"},
            )
    if not value or len(value) > 200:
        raise InvalidInput(
            "An identity value is 1 to 200 characters.", "身份标识长度为 1 到 200 个字符。", fields={field: "length"}
        )
    return value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_profile(name: str, tier: str, timezone: str, language: str) -> None:
    if is_blank(name):
        raise InvalidInput("A name is required.", "请填写客户名称。", fields={"name": "blank"})
    if tier not in Tier.values:
        raise InvalidInput(f"Unknown tier: {tier}.", f"未知的客户等级：{tier}。", fields={"tier": "unknown"})
    if timezone not in _time_zones():
        raise InvalidInput(
            f"Unknown time zone: {timezone}.", f"未知的时区：{timezone}。", fields={"timezone": "unknown"}
        )
    if language not in LANGUAGES:
        raise InvalidInput(
            f"Unknown language: {language}.", f"未知的语言：{language}。", fields={"language": "unknown"}
        )


def _clean_identities(identities: Sequence[NewIdentity]) -> list[NewIdentity]:
    cleaned: list[NewIdentity] = []
    for index, identity in enumerate(identities):
        value = normalise_identity(identity.kind, identity.value, field=f"identities.{index}.value")
        cleaned.append(NewIdentity(kind=identity.kind, value=value, verified=identity.verified))
    pairs = [(identity.kind, identity.value) for identity in cleaned]
    if len(set(pairs)) != len(pairs):
        raise InvalidInput(
            "The same identity is listed twice.", "同一身份标识重复填写。", fields={"identities": "duplicate"}
        )
    taken = [i for i, pair in enumerate(pairs) if CustomerIdentity.objects.filter(kind=pair[0], value=pair[1]).exists()]
    if taken:
        raise _identity_taken({f"identities.{i}.value": "taken" for i in taken}, cleaned[taken[0]])
    return cleaned


def _identity_taken(fields: dict, identity: NewIdentity) -> IdentityTaken:
    return IdentityTaken(
        f"The {identity.kind} {identity.value} already belongs to another customer; link the ticket there instead.",
        f"{identity.kind} {identity.value} 已属于其他客户，请关联到该客户。",
        fields=fields,
    )


def _clean_devices(devices: Sequence[NewDevice]) -> list[NewDevice]:
    cleaned = []
    for index, device in enumerate(devices):
        serial = (device.serial_number or "").strip()
        if not serial:
            raise InvalidInput(
                "A device needs a serial number.",
                "设备需要填写序列号。",
                fields={f"devices.{index}.serial_number": "blank"},
            )
        cleaned.append(NewDevice(serial, device.model.strip(), device.location.strip(), device.installed_at))
    serials = [device.serial_number for device in cleaned]
    if len(set(serials)) != len(serials):
        raise InvalidInput("The same device is listed twice.", "同一设备重复填写。", fields={"devices": "duplicate"})
    taken = sorted(set(Device.objects.filter(serial_number__in=serials).values_list("serial_number", flat=True)))
    if taken:
        raise _device_taken(taken)
    return cleaned


def _device_taken(serials: list[str]) -> DeviceTaken:
    listed = ", ".join(serials)
    return DeviceTaken(
        f"These devices are already registered to a customer: {listed}.",
        f"这些设备已登记在其他客户名下：{listed}。",
        fields={"devices": "taken"},
    )


@transaction.atomic
def create_customer(
    *,
    actor: Actor,
    name: str,
    organization: Organization | None = None,
    tier: str = Tier.STANDARD,
    timezone: str = "Asia/Shanghai",
    language: str = "zh-hans",
    notes: str = "",
    identities: Sequence[NewIdentity] = (),
    devices: Sequence[NewDevice] = (),
) -> Customer:
    """A new customer with identities and devices; a taken identity or serial number is a 409."""
    access.ensure_can_manage(actor)
    _check_profile(name, tier, timezone, language)
    identities = _clean_identities(identities)
    devices = _clean_devices(devices)
    customer = Customer.objects.create(
        name=name.strip(),
        organization=organization,
        tier=tier,
        timezone=timezone,
        language=language,
        notes=(notes or "").strip(),
    )
    try:
        with transaction.atomic():
            for identity in identities:
                CustomerIdentity.objects.create(
                    customer=customer, kind=identity.kind, value=identity.value, verified=identity.verified
                )
            for device in devices:
                Device.objects.create(
                    customer=customer,
                    serial_number=device.serial_number,
                    model=device.model,
                    location=device.location,
                    installed_at=device.installed_at,
                )
    except IntegrityError as exc:
        # Someone registered the same identity or device between our check and our insert.
        raise IdentityTaken(
            "An identity or device was registered by someone else just now; check and try again.",
            "身份标识或设备刚刚被他人登记，请核对后重试。",
            fields={"identities": "taken"},
        ) from exc
    return customer


# --- Identity resolution for intake (R2.2) ----------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    customer: Customer
    created: bool
    linked: tuple[tuple[str, str], ...] = ()


def find_customer(identities: Sequence[NewIdentity]) -> Customer | None:
    """The customer the first matching identity leads to; invalid values are skipped, not errors."""
    for identity in identities:
        try:
            value = normalise_identity(identity.kind, identity.value)
        except InvalidInput:
            continue
        match = CustomerIdentity.objects.select_related("customer").filter(kind=identity.kind, value=value).first()
        if match is not None:
            return match.customer
    return None


def _organization_for(identities: Sequence[NewIdentity]) -> Organization | None:
    for identity in identities:
        if identity.kind == IdentityKind.EMAIL and "@" in identity.value:
            domain = identity.value.rsplit("@", 1)[1].strip().lower()
            organization = Organization.objects.filter(domain__iexact=domain).exclude(domain="").first()
            if organization is not None:
                return organization
    return None


def link_identities(*, actor: Actor, customer: Customer, identities: Sequence[NewIdentity]) -> list[tuple[str, str]]:
    """Link identities not yet known to `customer`; one already leading elsewhere is left there."""
    access.ensure_can_manage(actor)
    linked = []
    for identity in identities:
        try:
            value = normalise_identity(identity.kind, identity.value)
        except InvalidInput:
            continue
        try:
            with transaction.atomic():
                _, created = CustomerIdentity.objects.get_or_create(
                    kind=identity.kind, value=value, defaults={"customer": customer, "verified": identity.verified}
                )
        except IntegrityError:
            continue
        if created:
            linked.append((identity.kind, value))
    return linked


def _known_identities(valid: Sequence[NewIdentity]) -> list[CustomerIdentity]:
    """Every identity of every customer that one of `valid` leads to, with its customer: one query."""
    wanted = Q()
    for identity in valid:
        wanted |= Q(kind=identity.kind, value=identity.value)
    leading = CustomerIdentity.objects.filter(wanted).values("customer_id")
    rows = CustomerIdentity.objects.filter(customer_id__in=leading).select_related("customer")
    return list(rows.order_by("customer_id", "pk"))


def _remember_identities(customer: Customer, identities: list[CustomerIdentity]) -> None:
    """Fill `customer.identities.all()` with what resolution read, as prefetch_related would: the
    acknowledgement mail's address and thread headers then need no query of their own."""
    for identity in identities:
        identity.customer = customer
    cached = customer.identities.all()
    cached._result_cache, cached._prefetch_done = identities, True
    customer._prefetched_objects_cache = {**getattr(customer, "_prefetched_objects_cache", {}), "identities": cached}


def _link_missing(customer: Customer, missing: Sequence[NewIdentity], known: list[CustomerIdentity]) -> list:
    """Insert identities that led nowhere a moment ago; one taken since by someone else is skipped."""
    linked = []
    for identity in missing:
        try:
            with transaction.atomic():
                row = CustomerIdentity.objects.create(
                    customer=customer, kind=identity.kind, value=identity.value, verified=identity.verified
                )
        except IntegrityError:
            continue
        known.append(row)
        linked.append((identity.kind, identity.value))
    return linked


def _valid_identities(identities: Sequence[NewIdentity]) -> list[NewIdentity]:
    valid, seen = [], set()
    for identity in identities:
        try:
            value = normalise_identity(identity.kind, identity.value)
        except InvalidInput:
            continue
        if (identity.kind, value) not in seen:
            seen.add((identity.kind, value))
            valid.append(NewIdentity(identity.kind, value))
    if not valid:
        raise InvalidInput(
            "The message carries no usable sender identity.", "消息中没有可用的发送者身份。", fields={"sender": "blank"}
        )
    return valid


def resolve_identity(
    *, actor: Actor, identities: Sequence[NewIdentity], name: str = "", language: str = "zh-hans"
) -> Resolution:
    """Who is writing (R2.2): the customer any identity leads to, else a new customer with them all.

    The identities that matched nothing are linked to the customer found, so the next message from
    the same person over another channel resolves to the same customer. A known sender costs one
    query and no savepoint; the returned customer's `identities` are already loaded.
    """
    valid = _valid_identities(identities)
    access.ensure_can_manage(actor)
    rows = _known_identities(valid)
    existing = {(row.kind, row.value): row for row in rows}
    missing = [identity for identity in valid if (identity.kind, identity.value) not in existing]
    found = next((existing[(i.kind, i.value)] for i in valid if (i.kind, i.value) in existing), None)
    if found is not None:
        customer = found.customer
        own = [row for row in rows if row.customer_id == customer.pk]
        linked = _link_missing(customer, missing, own)
        _remember_identities(customer, own)
        return Resolution(customer, False, tuple(linked))
    with transaction.atomic():
        customer = Customer.objects.create(
            name=(name or valid[0].value).strip()[:200],
            organization=_organization_for(valid),
            language=language if language in LANGUAGES else "zh-hans",
        )
        own: list[CustomerIdentity] = []
        linked = _link_missing(customer, valid, own)
        if not linked:
            # Every identity was registered by someone else between our lookup and our insert.
            customer.delete()
            return Resolution(find_customer(valid), False)
    _remember_identities(customer, own)
    return Resolution(customer, True, tuple(linked))
