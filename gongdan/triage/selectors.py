"""Read queries for triage: the ticket panel and the A/B report."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, OuterRef, Q

from gongdan.tickets.constants import EventType, SlaStatus
from gongdan.tickets.models import Category, Ticket, TicketEvent
from gongdan.triage.models import ClassificationCorrection, PriorityOverride, TicketClassification, TicketTriage


@dataclass(frozen=True)
class Panel:
    triage: TicketTriage | None
    classification: TicketClassification | None
    suggestions: list[tuple[Category, float]]
    overrides: list[PriorityOverride]
    corrections: list[ClassificationCorrection]


def panel(ticket: Ticket) -> Panel:
    triage = TicketTriage.objects.filter(ticket=ticket).first()
    classification = TicketClassification.objects.filter(ticket=ticket).select_related("category").first()
    ranked = classification.suggestions if classification else []
    by_code = Category.objects.filter(code__in=[code for code, _ in ranked], is_active=True).in_bulk(field_name="code")
    return Panel(
        triage=triage,
        classification=classification,
        suggestions=[(by_code[code], probability) for code, probability in ranked if code in by_code],
        overrides=list(PriorityOverride.objects.filter(ticket=ticket).select_related("user")[:10]),
        corrections=list(ClassificationCorrection.objects.filter(ticket=ticket).select_related("user")[:10]),
    )


@dataclass(frozen=True)
class GroupOutcome:
    group: str
    rule_set_version: int
    tickets: int
    rated: int
    mean_rating: float | None
    breached: int

    @property
    def breach_rate(self) -> float:
        return round(self.breached / self.tickets, 4) if self.tickets else 0.0


def ab_report() -> list[GroupOutcome]:
    """Per A/B group and rule set version: tickets, mean CSAT rating (1–5) and the SLA breach rate
    (breached now, or an SLA breach on the timeline even if the ticket recovered later)."""
    breach_event = TicketEvent.objects.filter(ticket=OuterRef("ticket"), event_type=EventType.SLA_BREACHED)
    breached = Q(ticket__sla_status=SlaStatus.BREACHED) | Q(had_breach=True)
    rows = (
        TicketTriage.objects.annotate(had_breach=Exists(breach_event))
        .values("ab_group", "rule_set_version")
        .annotate(
            n=Count("pk"),
            rated=Count("ticket__rating"),
            mean=Avg("ticket__rating"),
            breached=Count("pk", filter=breached),
        )
        .order_by("ab_group", "-rule_set_version")
    )
    return [
        GroupOutcome(
            group=row["ab_group"],
            rule_set_version=row["rule_set_version"],
            tickets=row["n"],
            rated=row["rated"],
            mean_rating=round(float(row["mean"]), 2) if row["mean"] is not None else None,
            breached=row["breached"],
        )
        for row in rows
    ]
