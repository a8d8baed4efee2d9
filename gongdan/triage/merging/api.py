"""Merge proposals, provenance, un-merge and the duplicate top-10 under /api/v1/triage/ (thin)."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongdan.accounts.constants import DESK_ROLES, Role
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput, PermissionDenied, not_found
from gongdan.core.schemas import InputSchema
from gongdan.tickets import access
from gongdan.tickets import services as tickets
from gongdan.tickets.schemas import Id, Text, TicketNumber
from gongdan.triage.merging import selectors, services
from gongdan.triage.models.merging import MergeProposal, MergeProvenance

router = Router(tags=["triage"])


class ProposalOut(Schema):
    id: int
    master: str
    original: str
    state: str
    trigger: str
    probability: float
    components: dict[str, float]
    created_at: datetime


class ConfirmIn(InputSchema):
    swap: bool = Field(False, description="Merge the older ticket into the newer one instead.")
    reason: Text(500) = ""


class ReasonIn(InputSchema):
    reason: Text(500, min_length=1)


class MergedOut(Schema):
    master: str


class AttachmentRow(Schema):
    filename: str
    size: int
    sha256: str


class ProvenanceOut(Schema):
    original: str
    subject: str
    original_created_at: datetime
    channel: str
    customer_id: int
    previous_status: str
    attachments: list[AttachmentRow]
    missing_on_master: list[AttachmentRow]
    probability: float
    components: dict[str, float]
    merged_by: str | None
    merged_at: datetime
    reason: str
    undone_at: datetime | None
    undone_by: str | None
    undo_reason: str


class UnmergedOut(Schema):
    number: str
    status: str


class ReportFilters(Schema):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, channel=Channel.API)


def _desk(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or user.role in DESK_ROLES):
        raise PermissionDenied("Only agents, leads and admins handle merges.", "只有坐席、组长和管理员可以处理合并。")


def _proposal(request: HttpRequest, proposal_id: Id) -> MergeProposal:
    _desk(request)
    proposal = selectors.open_proposals(request.user).filter(pk=proposal_id).first()
    if proposal is None:
        raise not_found("merge proposal")
    return proposal


def _proposal_out(p: MergeProposal) -> ProposalOut:
    return ProposalOut(
        id=p.pk,
        master=p.master.number,
        original=p.original.number,
        state=p.state,
        trigger=p.trigger,
        probability=p.probability,
        components=p.components,
        created_at=p.created_at,
    )


def _provenance_out(row: MergeProvenance) -> ProvenanceOut:
    return ProvenanceOut(
        original=row.original.number,
        subject=row.subject,
        original_created_at=row.original_created_at,
        channel=row.channel,
        customer_id=row.customer_id,
        previous_status=row.previous_status.key,
        attachments=row.attachments,
        missing_on_master=row.missing_on_master,
        probability=row.probability,
        components=row.components,
        merged_by=row.merged_by.username if row.merged_by else None,
        merged_at=row.merged_at,
        reason=row.reason,
        undone_at=row.undone_at,
        undone_by=row.undone_by.username if row.undone_by else None,
        undo_reason=row.undo_reason,
    )


@router.get("/merge-proposals", response=list[ProposalOut], summary="Pending merge proposals")
def list_proposals(request: HttpRequest):
    _desk(request)
    return [_proposal_out(p) for p in selectors.open_proposals(request.user)[:200]]


@router.post("/merge-proposals/{proposal_id}/confirm", response=MergedOut, summary="Confirm: merge the pair")
def confirm_proposal(request: HttpRequest, proposal_id: Id, payload: ConfirmIn):
    proposal = _proposal(request, proposal_id)
    master = services.confirm_proposal(
        actor=_actor(request), proposal=proposal, swap=payload.swap, reason=payload.reason
    )
    return MergedOut(master=master.number)


@router.post("/merge-proposals/{proposal_id}/reject", response=ProposalOut, summary="Reject with a reason")
def reject_proposal(request: HttpRequest, proposal_id: Id, payload: ReasonIn):
    proposal = _proposal(request, proposal_id)
    return _proposal_out(services.reject_proposal(actor=_actor(request), proposal=proposal, reason=payload.reason))


@router.get("/merges/{number}/provenance", response=list[ProvenanceOut], summary="Originals merged into a ticket")
def provenance(request: HttpRequest, number: TicketNumber):
    _desk(request)
    ticket = access.get_visible_ticket(request.user, number)
    return [_provenance_out(row) for row in selectors.provenance_for_master(ticket)]


@router.post("/merges/{number}/unmerge", response=UnmergedOut, summary="Take a merged original out again")
def unmerge(request: HttpRequest, number: TicketNumber, payload: ReasonIn):
    ticket = access.get_visible_ticket(request.user, number)
    ticket = tickets.unmerge(actor=_actor(request), ticket=ticket, reason=payload.reason)
    return UnmergedOut(number=ticket.number, status=ticket.status.key)


@router.get("/duplicate-report", summary="Monthly top 10 duplicate scenarios (R5.5)")
def duplicate_report(request: HttpRequest, filters: Query[ReportFilters]):
    user = request.user
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.LEAD)):
        raise PermissionDenied("Only leads and admins read this report.", "只有组长和管理员可以查看该报表。")
    try:
        month = date.fromisoformat(f"{filters.month}-01")
    except ValueError as error:
        raise InvalidInput("Use a month as YYYY-MM.", "月份格式应为 YYYY-MM。", fields={"month": "invalid"}) from error
    return selectors.duplicate_top10(month)
