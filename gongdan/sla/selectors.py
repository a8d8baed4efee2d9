"""Read queries for the SLA board and badges."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

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

    def lanes(self) -> list[tuple[str, str, list[Ticket]]]:
        """(key, colour, tickets) in the order the board shows them."""
        return [
            ("p0", "danger", self.p0_breaker),
            ("breached", "danger", self.breached),
            ("at_risk", "warning", self.at_risk),
            ("red", "danger", self.stagnant_red),
            ("yellow", "warning", self.stagnant_yellow),
        ]

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


def _state(ticket: Ticket, name: str):
    """A field of the ticket's SLA state; tickets from before the engine have none until they change."""
    state = getattr(ticket, "sla", None)
    return getattr(state, name) if state is not None else None


def board(user, now: datetime) -> Board:
    """The lead's board lanes: P0s sent to the duty manager, breaches, warnings and stagnation.

    One query, whatever the number of tickets on it; a ticket may sit in more than one lane.
    """
    attention = (
        Q(sla__p0_breaker_at__isnull=False)
        | Q(sla_status__in=[SlaStatus.BREACHED, SlaStatus.AT_RISK])
        | Q(stagnation_level__in=[StagnationLevel.RED, StagnationLevel.YELLOW])
    )
    rows = list(_base(user).filter(attention).order_by("pk")[: ROWS_PER_LANE * 5])
    for ticket in rows:
        ticket.next_due = next_due(ticket, now)

    def lane(keep, key) -> list[Ticket]:
        return sorted((t for t in rows if keep(t)), key=key)[:ROWS_PER_LANE]

    oldest_action = lambda t: (t.last_effective_action_at or t.created_at, t.pk)  # noqa: E731
    return Board(
        p0_breaker=lane(lambda t: _state(t, "p0_breaker_at") is not None, lambda t: (t.sla.p0_breaker_at, t.pk)),
        breached=lane(lambda t: t.sla_status == SlaStatus.BREACHED, lambda t: (_state(t, "breached_at") or now, t.pk)),
        at_risk=lane(lambda t: t.sla_status == SlaStatus.AT_RISK, lambda t: (t.next_due or now, t.pk)),
        stagnant_red=lane(lambda t: t.stagnation_level == StagnationLevel.RED, oldest_action),
        stagnant_yellow=lane(lambda t: t.stagnation_level == StagnationLevel.YELLOW, oldest_action),
    )


def shown(status: str, due: datetime | None, now: datetime) -> tuple[str, datetime | None]:
    """The SLA state and the deadline a badge shows, so that the two never contradict each other.

    Paused and met clocks show no countdown; a running clock whose deadline has passed is breached
    even before the sweep has stored it; a breached ticket shows no "time left" of another target.
    """
    if status in (SlaStatus.PAUSED, SlaStatus.MET) or due is None:
        return status, None
    if due <= now:
        return SlaStatus.BREACHED, due
    if status == SlaStatus.BREACHED:
        return status, None
    return status, due


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


def warnings_and_breaches(user, now: datetime) -> Board:
    """For the lead's board: P0s sent to the duty manager, breached and warned tickets (with `next_due`)."""
    data = board(user, now)
    return Board(p0_breaker=data.p0_breaker, breached=data.breached, at_risk=data.at_risk)


def stagnant_tickets(user, now: datetime) -> Board:
    """For the lead's board: stagnant tickets, red then yellow lanes (with `next_due`)."""
    data = board(user, now)
    return Board(stagnant_red=data.stagnant_red, stagnant_yellow=data.stagnant_yellow)
