"""Triage's steps in the judgement of new tickets (`tickets.services.judgement`), run by the worker
over a claimed batch, oldest ticket first: classification and the full priority score, then
duplicates (each ticket indexed just before its own lookup, so a ticket is compared with the earlier
ones only, as when tickets were judged one at a time), then merge proposals and recurrence.

Semantic embeddings join as another step at `judgement.ORDER_EMBEDDINGS` (between scoring and
duplicates), set-based over the batch's texts.
"""

from gongdan.core import configcache
from gongdan.core.context import Actor
from gongdan.tickets.models import Ticket
from gongdan.tickets.services import judgement
from gongdan.tickets.services.hooks import CreationHints
from gongdan.triage import services
from gongdan.triage.duplicates import services as duplicates
from gongdan.triage.merging import services as merging

Hints = dict[int, CreationHints]


def classify_and_score(tickets: list[Ticket], hints: Hints) -> None:
    system = Actor.system()
    with configcache.scope():
        for ticket in tickets:
            services.on_ticket_created(ticket, system, hints[ticket.pk])


def flag_duplicates(tickets: list[Ticket], hints: Hints) -> None:
    system = Actor.system()
    with configcache.scope():
        for ticket in tickets:
            duplicates.on_ticket_created(ticket, system, hints[ticket.pk])


def propose_merges(tickets: list[Ticket], hints: Hints) -> None:
    system = Actor.system()
    with configcache.scope():
        for ticket in tickets:
            merging.on_ticket_created(ticket, system, hints[ticket.pk])


def register() -> None:
    judgement.register_initial_priority(services.initial_priority)
    judgement.register_batch_step(classify_and_score, order=judgement.ORDER_TRIAGE)
    judgement.register_batch_step(flag_duplicates, order=judgement.ORDER_DUPLICATES)
    judgement.register_batch_step(propose_merges, order=judgement.ORDER_MERGING)
