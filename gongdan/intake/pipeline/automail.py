"""Auto-replies and bounces (RFC 3834 `Auto-Submitted`, `X-Autoreply`, DSNs) are never new tickets:
one that answers a ticket's mail is noted on that ticket for the agents; any other stays a dead
letter of reason `auto_reply`."""

from gongdan.core.context import Actor
from gongdan.intake.constants import SOURCE_CHANNEL, Outcome
from gongdan.intake.models import ThreadReference
from gongdan.intake.pipeline.context import IntakeContext
from gongdan.tickets import services
from gongdan.tickets.models import Ticket

EXCERPT = 2000


def answered_ticket(ctx: IntakeContext) -> Ticket | None:
    ids = [i for i in [ctx.inbound.in_reply_to, *reversed(ctx.inbound.references)] if i]
    if not ids:
        return None
    ref = ThreadReference.objects.filter(message_id__in=ids).select_related("ticket").order_by("-id").first()
    return ref.ticket if ref else None


def note_on_ticket(ctx: IntakeContext) -> bool:
    ticket = answered_ticket(ctx)
    if ticket is None:
        return False
    inbound = ctx.inbound
    body = (
        f"自动回复或退信 / Auto-reply or bounce from {inbound.sender_label} ({inbound.suppress_detail}):\n"
        f"{inbound.subject}\n\n{inbound.body[:EXCERPT]}"
    ).strip()
    # No summary: a machine's answer is not progress on the ticket (not an effective event).
    services.add_note(actor=Actor.system(SOURCE_CHANNEL[inbound.source]), ticket=ticket, body=body)
    ctx.record.outcome, ctx.record.ticket, ctx.ticket = Outcome.AUTO_NOTED, ticket, ticket
    ctx.stop = True
    return True
