"""Helpers for the merge and recurrence tests: a frozen Shanghai clock and tickets made at a moment."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from gongdan.core.context import Actor
from gongdan.tickets import services
from gongdan.triage.models import MergePolicy
from tests import factories

CST = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


def made_at(moment: dt.datetime, customer, subject: str, category=None, **fields):
    with time_machine.travel(moment, tick=False):
        return factories.ticket_for(customer, subject=subject, category=category, **fields)


def policy(**changes) -> MergePolicy:
    current = MergePolicy.current()
    for name, value in changes.items():
        setattr(current, name, value)
    current.save()
    return current


def hardware_tree():
    """hardware > printer > jam, and another top-level group, billing."""
    hardware = factories.category("hardware", "硬件")
    printer = factories.category("printer", "打印机", parent=hardware)
    jam = factories.category("printer-jam", "卡纸", parent=printer)
    billing = factories.category("billing", "账单")
    return hardware, printer, jam, billing


def close_confirmed(ticket, agent_actor: Actor, moment: dt.datetime):
    """Resolve by the agent, then the customer confirms: a customer-confirmed closure at `moment`."""
    from gongdan.feedback.models import ResolutionConfirmation
    from gongdan.feedback.services import answer_confirmation, make_token

    with time_machine.travel(moment, tick=False):
        services.change_status(actor=agent_actor, ticket=ticket, status="open")
        services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
        confirmation = ResolutionConfirmation.objects.get(ticket=ticket, answered_at__isnull=True)
        answer_confirmation(token=make_token(confirmation), solved=True, clear=True, rating=5)
    ticket.refresh_from_db()
    return ticket
