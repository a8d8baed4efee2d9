"""Resolution confirmation by link (R10.1), for API clients such as a mobile app. No login: the
signed token in the link is the credential, exactly as for the web page.
"""

from datetime import datetime

from django.core import signing
from django.http import HttpRequest
from ninja import Field, Router, Schema

from gongdan.core.context import Channel, client_ip
from gongdan.core.errors import TokenInvalid, not_found
from gongdan.core.schemas import InputSchema
from gongdan.feedback import services
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.tickets.constants import StatusKind
from gongdan.tickets.schemas import Text

router = Router(tags=["feedback"])

Token = Text(1000, min_length=1)


class ConfirmationOut(Schema):
    ticket_number: str
    subject: str
    open: bool = Field(description="Whether the customer can still answer.")
    reason_en: str = Field(description="Why it can no longer be answered; empty while open.")
    reason_zh: str
    expires_at: datetime


class AnswerIn(InputSchema):
    solved: bool = Field(description="Was the problem solved?")
    clear: bool | None = Field(None, description="Was the solution clear?")
    rating: int | None = Field(None, ge=1, le=5)
    comment: Text(2000) = ""


class AnswerOut(Schema):
    ticket_number: str
    status: str
    closed: bool


def _confirmation(token: str) -> ResolutionConfirmation:
    try:
        data = signing.loads(token, salt=services.SALT)
    except signing.BadSignature as exc:
        raise not_found("confirmation") from exc
    nonce = data.get("n") if isinstance(data, dict) else None
    confirmation = ResolutionConfirmation.objects.select_related("ticket").filter(nonce=nonce).first()
    if confirmation is None:
        raise not_found("confirmation")
    return confirmation


@router.get("/{token}", response=ConfirmationOut, auth=None, summary="What a confirmation link is about")
def read_confirmation(request: HttpRequest, token: Token):
    confirmation = _confirmation(token)
    reason_en = reason_zh = ""
    try:
        services.read_token(token)
    except TokenInvalid as exc:
        reason_en, reason_zh = exc.message_en, exc.message_zh
    ticket = confirmation.ticket
    return ConfirmationOut(
        ticket_number=ticket.number,
        subject=ticket.subject,
        open=not reason_en,
        reason_en=reason_en,
        reason_zh=reason_zh,
        expires_at=confirmation.expires_at,
    )


@router.post("/{token}", response=AnswerOut, auth=None, summary="Answer a confirmation: solved, clear, rating")
def answer(request: HttpRequest, token: Token, payload: AnswerIn):
    _confirmation(token)
    confirmation = services.answer_confirmation(
        token=token,
        solved=payload.solved,
        clear=payload.clear,
        rating=payload.rating,
        comment=payload.comment,
        ip=client_ip(request),
        channel=Channel.API,
    )
    ticket = confirmation.ticket
    ticket.refresh_from_db(fields=["status"])
    return AnswerOut(
        ticket_number=ticket.number, status=ticket.status.key, closed=ticket.status.kind == StatusKind.CLOSED
    )
