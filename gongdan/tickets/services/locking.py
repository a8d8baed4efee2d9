"""Row locks for the ticket services, and the one deadlock retry.

Only the ticket's own row is locked (`SELECT … FOR UPDATE OF` the ticket, no joins). Locking the
joined status, priority and customer rows as well made writes to *different* tickets queue behind
each other (they share a handful of status and priority rows), and a row locked *with* joins is
dropped by PostgreSQL's re-check when another transaction changed the ticket's status or priority
while this one waited (`Ticket.DoesNotExist`, an HTTP 500). Without joins the re-check simply reads
the newest version of the row: a ticket that changed under a request is re-read. The status and
priority come from the cached tables afterwards (no query), the customer lazily.

Two tickets (merge, un-merge, link) are locked lowest id first, so two requests that lock the same
pair in opposite roles wait for each other instead of deadlocking. What remains (a lock order we
do not control, e.g. the SLA rows of a ticket) is covered by `atomic_write`: a transaction that
PostgreSQL aborted as a deadlock victim is run once more from the start.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

from gongdan.core.errors import not_found
from gongdan.tickets import selectors
from gongdan.tickets.models import Ticket

logger = logging.getLogger(__name__)

# SQLSTATE 40P01 deadlock_detected, 40001 serialization_failure: the transaction did nothing
# wrong; running it again from the start is safe.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})

P = ParamSpec("P")
R = TypeVar("R")


def _with_relations(locked: Ticket, given: Ticket | None) -> Ticket:
    statuses = {status.pk: status for status in selectors.statuses()}
    priorities = {priority.pk: priority for priority in selectors.priorities()}
    if locked.status_id in statuses:
        locked.status = statuses[locked.status_id]
    if locked.priority_id in priorities:
        locked.priority = priorities[locked.priority_id]
    # The customer of a ticket never changes: the caller's loaded copy saves a query.
    if given is not None and given.customer_id == locked.customer_id and Ticket.customer.is_cached(given):
        locked.customer = given.customer
    return locked


def _pk(ticket: Ticket | int) -> int:
    return ticket.pk if isinstance(ticket, Ticket) else ticket


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket re-read with only its own row locked until the transaction ends.

    The status and priority are the cached rows (read-only, shared: never change them in place).
    """
    locked = Ticket.objects.select_for_update(of=("self",)).filter(pk=_pk(ticket)).first()
    if locked is None:
        raise not_found("ticket")
    return _with_relations(locked, ticket if isinstance(ticket, Ticket) else None)


def lock_tickets(*tickets: Ticket | int) -> list[Ticket]:
    """Lock several tickets lowest id first; returned in the order given."""
    given = {_pk(ticket): ticket for ticket in tickets}
    locked = {pk: lock_ticket(given[pk]) for pk in sorted(given)}
    return [locked[_pk(ticket)] for ticket in tickets]


def is_retryable(error: BaseException) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES or getattr(cause, "pgcode", None) in (
        RETRYABLE_SQLSTATES
    )


def atomic_write(func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, and a deadlock-aborted transaction is run once more.

    Only the outermost transaction can be retried (an inner block's failure has already doomed
    its caller's transaction): inside another atomic block this is a plain savepoint.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except OperationalError as error:
            if not is_retryable(error):
                raise
            logger.warning("%s: transaction aborted (%s), retrying once", func.__qualname__, error.__cause__)
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def run_atomic_write(func: Callable[[], R]) -> R:
    """`atomic_write` for a block of several service calls (e.g. one API PATCH)."""
    return atomic_write(func)()
