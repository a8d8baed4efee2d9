"""Files intake keeps out of the ticket (R2.5 for attachments): stored for an admin, noted on the ticket."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile

from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.intake.constants import QuarantineReason
from gongdan.intake.models import HeldMessage, InboundMessage, QuarantinedFile
from gongdan.tickets import services
from gongdan.tickets.models import Ticket

# Both languages in the note itself (a timeline entry is written once, read in either language).
REASON_TEXT = {
    QuarantineReason.TYPE: "文件类型不允许 / file type not allowed",
    QuarantineReason.SIZE: "文件过大 / file too large",
    QuarantineReason.COUNT: "文件过多 / too many files",
    QuarantineReason.MESSAGE_SIZE: "消息过大 / message too large",
    QuarantineReason.HELD: "属于待确认的来信 / part of a held message",
}


def store(
    *,
    inbound: InboundMessage,
    files,
    ticket: Ticket | None = None,
    held: HeldMessage | None = None,
) -> list[QuarantinedFile]:
    """`files` is a list of (Upload, QuarantineReason)."""
    saved = []
    for upload, reason in files:
        row = QuarantinedFile(
            inbound=inbound,
            ticket=ticket,
            held=held,
            filename=upload.name,
            content_type=(upload.content_type or "")[:200],
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            reason=reason,
            created_at=clock.now(),
        )
        row.file.save(row.sha256, ContentFile(upload.content), save=False)
        row.save()
        saved.append(row)
    return saved


def note(*, actor: Actor, ticket: Ticket, rows: list[QuarantinedFile]) -> None:
    """Tell the agents a file exists that they cannot see (an admin can release it)."""
    if not rows:
        return
    lines = [f"- {row.filename} ({row.size} bytes): {REASON_TEXT[row.reason]}" for row in rows]
    services.add_note(
        actor=actor,
        ticket=ticket,
        body="附件已隔离，管理员可查看 / Attachments quarantined (an admin can see them):\n" + "\n".join(lines),
    )
