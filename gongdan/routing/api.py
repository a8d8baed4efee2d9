"""Routing endpoints: take the next ticket, read the breaker, dispatch a field job, reassign (leads)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from gongdan.accounts import services as accounts
from gongdan.accounts.models import Skill, User
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput, PermissionDenied, not_found
from gongdan.core.schemas import InputSchema
from gongdan.routing import access, config, selectors, services
from gongdan.routing.models import BreakerTransition
from gongdan.tickets import access as ticket_access
from gongdan.tickets.schemas import TicketNumber

router = Router(tags=["routing"])
HISTORY_ROWS = 100


class ClaimOut(Schema):
    number: str | None = Field(None, description="The ticket now yours; null when nothing waits for you.")
    priority: str | None = None


class TransitionOut(Schema):
    opened: bool
    waiting: int
    threshold: int
    at: datetime


class BreakerOut(Schema):
    is_open: bool
    waiting: int
    threshold: int
    history: list[TransitionOut] = Field(description="Leads and admins only; empty for agents.")


class DispatchIn(InputSchema):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    skill: str | None = Field(None, max_length=50, description="Code of an extra skill the job needs.")


class DispatchOut(Schema):
    number: str
    engineer_id: int | None
    engineer: str | None
    distance_km: float | None
    fallback_used: bool


class LocationIn(InputSchema):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)


class LocationOut(LocationIn):
    model_config = ConfigDict(extra="ignore")  # an answer, not a request body

    at: datetime


class ReassignIn(InputSchema):
    assignee_id: int | None = Field(None, ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=500)


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, channel=Channel.API)


@router.post("/next", response=ClaimOut, summary="Take the most urgent ticket you are qualified for")
def next_ticket(request: HttpRequest):
    ticket = services.claim_next(actor=_actor(request))
    return ClaimOut(number=ticket.number, priority=ticket.priority.code) if ticket else ClaimOut()


@router.get("/breaker", response=BreakerOut, summary="The P0 circuit breaker and its history")
def breaker(request: HttpRequest):
    if not access.is_desk(request.user):
        raise PermissionDenied("Only the service desk sees the breaker.", "只有服务台可以查看熔断状态。")
    state = selectors.breaker_state()
    history = BreakerTransition.objects.all()[:HISTORY_ROWS] if access.is_lead(request.user) else []
    return BreakerOut(
        is_open=state.is_open,
        waiting=selectors.waiting_p0_count(),
        threshold=config.policy().breaker_threshold,
        history=[TransitionOut(opened=t.opened, waiting=t.waiting, threshold=t.threshold, at=t.at) for t in history],
    )


@router.post("/tickets/{number}/dispatch", response=DispatchOut, summary="Send the nearest qualified engineer")
def dispatch(request: HttpRequest, number: TicketNumber, payload: DispatchIn):
    ticket = ticket_access.get_visible_ticket(request.user, number)
    skill = None
    if payload.skill:
        skill = Skill.objects.filter(code=payload.skill).first()
        if skill is None:
            raise InvalidInput(
                f"Unknown skill: {payload.skill}.", f"未知的技能：{payload.skill}。", fields={"skill": "unknown"}
            )
    job = services.dispatch(
        actor=_actor(request), ticket=ticket, latitude=payload.latitude, longitude=payload.longitude, skill=skill
    )
    return DispatchOut(
        number=ticket.number,
        engineer_id=job.engineer_id,
        engineer=str(job.engineer) if job.engineer_id else None,
        distance_km=job.distance_km,
        fallback_used=job.fallback_used,
    )


@router.post("/tickets/{number}/reassign", response=ClaimOut, summary="Reassign with a reason (leads)")
def reassign(request: HttpRequest, number: TicketNumber, payload: ReassignIn):
    ticket = ticket_access.get_visible_ticket(request.user, number)
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise not_found("user")
    ticket = services.reassign(actor=_actor(request), ticket=ticket, assignee=assignee, reason=payload.reason)
    return ClaimOut(number=ticket.number, priority=ticket.priority.code)


@router.post("/me/location", response=LocationOut, summary="Report where I am (field engineers' phones)")
def report_location(request: HttpRequest, payload: LocationIn):
    user = accounts.report_location(actor=_actor(request), latitude=payload.latitude, longitude=payload.longitude)
    return LocationOut(latitude=user.last_latitude, longitude=user.last_longitude, at=user.last_located_at)
