"""Duplicate and related-ticket endpoints under /api/v1/duplicates/. Thin: check, select or call a
service, render. Tickets the caller may not see answer 404 like missing ones."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from gongdan.core.context import Actor, Channel
from gongdan.core.schemas import InputSchema
from gongdan.tickets import access as ticket_access
from gongdan.tickets.schemas import TicketNumber
from gongdan.triage.duplicates import access, selectors, services
from gongdan.triage.duplicates_constants import RELATED_LIMIT

router = Router(tags=["duplicates"])


class RelatedQuery(Schema):
    q: str = Field(max_length=200, description="A ticket number, phone number, device SN or keywords")
    limit: int = Field(RELATED_LIMIT, ge=1, le=50)


class RelatedOut(Schema):
    number: str
    subject: str
    status: str
    created_at: datetime


class CandidateOut(Schema):
    number: str
    subject: str
    probability: float
    components: dict[str, float]


class DecisionIn(InputSchema):
    original: TicketNumber = Field(description="Number of the earlier ticket")
    confirmed: bool
    reason: str = Field("", max_length=2000)


class SuspicionOut(Schema):
    ticket: str
    original: str
    probability: float
    components: dict[str, float]
    decision: str
    decided_at: datetime | None


def _suspicion_out(suspicion) -> SuspicionOut:
    return SuspicionOut(
        ticket=suspicion.ticket.number,
        original=suspicion.original.number,
        probability=suspicion.probability,
        components=suspicion.components,
        decision=suspicion.decision,
        decided_at=suspicion.decided_at,
    )


@router.get("/related", response=list[RelatedOut], summary="Related tickets by number, phone, device SN or keywords")
def related(request: HttpRequest, query: Query[RelatedQuery]):
    found = selectors.related_search(query.q, limit=query.limit, user=request.user)
    return [RelatedOut(number=t.number, subject=t.subject, status=t.status.key, created_at=t.created_at) for t in found]


@router.get("/tickets/{number}/candidates", response=list[CandidateOut], summary="Scored duplicate candidates")
def candidates(request: HttpRequest, number: TicketNumber):
    access.ensure_staff_user(request.user)
    ticket = ticket_access.get_visible_ticket(request.user, number)
    found = selectors.find_candidates(ticket)
    visible = ticket_access.visible_tickets(request.user).filter(pk__in=[c.ticket_id for c in found])
    by_id = {t.pk: t for t in visible}
    return [
        CandidateOut(
            number=by_id[c.ticket_id].number,
            subject=by_id[c.ticket_id].subject,
            probability=c.score.probability,
            components=c.score.components,
        )
        for c in found
        if c.ticket_id in by_id
    ]


@router.get("/tickets/{number}/suspicions", response=list[SuspicionOut], summary="Suspected originals of a ticket")
def suspicions(request: HttpRequest, number: TicketNumber):
    access.ensure_staff_user(request.user)
    ticket = ticket_access.get_visible_ticket(request.user, number)
    return [_suspicion_out(s) for s in selectors.suspicions_of(ticket, user=request.user)]


@router.post("/tickets/{number}/decisions", response=SuspicionOut, summary="Confirm or reject a duplicate pair")
def decide(request: HttpRequest, number: TicketNumber, payload: DecisionIn):
    ticket = ticket_access.get_visible_ticket(request.user, number)
    original = ticket_access.get_visible_ticket(request.user, payload.original)
    suspicion = services.decide(
        actor=Actor.from_request(request, Channel.API),
        ticket=ticket,
        original=original,
        confirmed=payload.confirmed,
        reason=payload.reason,
    )
    return _suspicion_out(suspicion)
