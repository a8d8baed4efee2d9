"""Step: write through `tickets.services`: a reply on the target ticket, or a new ticket; files the
limits step set aside (or that the ticket services still refuse) are quarantined and noted."""

from django.db import transaction

from gongdan.core.context import Actor
from gongdan.core.errors import AttachmentRejected, IllegalTransition, InvalidInput
from gongdan.intake import quarantine
from gongdan.intake.constants import SOURCE_CHANNEL, Outcome, QuarantineReason, Reason
from gongdan.intake.models import ThreadReference
from gongdan.intake.pipeline.context import IntakeContext, Rejected
from gongdan.tickets import services
from gongdan.tickets.models import Category, Ticket


def _remember_thread(ctx: IntakeContext, ticket: Ticket) -> None:
    message_id = ctx.inbound.message_id
    if message_id:
        # An already known Message-ID keeps its ticket; one statement instead of a lookup and an insert.
        ThreadReference.objects.bulk_create(
            [ThreadReference(message_id=message_id, ticket=ticket, outbound=False, created_at=ctx.record.received_at)],
            ignore_conflicts=True,
        )


def _set_aside_files(ctx: IntakeContext) -> None:
    """The ticket services refused a file the limits step let through: quarantine them all."""
    ctx.quarantine += [(upload, QuarantineReason.TYPE) for upload in ctx.inbound.attachments]
    ctx.inbound.attachments = []


def _write_follow_up(ctx: IntakeContext, body: str) -> None:
    with transaction.atomic():
        if ctx.target.customer_id == ctx.customer.pk:
            services.add_reply(actor=ctx.actor, ticket=ctx.target, body=body, attachments=ctx.inbound.attachments)
        else:
            # A duplicate from someone else (a dedupe hook's merge): an internal note, so neither
            # customer sees the other's words; the note names who else reported it.
            services.add_note(
                actor=Actor.system(ctx.actor.channel),
                ticket=ctx.target,
                body=f"{ctx.customer.name} 也报告了 / also reported:\n{body}",
                attachments=ctx.inbound.attachments,
            )


def _follow_up(ctx: IntakeContext) -> bool:
    body = ctx.inbound.body or ctx.inbound.subject
    try:
        try:
            _write_follow_up(ctx, body)
        except AttachmentRejected:
            _set_aside_files(ctx)
            _write_follow_up(ctx, body)
    except IllegalTransition:
        # Closed: the customer's words open a new ticket that names the old one.
        ctx.notes.append(f"{ctx.target.number} is closed: opened a new ticket")
        return False
    ctx.ticket = ctx.target
    ctx.record.outcome = Outcome.MERGED if ctx.merged else Outcome.FOLLOW_UP
    return True


def _new_ticket(ctx: IntakeContext, previous: Ticket | None) -> None:
    inbound, fields = ctx.inbound, dict(ctx.ticket_fields)
    if "category" not in fields and inbound.extra.get("category"):  # chosen on the web form
        fields["category"] = Category.objects.filter(code=inbound.extra["category"], is_active=True).first()
    description = inbound.body
    if previous is not None:
        description = f"{description}\n\n(续 / continues {previous.number})".strip()
    ticket = services.create_ticket(
        actor=ctx.actor,
        customer=ctx.customer,
        subject=inbound.subject,
        description=description,
        device_sn=fields.pop("device_sn", inbound.device_sn),
        external_refs=fields.pop("external_refs", inbound.external_refs),
        **fields,
    )
    if inbound.attachments:
        try:
            with transaction.atomic():
                services.attach(actor=ctx.actor, ticket=ticket, files=inbound.attachments)
        except AttachmentRejected:
            _set_aside_files(ctx)
    ctx.ticket = ticket
    ctx.record.outcome = Outcome.CREATED


def run(ctx: IntakeContext) -> None:
    try:
        if ctx.target is None or not _follow_up(ctx):
            _new_ticket(ctx, ctx.target)
    except (AttachmentRejected, InvalidInput) as exc:
        reason = Reason.ATTACHMENTS if isinstance(exc, AttachmentRejected) else Reason.REJECTED
        raise Rejected(reason, exc.message_en) from exc
    ctx.record.ticket = ctx.ticket
    _remember_thread(ctx, ctx.ticket)
    if ctx.quarantine:
        rows = quarantine.store(inbound=ctx.record, files=ctx.quarantine, ticket=ctx.ticket)
        quarantine.note(actor=Actor.system(SOURCE_CHANNEL[ctx.inbound.source]), ticket=ctx.ticket, rows=rows)
