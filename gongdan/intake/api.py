"""Intake API (/api/v1/intake/): messages, raw mail, signed webhooks, dead letters, channel health.

Views stay thin: adapters decode, `pipeline.runner.ingest` decides, `deadletters` replays.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from gongdan.accounts.constants import DESK_ROLES, Role
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import NotFound, PermissionDenied, not_found
from gongdan.core.problems import problem_response
from gongdan.intake import deadletters, health
from gongdan.intake import held as held_messages
from gongdan.intake.adapters import webhooks
from gongdan.intake.adapters.imap import ingest_raw
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.constants import HeldState, Outcome, Reason, Source
from gongdan.intake.models import ChannelHealth, DeadLetter, HeldMessage, IntakePolicy, Mailbox, WebhookSecret
from gongdan.intake.pipeline.runner import IntakeResult, ingest, record_dead_letter
from gongdan.intake.selectors import ticket_context
from gongdan.tickets import access as ticket_access
from gongdan.tickets.schemas import TicketNumber

log = logging.getLogger(__name__)
router = Router(tags=["intake"])
hooks_router = Router(tags=["intake webhooks"], auth=None)


def _staff(request: HttpRequest) -> Actor:
    user = request.user
    if not (user.is_superuser or user.role in DESK_ROLES):
        raise PermissionDenied(
            "Only the service desk and integrations may submit intake.", "只有服务台和集成账号可以提交。"
        )
    return Actor.from_request(request, Channel.API)


def _public_detail(letter: DeadLetter) -> tuple[str, str]:
    # A processing failure's detail names internals (hosts, ports, tracebacks): admins read it on
    # the dead letter; the client learns only that it was kept.
    if letter.reason == Reason.FAILED:
        return "processing failed", "处理出错"
    return letter.detail, letter.detail


def _result_response(request: HttpRequest, result: IntakeResult, created_status: int = 201) -> HttpResponse:
    if result.dead_letter is not None:
        letter = result.dead_letter
        quarantined = letter.reason == Reason.RATE_LIMITED
        detail_en, detail_zh = _public_detail(letter)
        return problem_response(
            request,
            429 if quarantined else 422,
            "intake-" + letter.reason.replace("_", "-"),
            f"Not taken in ({letter.reason}): {detail_en}. Kept as dead letter {letter.pk}.",
            f"未受理（{letter.get_reason_display()}）：{detail_zh}。已保存为死信 {letter.pk}。",
            errors={"dead_letter_id": letter.pk, "reason": letter.reason},
        )
    body = {
        "outcome": result.outcome,
        "ticket": result.ticket.number if result.ticket else None,
        "inbound_id": result.record.pk if result.record else None,
        "duplicate": result.duplicate,
        "step_timings_ms": result.record.step_timings,
    }
    return HttpResponse(
        json.dumps(body), status=200 if result.duplicate else created_status, content_type="application/json"
    )


@router.post("/messages", summary="Submit a message (web/app/API) as a ticket or a follow-up")
def post_message(request: HttpRequest):
    _staff(request)
    raw = request.body
    policy = IntakePolicy.cached()
    if len(raw) > policy.max_message_bytes:
        return problem_response(
            request,
            413,
            "intake-too-large",
            f"The limit is {policy.max_message_bytes} bytes.",
            f"消息上限为 {policy.max_message_bytes} 字节。",
        )
    key = request.headers.get("Idempotency-Key", "")
    meta = {"user": request.user.pk, "idempotency_key": key}
    try:
        data = json.loads(raw)
        inbound = message_from_json(data, raw, source=Source.API, key=f"idem:{request.user.pk}:{key}" if key else "")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        detail = str(exc)[:500]
        letter = record_dead_letter(source=Source.API, raw=raw, reason=Reason.MALFORMED, detail=detail, meta=meta)
        return problem_response(
            request,
            422,
            "validation-error",
            f"Unreadable message: {detail}. Kept as dead letter {letter.pk}.",
            f"消息无法解析：{detail}。已保存为死信 {letter.pk}。",
            errors={"dead_letter_id": letter.pk, "reason": Reason.MALFORMED},
        )
    return _result_response(request, ingest(inbound, meta={"user": request.user.pk}))


@router.post("/email", summary="Post one raw MIME mail (message/rfc822), e.g. from an MTA pipe")
def post_email(request: HttpRequest, mailbox: str = Query("", max_length=100)):
    """`?mailbox=<name>` reads the mail with that mailbox's rules (Reply-To relay, authentication)."""
    _staff(request)
    box = None
    if mailbox:
        box = Mailbox.objects.filter(name=mailbox).first()
        if box is None:
            raise NotFound("No mailbox has this name.", "没有这个名称的邮箱。")
    meta = {"via": "api", "user": request.user.pk, **({"mailbox": box.name} if box else {})}
    return _result_response(request, ingest_raw(request.body, meta=meta, mailbox=box))


# --- webhooks (signed by the platform, no token) --------------------------------------------


def _headers(request: HttpRequest) -> dict:
    return {k.lower(): v for k, v in request.headers.items()}


def _refused(request, source: str, secret_name: str, exc: webhooks.WebhookRefused, body: bytes, meta: dict):
    if exc.code not in ("replayed",):
        # A delivery we could not trust is still kept: an admin may find a rotated secret the cause.
        record_dead_letter(
            source=source, raw=body, reason=Reason.REJECTED, detail=f"{exc.code}: {exc.detail}", meta=meta
        )
    return problem_response(request, exc.status, "webhook-" + exc.code, exc.detail, exc.detail)


def _dispatch(secret: WebhookSecret, request: HttpRequest, body: bytes):
    headers, query = _headers(request), request.GET.dict()
    if secret.source == Source.WECOM:
        return webhooks.wecom(secret, query, body)
    if secret.source == Source.FEISHU:
        return webhooks.feishu(secret, headers, body)
    if secret.source == Source.DINGTALK:
        return webhooks.dingtalk(secret, headers, body)
    return webhooks.generic(secret.source, secret, headers, body)


@hooks_router.api_operation(["GET", "POST"], "/{name}", summary="Signed webhook of one integration")
def webhook(request: HttpRequest, name: str):
    secret = WebhookSecret.objects.filter(name=name, enabled=True).first()
    if secret is None:
        raise not_found("webhook")
    body = request.body
    meta = {"secret": name, "query": request.GET.dict(), "headers": _headers(request)}
    try:
        decoded = _dispatch(secret, request, body)
    except webhooks.WebhookRefused as exc:
        return _refused(request, secret.source, name, exc, body, meta)
    except webhooks.Ignored as exc:  # a platform event that is no message (subscribe, enter_agent…)
        log.info("webhook %s: ignored %s", name, exc.kind)
        return HttpResponse(json.dumps({"ok": True, "ignored": exc.kind}), status=200, content_type="application/json")
    except ValueError as exc:
        record_dead_letter(source=secret.source, raw=body, reason=Reason.MALFORMED, detail=str(exc), meta=meta)
        return HttpResponse(
            json.dumps({"ok": False, "stored": "dead_letter"}), status=202, content_type="application/json"
        )
    if isinstance(decoded, webhooks.Challenge):
        return HttpResponse(decoded.body, content_type=decoded.content_type)
    result = ingest(decoded, meta=meta)
    body = {
        "ok": result.dead_letter is None,
        "outcome": result.outcome,
        "ticket": result.ticket.number if result.ticket else None,
        "duplicate": result.duplicate,
    }
    return HttpResponse(json.dumps(body), status=200, content_type="application/json")


# --- admin: dead letters, channel health, context --------------------------------------------


class DeadLetterOut(Schema):
    id: int
    source: str
    reason: str
    detail: str
    state: str
    sender: str
    attempts: int
    created_at: datetime
    resolved_at: datetime | None


class DeadLetterDetail(DeadLetterOut):
    raw_text: str
    meta: dict


def _admin(request: HttpRequest) -> Actor:
    actor = Actor.from_request(request, Channel.API)
    deadletters.ensure_admin(actor)
    return actor


def _letter(letter_id: int) -> DeadLetter:
    letter = DeadLetter.objects.filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("The dead letter does not exist.", "死信不存在。")
    return letter


@router.get("/dead-letters", response=list[DeadLetterOut], summary="Dead letters, newest first (admins)")
def list_dead_letters(request: HttpRequest, state: str = "", source: str = "", limit: int = 100):
    _admin(request)
    letters = DeadLetter.objects.all()
    if state:
        letters = letters.filter(state=state)
    if source:
        letters = letters.filter(source=source)
    return list(letters[: max(1, min(limit, 500))])


# Before `/dead-letters/{letter_id}`: URL patterns match in order of definition.
class ReleaseIn(Schema):
    sender: str = Field(min_length=1, max_length=300)


@router.post("/dead-letters/release", summary="Release a sender's quarantined (flood) mail in one go (admins)")
def release_dead_letters(request: HttpRequest, payload: ReleaseIn):
    actor = _admin(request)
    return {"released": deadletters.release(actor=actor, sender=payload.sender.strip().lower())}


@router.get("/dead-letters/{letter_id}", response=DeadLetterDetail, summary="One dead letter with its raw payload")
def get_dead_letter(request: HttpRequest, letter_id: int):
    _admin(request)
    letter = _letter(letter_id)
    letter.raw_text = bytes(letter.raw).decode("utf-8", errors="replace")
    return letter


@router.post("/dead-letters/{letter_id}/replay", summary="Run a dead letter through the pipeline again")
def replay_dead_letter(request: HttpRequest, letter_id: int):
    actor = _admin(request)
    letter = _letter(letter_id)
    result = deadletters.replay(actor=actor, letter=letter)
    letter.refresh_from_db()
    body = {
        "state": letter.state,
        "detail": letter.detail,
        "outcome": result.outcome if result else Outcome.DEAD_LETTER,
        "ticket": result.ticket.number if result and result.ticket else None,
    }
    return HttpResponse(json.dumps(body), content_type="application/json")


@router.post("/dead-letters/{letter_id}/discard", summary="Discard a dead letter (kept, marked discarded)")
def discard_dead_letter(request: HttpRequest, letter_id: int):
    actor = _admin(request)
    count = deadletters.discard(actor=actor, letters=[_letter(letter_id)])
    return {"discarded": count}


class ChannelOut(Schema):
    source: str
    enabled: bool
    normally_busy: bool
    silence_minutes: int
    last_intake_at: datetime | None
    last_heartbeat_at: datetime | None
    last_probe_at: datetime | None
    probe_ok: bool | None
    probe_error: str
    alarm_since: datetime | None


@router.get("/channels", response=list[ChannelOut], summary="Health of every intake channel (admins, leads)")
def list_channels(request: HttpRequest):
    user = request.user
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.LEAD)):
        raise PermissionDenied("Only leads and admins see channel health.", "只有组长和管理员可以查看渠道健康状态。")
    return [health.channel(source) for source in Source.values]


@router.post("/channels/{source}/heartbeat", summary="An integration reports it is alive")
def heartbeat(request: HttpRequest, source: str):
    _staff(request)
    if source not in Source.values:
        raise not_found("channel")
    health.record_heartbeat(source)
    return {
        "ok": True,
        "source": source,
        "last_heartbeat_at": ChannelHealth.objects.get(source=source).last_heartbeat_at,
    }


@router.get("/tickets/{number}/context", summary="Context of a ticket's customer (R2.3)")
def context(request: HttpRequest, number: TicketNumber):
    actor = Actor.from_request(request, Channel.API)
    if actor.is_customer:
        raise PermissionDenied("The context view is for the service desk.", "上下文视图仅供服务台使用。")
    ticket = ticket_access.get_visible_ticket(request.user, number)
    return ticket_context(ticket, request.user)


# --- held messages (a reply from an address that is not the ticket's customer) ---------------


class HeldOut(Schema):
    id: int
    ticket: str
    sender: str
    sender_name: str
    subject: str
    body: str
    reason: str
    auth_results: dict
    state: str
    files: list[str]
    created_at: datetime
    decided_at: datetime | None


def _held_out(held: HeldMessage) -> dict:
    return {
        **{f: getattr(held, f) for f in ("id", "sender", "sender_name", "subject", "body", "reason", "state")},
        "ticket": held.ticket.number,
        "auth_results": held.auth_results,
        "files": [f.filename for f in held.files.all()],
        "created_at": held.created_at,
        "decided_at": held.decided_at,
    }


def _held(request: HttpRequest, held_id: int) -> tuple[Actor, HeldMessage]:
    actor = Actor.from_request(request, Channel.API)
    visible = ticket_access.visible_tickets(request.user) if not actor.is_customer else None
    held = (
        HeldMessage.objects.filter(pk=held_id, ticket__in=visible).select_related("ticket").first()
        if visible is not None
        else None
    )
    if held is None:
        raise NotFound("The held message does not exist.", "待确认的来信不存在。")
    return actor, held


@router.get("/held", response=list[HeldOut], summary="Held messages on the tickets you can see")
def list_held(
    request: HttpRequest,
    ticket: str = Query("", max_length=20, description="A ticket number; empty: every visible ticket"),
    state: Literal[("", *HeldState.values)] = Query("held", description="Empty: every state"),
):
    actor = Actor.from_request(request, Channel.API)
    if actor.is_customer:
        raise PermissionDenied("Held messages are for the service desk.", "待确认的来信仅供服务台处理。")
    rows = HeldMessage.objects.filter(ticket__in=ticket_access.visible_tickets(request.user))
    if ticket:
        rows = rows.filter(ticket__number=ticket)
    if state:
        rows = rows.filter(state=state)
    return [_held_out(h) for h in rows.select_related("ticket").prefetch_related("files")[:200]]


@router.post("/held/{held_id}/accept", response=HeldOut, summary="Accept a held message as the customer's reply")
def accept_held(request: HttpRequest, held_id: int):
    actor, held = _held(request, held_id)
    return _held_out(held_messages.accept(actor=actor, held=held))


@router.post("/held/{held_id}/reject", response=HeldOut, summary="Reject a held message (kept, marked rejected)")
def reject_held(request: HttpRequest, held_id: int):
    actor, held = _held(request, held_id)
    return _held_out(held_messages.reject(actor=actor, held=held))
