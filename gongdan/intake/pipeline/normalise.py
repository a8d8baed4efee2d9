"""Step: clean and normalise text, subject and language; handle what the adapter marked as
automatic (auto-replies and bounces are noted on the ticket they answer, else dead letters) or
as our own mail coming back (a loop, dead letter)."""

import re

from gongdan.core.text import headline
from gongdan.intake.constants import Reason
from gongdan.intake.message import clean_text
from gongdan.intake.pipeline import automail
from gongdan.intake.pipeline.context import IntakeContext, Rejected

CJK = re.compile(r"[\u3400-\u9fff]")
REPLY_PREFIX = re.compile(r"^\s*((re|aw|fwd?|回复|回覆|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
# The ticket's subject column; a longer subject is cut here and kept whole in the description.
SUBJECT_MAX = 200


def guess_language(text: str) -> str:
    return "zh-hans" if CJK.search(text) else "en"


def _clean(ctx: IntakeContext) -> None:
    inbound = ctx.inbound
    inbound.body = clean_text(inbound.body).replace("\r\n", "\n").strip()
    inbound.html = clean_text(inbound.html)
    inbound.sender_name = clean_text(inbound.sender_name).strip()[:200]
    inbound.subject = clean_text(inbound.subject)
    inbound.device_sn = clean_text(inbound.device_sn)[:100]
    inbound.ticket_number = clean_text(inbound.ticket_number)[:30]
    for upload in inbound.attachments:
        upload.name = clean_text(upload.name).strip()[:200] or "file"


def run(ctx: IntakeContext) -> None:
    inbound = ctx.inbound
    _clean(ctx)
    if inbound.suppress_reason == Reason.AUTO_REPLY and automail.note_on_ticket(ctx):
        return
    if inbound.suppress_reason:
        raise Rejected(inbound.suppress_reason, inbound.suppress_detail)
    subject = REPLY_PREFIX.sub("", inbound.subject.replace("\n", " ")).strip()
    if len(subject) > SUBJECT_MAX:
        ctx.notes.append(f"subject of {len(subject)} characters cut to {SUBJECT_MAX}; kept whole in the text")
        inbound.body = f"{subject}\n\n{inbound.body}".strip()
        subject = subject[: SUBJECT_MAX - 1] + "…"
    inbound.subject = subject or headline(inbound.body, 80) or "(无主题 / no subject)"
    # A mail that is only a file still says something: its subject (as a follow-up would).
    inbound.body = inbound.body or inbound.subject
    if not inbound.language:
        inbound.language = guess_language(inbound.subject + inbound.body)
