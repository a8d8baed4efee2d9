"""Step: normalise text, subject and language; refuse what the adapter marked as auto/loop."""

import re

from gongdan.core.text import headline
from gongdan.intake.pipeline.context import IntakeContext, Rejected

CJK = re.compile(r"[\u3400-\u9fff]")
REPLY_PREFIX = re.compile(r"^\s*((re|aw|fwd?|回复|回覆|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)


def guess_language(text: str) -> str:
    return "zh-hans" if CJK.search(text) else "en"


def run(ctx: IntakeContext) -> None:
    inbound = ctx.inbound
    if inbound.suppress_reason:
        raise Rejected(inbound.suppress_reason, inbound.suppress_detail)
    inbound.body = (inbound.body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    subject = REPLY_PREFIX.sub("", (inbound.subject or "").replace("\n", " ")).strip()
    inbound.subject = subject or headline(inbound.body, 80) or "(无主题 / no subject)"
    if not inbound.language:
        inbound.language = guess_language(inbound.subject + inbound.body)
