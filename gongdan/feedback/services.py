"""Resolution confirmation (R10.1) and auto-close of unconfirmed resolutions (R10.3)."""

import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from gongdan.automation import services as outbox
from gongdan.core import clock, siteurl
from gongdan.core.context import Actor, Channel
from gongdan.core.errors import InvalidInput, TokenInvalid
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import ClosureKind, EventType, StatusKind
from gongdan.tickets.models import DeskPolicy, Status, Ticket, TicketEvent

SALT = "gongdan.feedback.confirmation"


def make_token(confirmation: ResolutionConfirmation) -> str:
    return signing.dumps({"n": confirmation.nonce}, salt=SALT, compress=True)


def confirmation_url(confirmation: ResolutionConfirmation) -> str:
    return siteurl.absolute(f"/feedback/confirm/{make_token(confirmation)}/")


def on_status_changed(ticket: Ticket, actor: Actor, old: Status, event: TicketEvent) -> None:
    """Registered with the ticket services (FeedbackConfig.ready): a resolution asks the customer."""
    if ticket.status.kind == StatusKind.RESOLVED:
        request_confirmation(ticket=ticket, actor=actor)


def request_confirmation(*, ticket: Ticket, actor: Actor) -> ResolutionConfirmation:
    """Called when a ticket is resolved (`on_status_changed`), inside its transaction."""
    now = clock.now()
    policy = DeskPolicy.current()
    ResolutionConfirmation.objects.filter(ticket=ticket, answered_at__isnull=True).update(superseded=True)
    confirmation = ResolutionConfirmation.objects.create(
        ticket=ticket,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + timedelta(days=policy.confirmation_link_days),
    )
    tickets.record_event(
        ticket,
        actor,
        EventType.CONFIRMATION_REQUESTED,
        is_public=True,
        new={"expires_at": confirmation.expires_at.isoformat()},
    )
    email = ticket.customer.primary_email
    if email:
        with translation.override(ticket.customer.language):
            body = render_to_string(
                "feedback/confirmation_email.txt",
                {"ticket": ticket, "url": confirmation_url(confirmation), "days": policy.confirmation_link_days},
            )
            subject = translation.gettext("Was your problem solved?")
        outbox.enqueue_email(
            recipient=email,
            subject=f"[{ticket.number}] {subject}",
            body=body,
            ticket=ticket,
            dedupe_key=f"confirm:{confirmation.nonce}",
        )
    return confirmation


def read_token(token: str) -> ResolutionConfirmation:
    """The open confirmation behind a link, or a clear reason why the link no longer works."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise TokenInvalid("This link is not valid.", "该链接无效。") from exc
    confirmation = (
        ResolutionConfirmation.objects.select_related("ticket", "ticket__status", "ticket__customer")
        .filter(nonce=data.get("n"))
        .first()
    )
    if confirmation is None:
        raise TokenInvalid("This link is not valid.", "该链接无效。")
    if confirmation.answered_at is not None:
        raise TokenInvalid("Thank you, this confirmation was already answered.", "感谢，您已经提交过本次确认。")
    if confirmation.superseded or confirmation.ticket.status.kind != StatusKind.RESOLVED:
        raise TokenInvalid(
            "This request has changed since the link was sent; see the latest message.",
            "发送链接后工单已有变化，请查看最新的通知。",
        )
    if clock.now() > confirmation.expires_at:
        raise TokenInvalid("This link has expired.", "该链接已过期。")
    return confirmation


@transaction.atomic
def answer_confirmation(
    *,
    token: str,
    solved: bool,
    clear: bool | None,
    rating: int | None,
    comment: str = "",
    ip: str | None = None,
    channel: str = Channel.PORTAL,
) -> ResolutionConfirmation:
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput("The rating is 1 to 5.", "评分为 1 到 5 分。", fields={"rating": "range"})
    confirmation = read_token(token)
    confirmation = ResolutionConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if confirmation.answered_at is not None:
        raise TokenInvalid("Thank you, this confirmation was already answered.", "感谢，您已经提交过本次确认。")
    ticket = confirmation.ticket
    actor = Actor(user=ticket.customer.user, customer=ticket.customer, ip=ip, channel=channel)
    confirmation.answered_at = clock.now()
    confirmation.solved, confirmation.clear, confirmation.rating = solved, clear, rating
    confirmation.comment = (comment or "").strip()[:2000]
    confirmation.save()
    if solved:
        tickets.close_resolved(actor=actor, ticket=ticket, closure_kind=ClosureKind.CUSTOMER_CONFIRMED, rating=rating)
    else:
        tickets.reopen_by_customer(actor=actor, ticket=ticket, reason=confirmation.comment)
    return confirmation


def auto_close_due(*, limit: int = 500) -> int:
    """Close resolved tickets the customer never confirmed within the configured days (R10.3)."""
    policy = DeskPolicy.current()
    cutoff = clock.now() - timedelta(days=policy.auto_close_days)
    due = list(
        Ticket.objects.filter(status__kind=StatusKind.RESOLVED, resolved_at__lte=cutoff)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in due:
        with transaction.atomic():
            # Only the ticket's row: a lock with joins drops a row whose status changed meanwhile.
            locked = tickets.lock_ticket(pk)
            if locked.status.kind != StatusKind.RESOLVED or locked.resolved_at > cutoff:
                continue  # another worker or a customer got there first
            tickets.close_resolved(actor=Actor.system(), ticket=locked, closure_kind=ClosureKind.AUTO_CLOSED)
            ResolutionConfirmation.objects.filter(ticket=locked, answered_at__isnull=True).update(superseded=True)
            closed += 1
    return closed
