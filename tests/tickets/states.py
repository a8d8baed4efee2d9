"""Bring a ticket into any status kind through the services, the way a desk would."""

from gongdan.core.context import Actor
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.feedback.services import answer_confirmation, make_token
from gongdan.tickets import services
from gongdan.tickets.constants import StatusKind as K
from tests import factories


def bring_to(kind: str, ticket, agent_actor: Actor):
    if kind == K.NEW:
        return ticket
    if kind == K.MERGED:
        master = factories.ticket_for(ticket.customer, subject="主工单")
        services.merge(actor=agent_actor, source=ticket, target=master, reason="重复提交")
        ticket.refresh_from_db()
        return ticket
    services.change_status(actor=agent_actor, ticket=ticket, status=K.OPEN)
    if kind in (K.PENDING, K.ON_HOLD, K.RESOLVED):
        services.change_status(actor=agent_actor, ticket=ticket, status=kind)
    if kind == K.CLOSED:
        services.change_status(actor=agent_actor, ticket=ticket, status=K.RESOLVED)
        confirmation = ResolutionConfirmation.objects.get(ticket=ticket, answered_at__isnull=True)
        answer_confirmation(token=make_token(confirmation), solved=True, clear=True, rating=5)
    ticket.refresh_from_db()
    return ticket
