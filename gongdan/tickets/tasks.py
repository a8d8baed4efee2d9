"""The worker's side of ticket creation: judging new tickets in batches (`services.judgement`).

The truth is the `triage_pending` marker on the ticket, so a lost kick, a doubled kick or two
workers do no harm: a claim skips what another worker holds, the minute sweep drains what is left.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongdan.tickets.services import judgement


@db_task()
def judge_batch() -> int:
    """Kicked at the commit of a new ticket: judge every pending ticket, a batch at a time."""
    return judgement.drain()


@db_task()
def judge_now(ticket_id: int) -> int:
    """The fast lane (a P0 or an alarm): judge this ticket at once, before the batches queued ahead."""
    return judgement.judge_pending(ticket_ids=[ticket_id])


@db_periodic_task(crontab(minute="*"))
def judge_pending_periodically() -> int:
    """Every minute: whatever a lost kick left pending."""
    return judgement.drain()
