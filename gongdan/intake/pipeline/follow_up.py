"""Step: is this a follow-up of an existing ticket?

Email threads by In-Reply-To / References (our index of Message-IDs) and then by a ticket number
in the subject; chat and calls continue the customer's open ticket from the same source within the
policy window. Reply-hijack protection: the ticket must belong to the sender. A mail that is not
from one of the customer's addresses (or fails the mailbox's SPF/DKIM/DMARC rule) is *held* on the
ticket for an agent; another channel's message opens a new ticket instead.
"""

from datetime import timedelta

from gongdan.core import clock
from gongdan.intake.constants import AuthRequirement, Outcome, Reason, Source
from gongdan.intake.held import auth_summary, hold
from gongdan.intake.models import ThreadReference
from gongdan.intake.pipeline.context import IntakeContext, Rejected
from gongdan.tickets.constants import ACTIVE_KINDS, StatusKind
from gongdan.tickets.models import Ticket

# Chat and calls are conversations; a generic webhook names `ticket_number` when it means one.
CONVERSATION_SOURCES = {Source.WECOM, Source.DINGTALK, Source.FEISHU, Source.PHONE}


def _by_thread(ctx: IntakeContext) -> Ticket | None:
    ids = [i for i in [ctx.inbound.in_reply_to, *reversed(ctx.inbound.references)] if i]
    if not ids:
        return None
    ref = ThreadReference.objects.filter(message_id__in=ids).select_related("ticket").order_by("-id").first()
    return ref.ticket if ref else None


def _by_number(ctx: IntakeContext) -> Ticket | None:
    number = ctx.inbound.ticket_number
    return Ticket.objects.filter(number=number).first() if number else None


def _by_conversation(ctx: IntakeContext) -> Ticket | None:
    since = clock.now() - timedelta(hours=ctx.policy.follow_up_hours)
    return (
        Ticket.objects.filter(
            customer=ctx.customer,
            status__kind__in=ACTIVE_KINDS,
            updated_at__gte=since,
            inbound_messages__source=ctx.inbound.source,
        )
        .order_by("-updated_at")
        .first()
    )


def _follow_merge_chain(ticket: Ticket) -> Ticket:
    seen = set()
    while ticket.status.kind == StatusKind.MERGED and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    return ticket


# Stored on held messages and dead letters as written: stable English, not the translated label.
REQUIRED_TEXT = {AuthRequirement.DMARC: "DMARC pass", AuthRequirement.DKIM_OR_SPF: "DKIM or SPF pass"}


def auth_failure(required: str, results: dict) -> str:
    """Why the mailbox's authentication rule is not met, or "" (also when nothing is required)."""
    if required == AuthRequirement.DMARC:
        ok = results.get("dmarc") == "pass"
    elif required == AuthRequirement.DKIM_OR_SPF:
        ok = "pass" in (results.get("dkim"), results.get("spf"))
    else:
        return ""
    if ok:
        return ""
    return f"{REQUIRED_TEXT[required]} required; got {auth_summary(results)}"


def _hold(ctx: IntakeContext, ticket: Ticket, reason: str) -> None:
    hold(ctx, ticket, reason)
    ctx.record.outcome, ctx.record.ticket, ctx.ticket = Outcome.HELD, ticket, ticket
    ctx.stop = True


def run(ctx: IntakeContext) -> None:
    failure = auth_failure(ctx.inbound.extra.get("auth_required", ""), ctx.inbound.extra.get("auth") or {})
    candidate = _by_thread(ctx) or _by_number(ctx)
    if candidate is None and ctx.inbound.source in CONVERSATION_SOURCES:
        candidate = _by_conversation(ctx)
    if candidate is None:
        if failure:
            raise Rejected(Reason.UNAUTHENTICATED, failure)
        return
    candidate = _follow_merge_chain(candidate)
    foreign = candidate.customer_id != ctx.customer.pk
    if ctx.inbound.source == Source.EMAIL and (foreign or failure):
        _hold(ctx, candidate, failure or f"{ctx.inbound.sender_label} is not an address of the ticket's customer")
        return
    if foreign:
        ctx.notes.append(f"not a party of {candidate.number}: opened a new ticket instead")
        ctx.record.step_timings.setdefault("_hijack_refused", candidate.number)
        return
    ctx.target = candidate
