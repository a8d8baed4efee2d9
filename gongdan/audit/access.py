"""Only administrators read the audit trail (it shows every account's sign-ins and IPs)."""

from gongdan.accounts.constants import Role
from gongdan.core.errors import PermissionDenied


def can_read(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN)
    )


def ensure_can_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied("Only administrators read the audit trail.", "只有管理员可以查看审计记录。")
