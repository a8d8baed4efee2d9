"""Who may use routing: agents pull work; leads and admins reassign, dispatch and see the breaker's history."""

from gongdan.accounts.constants import DESK_ROLES, Role
from gongdan.core.context import Actor
from gongdan.core.errors import PermissionDenied

LEAD_ROLES = {Role.ADMIN, Role.LEAD}


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Role.ADMIN if user.is_superuser else user.role


def is_desk(user) -> bool:
    return role_of(user) in DESK_ROLES


def is_lead(user) -> bool:
    return role_of(user) in LEAD_ROLES


def ensure_can_pull(actor: Actor) -> None:
    if not is_desk(actor.user):
        raise PermissionDenied("Only agents, leads and admins take tickets.", "只有坐席、组长和管理员可以领取工单。")


def ensure_lead(actor: Actor) -> None:
    if not actor.is_system and not is_lead(actor.user):
        raise PermissionDenied("Only team leads and admins may do this.", "只有组长和管理员可以执行此操作。")
