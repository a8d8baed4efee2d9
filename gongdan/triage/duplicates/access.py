"""Who may read duplicate suspicions and candidates: the staff who can see the ticket.

Related search is open to every signed-in user and filtered by `tickets.access.visible_tickets`;
deciding on a pair is checked by `services.decide` (desk roles only)."""

from gongdan.accounts.constants import STAFF_ROLES, Role
from gongdan.core.errors import PermissionDenied


def ensure_staff_user(user) -> None:
    role = Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", None)
    if role not in STAFF_ROLES:
        raise PermissionDenied("Only staff may see duplicate candidates.", "只有员工可以查看疑似重复工单。")
