"""What automation does when the ticket services announce something (registered in AutomationConfig.ready)."""

from gongdan.automation import services as outbox
from gongdan.core.context import Actor
from gongdan.tickets.models import Ticket, TicketEvent


def notify_customer_of_reply(ticket: Ticket, actor: Actor, event: TicketEvent) -> None:
    """A public reply from the desk is mailed to the customer (their own replies are not echoed)."""
    if actor.is_customer:
        return
    email = ticket.customer.primary_email
    if not email:
        return
    outbox.enqueue_email(recipient=email, subject=f"[{ticket.number}] {ticket.subject}", body=event.body, ticket=ticket)
