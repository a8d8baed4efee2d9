"""The SLA engine's entry points: keep each ticket's clocks, deadlines and next check current.

`refresh` runs inside the transaction of every ticket change (the ticket services call it after each
timeline event); `sweep` runs every minute over the tickets whose next check has come; both hand a
batch to `engine.process` (one ticket, or hundreds). It advances the clock state, recomputes the
stored deadlines, fires the signals whose time has come and stores `sla_next_check_at`, the one
indexed column the sweep reads. A signal fires by inserting its `SlaSignal` row: the unique
constraint lets exactly one transaction win, so two sweepers, a doubled tick or a sweep racing a
reply never double a breach.
"""

from django.db import transaction

from gongdan.core import clock, configcache
from gongdan.sla import constants as c
from gongdan.sla import engine
from gongdan.sla.clocks import STOPPED_KINDS
from gongdan.tickets.models import Ticket, TicketEvent

# What the engine reads of each ticket of a batch (the assignee and the team's lead are whom notices
# reach); statuses and priorities come from the cached configuration. Fewer columns to parse and
# fewer objects to build: most of a sweep's reading cost.
RELATED = ("customer", "assignee", "team__lead")
PEOPLE = ("is_active", "email", "username", "display_name", "phone", "timezone")
COLUMNS = (
    *engine.TICKET_READS,
    *(f"customer__{name}" for name in ("tier", "name", "timezone")),
    *(f"assignee__{name}" for name in PEOPLE),
    "team__lead_id",
    *(f"team__lead__{name}" for name in PEOPLE),
)


def _batch(tickets) -> list[engine.Work]:
    return [engine.Work(ticket) for ticket in tickets]


def refresh(ticket: Ticket, *, event: TicketEvent | None = None) -> Ticket:
    """Bring the ticket's SLA up to date and fire what is due. Call inside the change's transaction."""
    with configcache.scope():
        engine.process([engine.Work(ticket, event)], clock.now(), raise_errors=True)
    return ticket


# The name the ticket services' hook is known by in the brief.
on_ticket_changed = refresh


def on_event_recorded(ticket: Ticket, event: TicketEvent) -> None:
    """Registered with the ticket services (SlaConfig.ready): every recorded event refreshes the clocks."""
    refresh(ticket, event=event)


def sweep(*, limit: int = c.SWEEP_BATCH) -> int:
    """Handle the tickets whose next check has come; safe on any number of workers at once.

    Reads only the indexed `sla_next_check_at`, so its cost follows the due tickets, not the open
    ones. The batch is claimed with one `SELECT … FOR UPDATE SKIP LOCKED`: a ticket another worker
    or a web request holds is left for the next tick, and a ticket whose check another worker has
    just moved on is no longer due when its lock is taken.
    """
    now = clock.now()
    with configcache.scope(), transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*RELATED)
            .only(*COLUMNS)
            .filter(sla_next_check_at__lte=now)
            .order_by("sla_next_check_at", "pk")[:limit]
        )
        return engine.process([engine.Work(ticket) for ticket in tickets], now)


def recompute_active(*, batch: int = 200, after_id: int = 0) -> int:
    """Recompute every active ticket (after an admin changed a policy or a calendar). Returns how many."""
    count = 0
    with configcache.scope():
        while True:
            ids = list(
                Ticket.objects.filter(pk__gt=after_id)
                .exclude(status__kind__in=STOPPED_KINDS)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return count
            with transaction.atomic():
                tickets = list(
                    Ticket.objects.select_for_update(of=("self",))
                    .select_related(*RELATED)
                    .only(*COLUMNS)
                    .filter(pk__in=ids)
                )
                engine.process([engine.Work(ticket) for ticket in tickets], clock.now(), raise_errors=True)
            count += len(tickets)
            after_id = ids[-1]
