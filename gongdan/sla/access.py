"""Who sees the SLA board: team leads, duty managers and admins (R7.5, R3.5)."""

from django.db.models import QuerySet

from gongdan.accounts.constants import Role
from gongdan.tickets import access as ticket_access
from gongdan.tickets.models import Ticket

BOARD_ROLES = {Role.LEAD, Role.ADMIN}


def can_see_board(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.role in BOARD_ROLES or user.is_superuser))


def board_tickets(user) -> QuerySet[Ticket]:
    """The tickets on the board are the ones the person may see anywhere else."""
    return ticket_access.visible_tickets(user, Ticket.objects.all())
