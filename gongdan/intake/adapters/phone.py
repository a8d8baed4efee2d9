"""Phone / CTI webhook: a call record (caller, agent, recording URL, notes) → `Inbound`.

{"call_id": "…", "caller": "+86…", "callee": "400…", "agent": "agent_li", "direction": "inbound",
 "started_at": "2026-11-23T10:00:00+08:00", "duration_seconds": 95, "recording_url": "https://…",
 "notes": "…", "ticket_number": "GD-000123", "caller_name": "…"}
A call from a customer with an open phone ticket (or naming a ticket) is a follow-up on it.
"""

from __future__ import annotations

from gongdan.core.text import headline
from gongdan.customers.constants import IdentityKind
from gongdan.intake.constants import Source
from gongdan.intake.message import Inbound, SenderIdentity


def _body(data: dict) -> str:
    lines = [str(data.get("notes") or "").strip()]
    facts = [
        ("主叫 / caller", data.get("caller")),
        ("坐席 / agent", data.get("agent")),
        ("方向 / direction", data.get("direction")),
        ("开始 / started", data.get("started_at")),
        ("时长 / duration (s)", data.get("duration_seconds")),
        ("录音 / recording", data.get("recording_url")),
    ]
    lines.append("\n".join(f"{label}: {value}" for label, value in facts if value not in (None, "")))
    return "\n\n".join(part for part in lines if part)


def call_from_json(data: dict, raw: bytes) -> Inbound:
    if not isinstance(data, dict) or not data.get("call_id"):
        raise ValueError("a call record needs a call_id")
    caller = str(data.get("caller") or "")
    notes = str(data.get("notes") or "")
    return Inbound(
        source=Source.PHONE,
        external_key=str(data["call_id"]),
        identities=[SenderIdentity(IdentityKind.PHONE, caller)] if caller else [],
        sender_name=str(data.get("caller_name") or caller),
        subject=headline(notes, 60) if notes else f"来电 / Call from {caller}",
        body=_body(data),
        ticket_number=str(data.get("ticket_number") or ""),
        extra={k: data.get(k) for k in ("agent", "recording_url", "duration_seconds", "direction") if data.get(k)},
        raw=raw,
    )
