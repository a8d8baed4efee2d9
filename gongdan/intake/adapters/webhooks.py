"""IM and generic webhooks → `Inbound`: verify as each platform documents, refuse replays.

`receive()` is what the HTTP views call: it verifies the signature and timestamp, records the
signed delivery's nonce (a replay of the same delivery is refused), decodes the platform's payload
and hands back an `Inbound`. `to_inbound()` is the same minus the checks, for replaying a stored
dead letter after an admin fixed the cause.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

import defusedxml.ElementTree as ET
from django.db import IntegrityError, transaction

from gongdan.core import clock
from gongdan.customers.constants import IdentityKind
from gongdan.intake.adapters import signatures as sig
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.constants import Source
from gongdan.intake.message import Inbound, SenderIdentity
from gongdan.intake.models import IntakePolicy, WebhookNonce, WebhookSecret


class WebhookRefused(Exception):
    def __init__(self, status: int, code: str, detail: str):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class Ignored(Exception):
    """A verified delivery that is no message from a person (a platform event): logged, not ingested."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


# WeCom message types a person sends; everything else (MsgType "event": subscribe, enter_agent,
# click…, and types added later) is a platform event and never a customer's words.
WECOM_MESSAGE_TYPES = {"text", "image", "voice", "video", "file", "location", "link"}
FEISHU_MESSAGE_EVENTS = {"im.message.receive_v1"}


@dataclass
class Challenge:
    """A platform's URL-verification handshake: answered, not ingested."""

    body: bytes
    content_type: str


def _check_time(timestamp: str, *, millis: bool = False) -> None:
    try:
        sent = float(timestamp) / (1000 if millis else 1)
    except (TypeError, ValueError) as exc:
        raise WebhookRefused(401, "bad-timestamp", "missing or invalid timestamp") from exc
    tolerance = IntakePolicy.cached().signature_tolerance_seconds
    if abs(clock.now().timestamp() - sent) > tolerance:
        raise WebhookRefused(401, "stale-timestamp", f"timestamp is more than {tolerance} s away from now")


def _claim_nonce(source: str, nonce: str) -> None:
    try:
        with transaction.atomic():
            WebhookNonce.objects.create(source=source, nonce=nonce[:300], seen_at=clock.now())
    except IntegrityError as exc:
        raise WebhookRefused(409, "replayed", "this signed delivery was already received") from exc


def purge_nonces() -> int:
    """Nonces older than twice the timestamp tolerance can no longer be replayed (stale timestamp)."""
    keep = timedelta(seconds=2 * IntakePolicy.cached().signature_tolerance_seconds)
    return WebhookNonce.objects.filter(seen_at__lt=clock.now() - keep).delete()[0]


def _verified(check, *args) -> None:
    try:
        check(*args)
    except sig.SignatureError as exc:
        raise WebhookRefused(401, "bad-signature", str(exc)) from exc


# --- WeCom ----------------------------------------------------------------------------------


def _wecom_inbound(secret: WebhookSecret, xml: bytes, raw: bytes) -> Inbound:
    root = ET.fromstring(xml)

    def text(tag: str) -> str:
        node = root.find(tag)
        return (node.text or "").strip() if node is not None else ""

    user, msg_type = text("FromUserName"), text("MsgType")
    if msg_type not in WECOM_MESSAGE_TYPES:
        raise Ignored(f"wecom:{msg_type or '-'}:{text('Event') or '-'}"[:200])
    body = text("Content") if msg_type == "text" else f"[{msg_type}] {text('MediaId') or text('Event')}".strip()
    return Inbound(
        source=Source.WECOM,
        external_key=text("MsgId") or f"{user}:{text('CreateTime')}",
        identities=[SenderIdentity(IdentityKind.WECOM, user)],
        sender_name=user,
        body=body,
        extra={"agent_id": text("AgentID"), "msg_type": msg_type},
        raw=raw,
    )


def wecom(secret: WebhookSecret, query: dict, body: bytes) -> Inbound | Challenge:
    timestamp, nonce, signature = query.get("timestamp", ""), query.get("nonce", ""), query.get("msg_signature", "")
    _check_time(timestamp)
    if "echostr" in query:  # URL verification (GET): answer the decrypted echostr
        _verified(sig.wecom_verify, secret.token, timestamp, nonce, query["echostr"], signature)
        try:
            plain = sig.wecom_decrypt(secret.aes_key, query["echostr"], secret.receive_id)
        except sig.SignatureError as exc:
            raise WebhookRefused(401, "bad-signature", str(exc)) from exc
        return Challenge(plain, "text/plain")
    encrypted = _wecom_encrypted(body)
    _verified(sig.wecom_verify, secret.token, timestamp, nonce, encrypted, signature)
    _claim_nonce(Source.WECOM, f"{timestamp}:{nonce}:{signature}")
    return to_inbound(Source.WECOM, secret, body)


def _wecom_encrypted(body: bytes) -> str:
    try:
        node = ET.fromstring(body).find("Encrypt")
    except ET.ParseError as exc:
        raise WebhookRefused(400, "malformed", f"not XML: {exc}") from exc
    if node is None or not node.text:
        raise WebhookRefused(400, "malformed", "no <Encrypt> element")
    return node.text.strip()


# --- Feishu ---------------------------------------------------------------------------------


def _feishu_json(secret: WebhookSecret, body: bytes) -> dict:
    data = json.loads(body)
    if "encrypt" in data:
        data = json.loads(sig.feishu_decrypt(secret.aes_key, data["encrypt"]))
    return data


def _feishu_inbound(data: dict, raw: bytes) -> Inbound:
    header, event = data.get("header", {}), data.get("event", {})
    event_type = header.get("event_type", "")
    if event_type and event_type not in FEISHU_MESSAGE_EVENTS:
        raise Ignored(f"feishu:{event_type}"[:200])
    sender = event.get("sender", {}).get("sender_id", {})
    message = event.get("message", {})
    try:
        content = json.loads(message.get("content") or "{}")
    except json.JSONDecodeError:
        content = {}
    text = content.get("text") or f"[{message.get('message_type', 'event')}]"
    return Inbound(
        source=Source.FEISHU,
        external_key=header.get("event_id") or message.get("message_id", ""),
        identities=[SenderIdentity(IdentityKind.FEISHU, sender.get("open_id", ""))],
        sender_name=sender.get("user_id") or sender.get("open_id", ""),
        body=text,
        extra={"chat_id": message.get("chat_id", ""), "event_type": header.get("event_type", "")},
        raw=raw,
    )


def feishu(secret: WebhookSecret, headers: dict, body: bytes) -> Inbound | Challenge:
    timestamp = headers.get("x-lark-request-timestamp", "")
    nonce = headers.get("x-lark-request-nonce", "")
    if secret.aes_key:
        _check_time(timestamp)
        _verified(sig.feishu_verify, timestamp, nonce, secret.aes_key, body, headers.get("x-lark-signature", ""))
    try:
        data = _feishu_json(secret, body)
    except (ValueError, sig.SignatureError) as exc:
        raise WebhookRefused(400, "malformed", f"unreadable Feishu payload: {exc}") from exc
    token = data.get("token") or data.get("header", {}).get("token", "")
    if not sig._equal(token, secret.token):
        raise WebhookRefused(401, "bad-token", "Feishu verification token does not match")
    if data.get("type") == "url_verification":
        return Challenge(json.dumps({"challenge": data.get("challenge", "")}).encode(), "application/json")
    if secret.aes_key:
        _claim_nonce(Source.FEISHU, f"{timestamp}:{nonce}")
    return _feishu_inbound(data, body)


# --- DingTalk -------------------------------------------------------------------------------


def _dingtalk_inbound(data: dict, raw: bytes) -> Inbound:
    user = data.get("senderStaffId") or data.get("senderId", "")
    text = (data.get("text") or {}).get("content", "") or f"[{data.get('msgtype', 'message')}]"
    return Inbound(
        source=Source.DINGTALK,
        external_key=data.get("msgId", ""),
        identities=[SenderIdentity(IdentityKind.DINGTALK, user)],
        sender_name=data.get("senderNick", user),
        body=text.strip(),
        extra={"conversation_id": data.get("conversationId", "")},
        raw=raw,
    )


def dingtalk(secret: WebhookSecret, headers: dict, body: bytes) -> Inbound:
    timestamp, signature = headers.get("timestamp", ""), headers.get("sign", "")
    _check_time(timestamp, millis=True)
    _verified(sig.dingtalk_verify, secret.token, timestamp, signature)
    # The sign covers only the timestamp: the nonce adds the body so two messages in one ms differ.
    _claim_nonce(Source.DINGTALK, f"{timestamp}:{hashlib.sha256(body).hexdigest()}")
    return to_inbound(Source.DINGTALK, secret, body)


# --- Generic JSON and CTI (same HMAC scheme) ------------------------------------------------


def generic(source: str, secret: WebhookSecret, headers: dict, body: bytes) -> Inbound:
    timestamp, delivery = headers.get("x-gongdan-timestamp", ""), headers.get("x-gongdan-delivery", "")
    _check_time(timestamp)
    if not delivery:
        raise WebhookRefused(400, "no-delivery-id", "X-Gongdan-Delivery is required")
    _verified(sig.hmac_verify, secret.token, timestamp, delivery, body, headers.get("x-gongdan-signature", ""))
    _claim_nonce(source, delivery)
    return to_inbound(source, secret, body)


def to_inbound(source: str, secret: WebhookSecret | None, body: bytes) -> Inbound:
    """Decode a verified (or admin-replayed) payload of `source`; ValueError when unreadable."""
    from gongdan.intake.adapters.phone import call_from_json

    try:
        if source == Source.WECOM:
            xml = sig.wecom_decrypt(secret.aes_key, _wecom_encrypted(body), secret.receive_id)
            return _wecom_inbound(secret, xml, body)
        if source == Source.FEISHU:
            return _feishu_inbound(_feishu_json(secret, body), body)
        if source == Source.DINGTALK:
            return _dingtalk_inbound(json.loads(body), body)
        if source == Source.PHONE:
            return call_from_json(json.loads(body), body)
        return message_from_json(json.loads(body), body, source=Source.WEBHOOK)
    except (sig.SignatureError, WebhookRefused, ET.ParseError, json.JSONDecodeError, AttributeError) as exc:
        raise ValueError(f"unreadable {source} payload: {exc}") from exc
