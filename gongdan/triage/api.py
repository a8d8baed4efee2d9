"""Triage endpoints under /api/v1/triage/: a ticket's breakdown and classification, the priority
override (reason required), the classification correction, and the A/B report for leads."""

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from gongdan.accounts.constants import STAFF_ROLES
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import not_found
from gongdan.core.schemas import InputSchema
from gongdan.tickets import access as ticket_access
from gongdan.tickets.models import Ticket
from gongdan.tickets.schemas import Text, TicketNumber
from gongdan.triage import access, selectors, services

router = Router(tags=["triage"])


class ClassificationOut(Schema):
    source: str
    model_version: int | None
    category: str | None
    confidence: float
    suggestions: list[tuple[str, float]]
    tags: list[str]
    sentiment: str
    needs_review: bool


class OverrideOut(Schema):
    old_priority: str
    new_priority: str
    computed_priority: str
    score: float | None
    reason: str
    by: str | None


class TriageOut(Schema):
    number: str
    priority: str
    score: float | None
    computed_priority: str | None
    ab_group: str | None
    rule_set_version: int | None
    explicit_priority: bool
    breakdown: dict
    classification: ClassificationOut | None
    overrides: list[OverrideOut]


class OverrideIn(InputSchema):
    code: Text(10)
    reason: Text(2000)


class CorrectionIn(InputSchema):
    category: Text(80) | None = None
    tags: list[Text(50)] | None = Field(None, max_length=50)
    sentiment: Text(20) | None = None


class GroupOut(Schema):
    group: str
    rule_set_version: int
    tickets: int
    rated: int
    mean_rating: float | None
    breached: int
    breach_rate: float


def _ticket(request: HttpRequest, number: str) -> Ticket:
    if access.role_of(request.user) not in STAFF_ROLES:
        raise not_found("ticket")
    return ticket_access.get_visible_ticket(request.user, number)


def _override_out(override) -> dict:
    return {
        "old_priority": override.old_priority,
        "new_priority": override.new_priority,
        "computed_priority": override.computed_priority,
        "score": override.score,
        "reason": override.reason,
        "by": override.user.get_username() if override.user else None,
    }


def _render(ticket: Ticket) -> dict:
    ticket.refresh_from_db()
    panel = selectors.panel(ticket)
    triage, found = panel.triage, panel.classification
    classification = None
    if found is not None:
        classification = {
            "source": found.source,
            "model_version": found.model_version,
            "category": found.category.code if found.category_id else None,
            "confidence": found.confidence,
            "suggestions": [tuple(s) for s in found.suggestions],
            "tags": found.tags,
            "sentiment": found.sentiment,
            "needs_review": found.needs_review,
        }
    return {
        "number": ticket.number,
        "priority": ticket.priority.code,
        "score": triage.score if triage else None,
        "computed_priority": triage.computed_priority if triage else None,
        "ab_group": triage.ab_group if triage else None,
        "rule_set_version": triage.rule_set_version if triage else None,
        "explicit_priority": triage.explicit_priority if triage else False,
        "breakdown": triage.breakdown if triage else {},
        "classification": classification,
        "overrides": [_override_out(o) for o in panel.overrides],
    }


@router.get("/tickets/{number}", response=TriageOut, summary="A ticket's priority breakdown and classification")
def ticket_triage(request: HttpRequest, number: TicketNumber):
    return _render(_ticket(request, number))


@router.post("/tickets/{number}/priority-override", response={201: OverrideOut}, summary="Override the priority")
def override_priority(request: HttpRequest, number: TicketNumber, payload: OverrideIn):
    ticket = _ticket(request, number)
    actor = Actor.from_request(request, Channel.API)
    override = services.override_priority(actor=actor, ticket=ticket, code=payload.code, reason=payload.reason)
    return Status(201, _override_out(override))


@router.post("/tickets/{number}/classification", response=TriageOut, summary="Accept or correct the classification")
def correct_classification(request: HttpRequest, number: TicketNumber, payload: CorrectionIn):
    ticket = _ticket(request, number)
    services.correct_classification(
        actor=Actor.from_request(request, Channel.API),
        ticket=ticket,
        category=payload.category,
        tags=payload.tags,
        sentiment=payload.sentiment,
    )
    return _render(ticket)


@router.get("/ab-report", response=list[GroupOut], summary="Outcomes per A/B group (leads)")
def ab_report(request: HttpRequest):
    access.ensure_see_ab(request.user)
    return [{**vars(row), "breach_rate": row.breach_rate} for row in selectors.ab_report()]
