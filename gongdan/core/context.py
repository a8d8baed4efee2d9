"""Who does an action, from where and through which channel: passed explicitly to every service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from gongdan.accounts.models import User
    from gongdan.customers.models import Customer


class Channel:
    WEB = "web"
    PORTAL = "portal"
    API = "api"
    EMAIL = "email"
    IM = "im"
    PHONE = "phone"
    WALK_IN = "walk_in"
    SYSTEM = "system"
    ADMIN = "admin"

    CHOICES = [
        (WEB, _("Web")),
        (PORTAL, _("Customer portal")),
        (API, _("API")),
        (EMAIL, _("Email")),
        (IM, _("Instant messaging")),
        (PHONE, _("Phone")),
        (WALK_IN, _("Walk-in")),
        (SYSTEM, _("System")),
        (ADMIN, _("Admin")),
    ]


@dataclass(frozen=True)
class Actor:
    """An individual account (staff user or customer) or the system itself, plus request context."""

    user: User | None = None
    customer: Customer | None = None
    ip: str | None = None
    channel: str = Channel.SYSTEM

    @classmethod
    def system(cls, channel: str = Channel.SYSTEM) -> Actor:
        return cls(channel=channel)

    @classmethod
    def from_request(cls, request: Any, channel: str) -> Actor:
        user = request.user if request.user.is_authenticated else None
        customer = getattr(user, "customer_profile", None) if user else None
        return cls(user=user, customer=customer, ip=client_ip(request), channel=channel)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.customer is None

    @property
    def is_customer(self) -> bool:
        return self.customer is not None

    @property
    def is_staff_member(self) -> bool:
        return self.user is not None and self.customer is None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        if self.customer is not None:
            return self.customer.name
        return "system"


def client_ip(request: Any) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is spoofable unless a trusted proxy is configured.
    return request.META.get("REMOTE_ADDR") or None
