"""The JSON message shape shared by the REST API, the web form and the generic webhook.

{"id": "…", "sender": {"email": "…", "phone": "…", "name": "…", "crm": "…", "wecom": "…"},
 "subject": "…", "body": "…", "language": "zh-hans|en", "device_sn": "…", "ticket_number": "GD-…",
 "attachments": [{"name": "…", "content_type": "…", "content_base64": "…"}]}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from gongdan.customers.constants import IdentityKind
from gongdan.intake.message import UNSTORABLE, Inbound, SenderIdentity
from gongdan.tickets.services import Upload

SENDER_KEYS = [
    ("email", IdentityKind.EMAIL),
    ("phone", IdentityKind.PHONE),
    ("crm", IdentityKind.CRM),
    ("wecom", IdentityKind.WECOM),
    ("dingtalk", IdentityKind.DINGTALK),
    ("feishu", IdentityKind.FEISHU),
    ("wechat", IdentityKind.WECHAT),
]


TEXT_FIELDS = ("subject", "body", "language", "device_sn", "ticket_number")


def _scalar(value, path: str, *, numbers: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int if numbers else str):
        raise ValueError(f"{path} must be a string")
    text = str(value)
    if UNSTORABLE.search(text):
        raise ValueError(f"{path} contains a NUL character or a lone surrogate")
    return text


def _check(data: dict) -> None:
    """Types and storable text, so a wrong payload is refused clearly instead of failing deep inside."""
    sender = data.get("sender")
    if sender is not None and not isinstance(sender, dict):
        raise ValueError("sender must be an object")
    for key, value in (sender or {}).items():
        _scalar(value, f"sender.{key}", numbers=True)
    for key in TEXT_FIELDS:
        _scalar(data.get(key), key)
    _scalar(data.get("id"), "id", numbers=True)
    items = data.get("attachments")
    if items is not None and not isinstance(items, list):
        raise ValueError("attachments must be a list")
    for index, item in enumerate(items or []):
        if not isinstance(item, dict):
            raise ValueError(f"attachments.{index} must be an object")
        for key in ("name", "content_type", "content_base64"):
            _scalar(item.get(key), f"attachments.{index}.{key}")


def _attachments(items) -> list[Upload]:
    uploads = []
    for index, item in enumerate(items or []):
        try:
            content = base64.b64decode(item.get("content_base64", ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"attachments.{index}: content_base64 is not base64") from exc
        uploads.append(Upload(str(item.get("name") or f"file-{index}")[:200], content, item.get("content_type", "")))
    return uploads


def message_from_json(data: dict, raw: bytes, *, source: str, key: str = "") -> Inbound:
    if not isinstance(data, dict):
        raise ValueError("the payload must be a JSON object")
    _check(data)
    sender = data.get("sender") or {}
    identities = [SenderIdentity(kind, str(sender[name])) for name, kind in SENDER_KEYS if sender.get(name)]
    body = str(data.get("body") or "")
    # Without an explicit id the content itself is the key: a plain retry is the same message.
    content_key = "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return Inbound(
        source=source,
        external_key=key or str(data.get("id") or "") or content_key,
        identities=identities,
        sender_name=str(sender.get("name") or ""),
        subject=str(data.get("subject") or ""),
        body=body,
        language=str(data.get("language") or ""),
        attachments=_attachments(data.get("attachments")),
        ticket_number=str(data.get("ticket_number") or ""),
        device_sn=str(data.get("device_sn") or ""),
        extra={"category": str(data["category"])} if data.get("category") else {},
        raw=raw,
    )
