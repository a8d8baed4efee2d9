"""Step: size, attachment and per-sender rate limits (flood → quarantine, never loss)."""

from datetime import timedelta

from gongdan.core import clock
from gongdan.intake.constants import Reason
from gongdan.intake.models import InboundMessage
from gongdan.intake.pipeline.context import IntakeContext, Rejected


def run(ctx: IntakeContext) -> None:
    inbound, policy = ctx.inbound, ctx.policy
    if inbound.size > policy.max_message_bytes:
        raise Rejected(Reason.TOO_LARGE, f"message is {inbound.size} bytes; the limit is {policy.max_message_bytes}")
    if len(inbound.attachments) > policy.max_attachments:
        raise Rejected(
            Reason.ATTACHMENTS, f"{len(inbound.attachments)} attachments; the limit is {policy.max_attachments}"
        )
    for upload in inbound.attachments:
        if len(upload.content) > policy.max_attachment_bytes:
            raise Rejected(
                Reason.ATTACHMENTS,
                f"attachment {upload.name} is {len(upload.content)} bytes; the limit is {policy.max_attachment_bytes}",
            )
    sender = inbound.sender_label
    # A replay is an admin's decision: the flood limit that quarantined it does not apply again.
    if sender and not inbound.extra.get("replay"):
        since = clock.now() - timedelta(minutes=policy.rate_window_minutes)
        recent = InboundMessage.objects.filter(sender=sender, received_at__gte=since).exclude(pk=ctx.record.pk).count()
        if recent >= policy.rate_per_sender:
            raise Rejected(
                Reason.RATE_LIMITED,
                f"{sender} sent {recent + 1} messages within {policy.rate_window_minutes} minutes",
                quarantine=True,
            )
