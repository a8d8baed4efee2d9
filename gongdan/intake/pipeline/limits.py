"""Step: size, attachment and per-sender rate limits.

Attachments never veto a request: a file the desk does not take (type, size, count, or a message
over the size limit) is set aside for quarantine and the text goes on. A flood is quarantined as
dead letters (released by an admin in one click), and a known customer has a wider limit than a
stranger, so a busy customer's normal day is never quarantined.
"""

import mimetypes
from datetime import timedelta

from django.db.models import Count, Q

from gongdan.core import clock
from gongdan.core.errors import AttachmentRejected
from gongdan.intake.constants import QuarantineReason, Reason
from gongdan.intake.models import InboundMessage
from gongdan.intake.pipeline.context import IntakeContext, Rejected
from gongdan.tickets.models import DeskPolicy, Ticket
from gongdan.tickets.validation import check_attachment

QUARANTINE_CODES = {"type_not_allowed": QuarantineReason.TYPE, "too_large": QuarantineReason.SIZE}


def desk_content_type(upload) -> str:
    """The type the ticket services will judge the file by (its name first, as they do)."""
    return mimetypes.guess_type(upload.name)[0] or upload.content_type or "application/octet-stream"


def _sort_files(ctx: IntakeContext) -> None:
    inbound, policy, desk = ctx.inbound, ctx.policy, DeskPolicy.current()
    text_size = len(inbound.body.encode("utf-8", "surrogatepass")) + len(inbound.html.encode("utf-8", "surrogatepass"))
    if text_size > policy.max_message_bytes:
        raise Rejected(Reason.TOO_LARGE, f"the text is {text_size} bytes; the limit is {policy.max_message_bytes}")
    over_size = inbound.size > policy.max_message_bytes
    room = min(policy.max_attachments, desk.attachment_max_per_action)
    kept = []
    for upload in inbound.attachments:
        reason = _refusal(upload, desk, policy.max_attachment_bytes)
        if not reason and over_size:
            reason = QuarantineReason.MESSAGE_SIZE
        if not reason and len(kept) >= room:
            reason = QuarantineReason.COUNT
        if reason:
            ctx.quarantine.append((upload, reason))
        else:
            kept.append(upload)
    inbound.attachments = kept


def _refusal(upload, desk: DeskPolicy, intake_limit: int) -> str:
    if len(upload.content) > intake_limit:
        return QuarantineReason.SIZE
    try:
        check_attachment(upload.name, desk_content_type(upload), len(upload.content), desk)
    except AttachmentRejected as exc:
        return QUARANTINE_CODES.get((exc.fields or {}).get("file", ""), QuarantineReason.TYPE)
    return ""


def _known(sender: str, before) -> bool:
    """A customer with a ticket from before this hour (a flood's own tickets do not vouch for it)."""
    return Ticket.objects.filter(customer__identities__value=sender, created_at__lt=before).exists()


def _check_rate(ctx: IntakeContext) -> None:
    policy, sender = ctx.policy, ctx.inbound.sender_label
    now = clock.now()
    window_start = now - timedelta(minutes=policy.rate_window_minutes)
    hour_start = now - timedelta(hours=1)
    counts = (
        InboundMessage.objects.filter(sender=sender[:300], received_at__gte=min(window_start, hour_start))
        .exclude(pk=ctx.record.pk)
        .aggregate(
            burst=Count("pk", filter=Q(received_at__gte=window_start)),
            hourly=Count("pk", filter=Q(received_at__gte=hour_start)),
        )
    )
    burst, hourly = counts["burst"], counts["hourly"]
    if burst < policy.rate_per_sender and hourly < policy.rate_per_sender_hour:
        return
    factor = max(1, policy.known_sender_factor) if _known(sender, hour_start) else 1
    if burst >= policy.rate_per_sender * factor:
        window, count = f"{policy.rate_window_minutes} minutes", burst
    elif hourly >= policy.rate_per_sender_hour * factor:
        window, count = "an hour", hourly
    else:
        return
    raise Rejected(Reason.RATE_LIMITED, f"{sender} sent {count + 1} messages within {window}", quarantine=True)


def run(ctx: IntakeContext) -> None:
    _sort_files(ctx)
    # A replay is an admin's decision: the flood limit that quarantined it does not apply again.
    if ctx.inbound.sender_label and not ctx.inbound.extra.get("replay"):
        _check_rate(ctx)
