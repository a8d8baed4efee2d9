"""Who may do what in triage. Ticket-level checks reuse the tickets app's (invisible = 404)."""

from gongdan.accounts.constants import Role
from gongdan.core.context import Actor
from gongdan.core.errors import PermissionDenied
from gongdan.tickets import access as ticket_access
from gongdan.tickets.models import Ticket

CONFIGURE_ROLES = {Role.ADMIN, Role.LEAD}


def role_of(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def is_lead(user) -> bool:
    return user.is_authenticated and user.is_active and role_of(user) in CONFIGURE_ROLES


def ensure_can_triage(actor: Actor, ticket: Ticket) -> None:
    """Overriding a priority or correcting a classification: the desk (agents, leads, admins)."""
    ticket_access.ensure_desk(actor, ticket)


def ensure_configure(actor: Actor) -> None:
    """Publishing rule sets and retraining: leads, admins and the system (commands, the demo)."""
    if actor.is_system or (actor.user is not None and is_lead(actor.user)):
        return
    raise PermissionDenied("Only leads and admins may change triage settings.", "只有组长和管理员可以修改分诊设置。")


def ensure_see_ab(user) -> None:
    if not is_lead(user):
        raise PermissionDenied("Only leads and admins see the A/B report.", "只有组长和管理员可以查看 A/B 报告。")
