"""Step: enqueue notifications: an acknowledgement to the customer of a new ticket, in their language."""

from gongdan.automation import services as outbox
from gongdan.intake.constants import Outcome
from gongdan.intake.pipeline.context import IntakeContext

# Both languages inline (as the ticket services do): the customer's language picks one.
ACK = {
    "zh": (
        "[{number}] 我们已收到您的请求：{subject}",
        "您的请求已登记为 {number}。直接回复本邮件即可补充信息，请保留标题中的工单号。",
    ),
    "en": (
        "[{number}] We received your request: {subject}",
        "Your request has been registered as {number}. Reply to this email to add information; "
        "keep the number in the subject.",
    ),
}


def run(ctx: IntakeContext) -> None:
    ticket = ctx.ticket
    if ctx.record.outcome != Outcome.CREATED or ticket is None:
        return
    # A mail is acknowledged to the address it was parsed from (From, or the relay's Reply-To), which
    # identity resolution made the customer's; other channels use the customer's primary address.
    parsed = [i.value for i in ctx.inbound.identities if i.kind == "email"]
    email = parsed[0] if parsed and ctx.inbound.source == "email" else ctx.customer.primary_email
    if not email:
        return
    subject, body = ACK["zh" if ctx.customer.language.startswith("zh") else "en"]
    outbox.enqueue_email(
        recipient=email,
        subject=subject.format(number=ticket.number, subject=ticket.subject),
        body=body.format(number=ticket.number),
        ticket=ticket,
        dedupe_key=f"intake-ack:{ticket.pk}",
    )
