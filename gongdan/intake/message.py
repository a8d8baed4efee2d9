"""The one inbound message type every adapter produces and the pipeline consumes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gongdan.tickets.services import Upload

# NUL is refused by PostgreSQL text columns and lone surrogates by every encoder: neither is text.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: Any) -> str:
    """A string safe for any text column: NULs dropped, lone surrogates replaced."""
    text = value if isinstance(value, str) else str(value or "")
    return UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def clean_json(value: Any) -> Any:
    """`clean_text` through a JSON-like structure (dead-letter metadata, step notes)."""
    if isinstance(value, dict):
        return {clean_text(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, str):
        return clean_text(value)
    return value


@dataclass(frozen=True)
class SenderIdentity:
    kind: str  # a customers IdentityKind value: email, phone, wecom, dingtalk, feishu, crm…
    value: str


@dataclass
class Inbound:
    source: str
    # Stable per delivery: a redelivery of the same message carries the same key (R2.4).
    external_key: str
    identities: list[SenderIdentity]
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    html: str = ""
    language: str = ""
    attachments: list[Upload] = field(default_factory=list)
    # Threading (email): our Message-ID index and ticket numbers in the subject.
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    ticket_number: str = ""
    device_sn: str = ""
    external_refs: list[tuple[str, str]] = field(default_factory=list)
    # Set by the adapter when the message must not become a ticket (auto-reply, loop…): a reason code.
    suppress_reason: str = ""
    suppress_detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def sender_label(self) -> str:
        return self.identities[0].value if self.identities else ""

    @property
    def size(self) -> int:
        return len(self.raw) or len(self.body.encode()) + sum(len(a.content) for a in self.attachments)
