"""Read queries for the SLA board and badges."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from gongdan.sla import access
from gongdan.tickets.constants import SlaStatus, StagnationLevel, StatusKind
from gongdan.tickets.models import Ticket

ACTIVE = [StatusKind.NEW, StatusKind.OPEN, StatusKind.PENDING, StatusKind.ON_HOLD]
ROWS_PER_LANE = 100


@dataclass
class Board:
    p0_breaker: list[Ticket] = field(default_factory=list)
    breached: list[Ticket] = field(default_factory=list)
    at_risk: list[Ticket] = field(default_factory=list)
    stagnant_red: list[Ticket] = field(default_factory=list)
    stagnant_yellow: list[Ticket] = field(default_factory=list)

    @property
    def total(self) -> int:
        lanes = (self.p0_breaker, self.breached, self.at_risk, self.stagnant_red, self.stagnant_yellow)
        return len({ticket.pk for lane in lanes for ticket in lane})


def _base(user) -> QuerySet[Ticket]:
    return (
        access.board_tickets(user)
        .filter(status__kind__in=ACTIVE)
        .select_related("status", "priority", "customer", "assignee", "team", "sla")
    )


def board(user) -> Board:
    """The lead's board: P0s sent to the duty manager, breaches, warnings and stagnation."""
    base = _base(user)
    return Board(
        p0_breaker=list(base.filter(sla__p0_breaker_at__isnull=False).order_by("sla__p0_breaker_at")[:ROWS_PER_LANE]),
        breached=list(base.filter(sla_status=SlaStatus.BREACHED).order_by("sla__breached_at", "pk")[:ROWS_PER_LANE]),
        at_risk=list(base.filter(sla_status=SlaStatus.AT_RISK).order_by("sla_next_check_at", "pk")[:ROWS_PER_LANE]),
        stagnant_red=list(
            base.filter(stagnation_level=StagnationLevel.RED).order_by("last_effective_action_at")[:ROWS_PER_LANE]
        ),
        stagnant_yellow=list(
            base.filter(stagnation_level=StagnationLevel.YELLOW).order_by("last_effective_action_at")[:ROWS_PER_LANE]
        ),
    )


def next_due(ticket: Ticket, now: datetime) -> datetime | None:
    """The deadline a badge counts down to: the earliest one still open."""
    candidates = []
    if ticket.first_response_at is None and ticket.first_response_due_at:
        candidates.append(ticket.first_response_due_at)
    if ticket.next_response_due_at:
        candidates.append(ticket.next_response_due_at)
    if ticket.resolved_at is None and ticket.resolution_due_at:
        candidates.append(ticket.resolution_due_at)
    return min(candidates, default=None)
