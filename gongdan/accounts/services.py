"""Writes for accounts: personal API tokens (only their SHA-256 is stored), availability, reported location."""

from django.db import transaction

from gongdan.accounts.constants import Availability, Role
from gongdan.accounts.models import ApiToken, User
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.core.text import is_blank


@transaction.atomic
def issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`. The raw token is returned once and never stored."""
    if is_blank(name) or len(name.strip()) > 100:
        raise InvalidInput(
            "A token name is 1 to 100 characters.", "令牌名称为 1 到 100 个字符。", fields={"name": "length"}
        )
    if not user.is_active:
        raise InvalidInput(
            "Tokens are issued to active accounts only.", "只能为启用的账号签发令牌。", fields={"user": "inactive"}
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:10], digest=ApiToken.hash(raw))
    return token, raw


@transaction.atomic
def set_availability(*, actor: Actor, user: User, availability: str) -> User:
    """On shift, on break or off: a desk member sets their own; leads and admins set anyone's."""
    own = actor.user is not None and actor.user.pk == user.pk
    lead = actor.user is not None and (actor.user.is_superuser or actor.user.role in (Role.ADMIN, Role.LEAD))
    if not (own or lead or actor.is_system):
        raise PermissionDenied("Only leads change someone else's availability.", "只有组长可以修改他人的在岗状态。")
    if availability not in Availability.values:
        raise InvalidInput(
            f"Unknown availability: {availability}.",
            f"未知的在岗状态：{availability}。",
            fields={"availability": "unknown"},
        )
    User.objects.filter(pk=user.pk).update(availability=availability)
    user.availability = availability
    return user


@transaction.atomic
def report_location(*, actor: Actor, latitude: float, longitude: float) -> User:
    """A field engineer's phone reports where they are; field dispatch prefers this while it is fresh."""
    user = actor.user
    if user is None or user.role not in (Role.AGENT, Role.LEAD, Role.DEPARTMENT, Role.ADMIN):
        raise PermissionDenied("Only staff report a location.", "只有员工可以上报位置。")
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise InvalidInput(
            "Latitude is between -90 and 90, longitude between -180 and 180.",
            "纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间。",
            fields={"latitude": "range", "longitude": "range"},
        )
    now = clock.now()
    User.objects.filter(pk=user.pk).update(last_latitude=latitude, last_longitude=longitude, last_located_at=now)
    user.last_latitude, user.last_longitude, user.last_located_at = latitude, longitude, now
    return user
