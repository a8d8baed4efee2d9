"""Read queries of intake: dead letters, channel health and a new ticket's context (R2.3)."""

from __future__ import annotations

from gongdan.intake.models import InboundMessage
from gongdan.tickets.access import visible_tickets
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.tickets.models import Ticket
from gongdan.tickets.schemas import view_for

RECENT = 5


def _brief(ticket: Ticket) -> dict:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.key,
        "channel": ticket.channel,
        "created_at": ticket.created_at,
    }


def ticket_context(ticket: Ticket, user) -> dict:
    """What the desk sees beside a new ticket: the customer's history, tier, devices, last channel talk.

    Shaped by `user`'s field policy: other tickets and messages only where the user may see the
    ticket; identities (phone, e-mail, IM ids) only for a policy that shows the customer's contact.
    """
    customer = ticket.customer
    policy = view_for(user)
    visible = visible_tickets(user)
    others = visible.filter(customer=customer).exclude(pk=ticket.pk).select_related("status")
    messages = InboundMessage.objects.filter(customer=customer).exclude(ticket=ticket).exclude(outcome="dead_letter")
    if not policy.customer_contact:
        # Messages not on a ticket the user may see (or on none yet) are the desk's business only.
        messages = messages.filter(ticket__in=visible.values("pk"))
    previous = messages.select_related("ticket").order_by("-received_at")[:RECENT]
    return {
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "tier": customer.tier,
            "vip": customer.is_vip,
            "organization": customer.organization.name if customer.organization else None,
            "identities": [f"{i.kind}:{i.value}" for i in customer.identities.all()] if policy.customer_contact else [],
        },
        "open_tickets": [_brief(t) for t in others.filter(status__kind__in=ACTIVE_KINDS).order_by("-created_at")],
        "recent_tickets": [_brief(t) for t in others.order_by("-created_at")[:RECENT]],
        "devices": [
            {"serial_number": d.serial_number, "model": d.model, "location": d.location} for d in customer.devices.all()
        ],
        "previous_conversation": [
            {
                "source": m.source,
                "received_at": m.received_at,
                "subject": m.subject,
                "body": m.body[:500],
                "ticket": m.ticket.number if m.ticket else None,
            }
            for m in previous
        ],
    }
