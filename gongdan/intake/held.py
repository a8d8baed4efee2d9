"""Held messages (mail sender spoofing, issue 13): a reply to a ticket from an address that is not
one of its customer's identities, or one that failed the mailbox's authentication rule, is held,
never lost and never added as the customer. An agent who can act on the ticket accepts it (it
becomes the customer's reply, naming who sent it and who accepted) or rejects it (kept, marked)."""

from __future__ import annotations

from django.db import transaction

from gongdan.core import clock
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput
from gongdan.intake import quarantine
from gongdan.intake.constants import SOURCE_CHANNEL, HeldState, QuarantineReason
from gongdan.intake.models import HeldMessage
from gongdan.intake.pipeline.context import IntakeContext
from gongdan.tickets import access, services
from gongdan.tickets.models import Ticket
from gongdan.tickets.services import Upload


def auth_summary(results: dict) -> str:
    return ", ".join(f"{k.upper()}={v}" for k, v in sorted(results.items())) or "no Authentication-Results"


def hold(ctx: IntakeContext, ticket: Ticket, reason: str) -> HeldMessage:
    """Called by the follow-up step: keep the message on the ticket, invisible to the customer."""
    inbound = ctx.inbound
    held = HeldMessage.objects.create(
        inbound=ctx.record,
        ticket=ticket,
        sender=inbound.sender_label[:300],
        sender_name=inbound.sender_name[:200],
        subject=inbound.subject,
        body=inbound.body,
        reason=reason,
        auth_results=inbound.extra.get("auth") or {},
        created_at=clock.now(),
    )
    files = [(upload, QuarantineReason.HELD) for upload in inbound.attachments]
    quarantine.store(inbound=ctx.record, files=files, ticket=ticket, held=held)
    why = f"{reason}; {auth_summary(held.auth_results)}"
    services.add_note(
        actor=Actor.system(SOURCE_CHANNEL[inbound.source]),
        ticket=ticket,
        body=(
            f"待确认的来信 / Held message #{held.pk} from {held.sender} ({why}):\n"
            f"{held.subject}\n\n{held.body[:2000]}\n\n"
            f"接受或拒绝 / Accept or reject: /desk/intake/held/{held.pk}/"
        ),
    )
    return held


def _decide(actor: Actor, held: HeldMessage) -> HeldMessage:
    access.ensure_desk(actor, held.ticket)
    held = HeldMessage.objects.select_for_update().select_related("ticket", "ticket__customer").get(pk=held.pk)
    if held.state != HeldState.HELD:
        raise InvalidInput(
            "This message was already accepted or rejected.", "该来信已被接受或拒绝。", fields={"state": held.state}
        )
    return held


@transaction.atomic
def accept(*, actor: Actor, held: HeldMessage) -> HeldMessage:
    held = _decide(actor, held)
    ticket = held.ticket
    files = []
    for row in held.files.all():
        with row.file.open("rb") as stored:
            files.append(Upload(row.filename, stored.read(), row.content_type))
    who = actor.user.get_username() if actor.user else "system"
    body = f"{held.body}\n\n(来自 / from {held.sender}; 由 {who} 确认 / accepted by {who})".strip()
    services.add_reply(
        actor=Actor(customer=ticket.customer, channel=Channel.EMAIL), ticket=ticket, body=body, attachments=files
    )
    held.state, held.decided_at, held.decided_by = HeldState.ACCEPTED, clock.now(), actor.user
    held.save(update_fields=["state", "decided_at", "decided_by"])
    return held


@transaction.atomic
def reject(*, actor: Actor, held: HeldMessage) -> HeldMessage:
    held = _decide(actor, held)
    services.add_note(
        actor=actor,
        ticket=held.ticket,
        body=f"待确认的来信 #{held.pk} 已拒绝 / Held message #{held.pk} from {held.sender} rejected.",
    )
    held.state, held.decided_at, held.decided_by = HeldState.REJECTED, clock.now(), actor.user
    held.save(update_fields=["state", "decided_at", "decided_by"])
    return held
