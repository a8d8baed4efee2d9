"""The lead's board: the backlog by priority and status, the tickets waiting longest, who is overloaded.

A handful of aggregate queries, whatever the number of tickets or agents.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongdan.accounts.constants import DESK_ROLES
from gongdan.accounts.models import User
from gongdan.core import clock
from gongdan.sla import selectors as sla_selectors
from gongdan.tickets import access
from gongdan.tickets.constants import ACTIVE_KINDS, PriorityCode, SlaStatus, StatusKind
from gongdan.tickets.models import Priority, Status
from gongdan.web.decorators import lead_required
from gongdan.web.models import WorkspacePolicy

WAITING_ROWS = 10
LANE_ROWS = 5  # a lane shows this many tickets until "show all"


@dataclass(frozen=True)
class Lane:
    key: str
    colour: str
    tickets: list
    count: int
    expanded: bool

    @property
    def more(self) -> int:
        return self.count - len(self.tickets)


def compact_lanes(board: sla_selectors.Board, expand: str = "") -> list[Lane]:
    """Each ticket in its most urgent lane only (a silent P0 is not listed again as breached), and each
    lane capped at LANE_ROWS unless it is the one the lead expanded."""
    seen: set[int] = set()
    lanes = []
    for key, colour, tickets in board.lanes():
        own = [t for t in tickets if t.pk not in seen]
        seen.update(t.pk for t in own)
        shown = own if key == expand else own[:LANE_ROWS]
        lanes.append(Lane(key, colour, shown, len(own), key == expand))
    return lanes


@dataclass(frozen=True)
class Load:
    user: User
    open: int
    urgent: int
    breached: int
    overloaded: bool


def backlog(user) -> dict:
    """Open tickets counted by priority (rows) and status kind (columns)."""
    rows = (
        access.visible_tickets(user)
        .filter(status__kind__in=ACTIVE_KINDS)
        .values("priority__code", "status__kind")
        .annotate(n=Count("pk"))
    )
    cells = {(row["priority__code"], row["status__kind"]): row["n"] for row in rows}
    kinds = list(ACTIVE_KINDS)
    table = [
        {"priority": priority, "cells": [cells.get((priority.code, kind), 0) for kind in kinds]}
        for priority in Priority.objects.order_by("rank")
    ]
    for row in table:
        row["total"] = sum(row["cells"])
    totals = [sum(row["cells"][i] for row in table) for i in range(len(kinds))]
    return {"kinds": [StatusKind(kind) for kind in kinds], "rows": table, "totals": totals, "total": sum(totals)}


def waiting_longest(user):
    """Open tickets whose last effective action (or creation) is the oldest."""
    return (
        access.visible_tickets(user)
        .filter(status__kind__in=ACTIVE_KINDS)
        .exclude(status__kind=StatusKind.PENDING)
        .select_related("status", "priority", "customer", "assignee", "team")
        .annotate(waiting_since=Coalesce("last_effective_action_at", "created_at"))
        .order_by("waiting_since", "id")[:WAITING_ROWS]
    )


def loads() -> list[Load]:
    """Open tickets per desk member; overloaded above the configured multiple of the average."""
    # The board is for leads and admins, who see every ticket: no visibility filter on the join.
    active = Q(assigned_tickets__status__kind__in=ACTIVE_KINDS)
    people = (
        User.objects.filter(is_active=True, role__in=DESK_ROLES)
        .annotate(
            n_open=Count("assigned_tickets", filter=active),
            n_urgent=Count(
                "assigned_tickets",
                filter=active & Q(assigned_tickets__priority__code__in=[PriorityCode.P0, PriorityCode.P1]),
            ),
            n_breached=Count("assigned_tickets", filter=active & Q(assigned_tickets__sla_status=SlaStatus.BREACHED)),
        )
        .order_by("-n_open", "username")
    )
    people = list(people)
    working = [p for p in people if p.n_open]
    average = Decimal(sum(p.n_open for p in working)) / len(working) if working else Decimal(0)
    limit = average * WorkspacePolicy.current().overload_ratio
    return [
        Load(p, p.n_open, p.n_urgent, p.n_breached, overloaded=bool(working) and len(working) > 1 and p.n_open > limit)
        for p in people
    ]


@require_GET
@lead_required
def board(request: HttpRequest) -> HttpResponse:
    people = loads()
    context = {
        "backlog": backlog(request.user),
        "waiting": waiting_longest(request.user),
        "loads": people,
        "now": clock.now(),
        "chart": {
            "names": [str(p.user) for p in people if p.open],
            "open": [p.open for p in people if p.open],
            "urgent": [p.urgent for p in people if p.open],
        },
        "statuses": Status.objects.all(),
    }
    sla = sla_selectors.board(request.user, clock.now())
    context["lanes"] = compact_lanes(sla, request.GET.get("lane", ""))
    context["attention"] = sla.total
    return render(request, "web/board.html", context)
