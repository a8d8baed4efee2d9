"""Run one inbound message through the pipeline: exactly one outcome per (source, key) (R2.4, P1).

The whole pipeline runs in one transaction that first claims (source, external_key); a concurrent
or later redelivery hits the unique constraint and gets the first outcome back. A refusal or a
failure rolls the ticket work back and records a dead letter (with the raw payload) instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from gongdan.core import clock
from gongdan.intake import health
from gongdan.intake.constants import DeadLetterState, Outcome, Reason
from gongdan.intake.message import Inbound
from gongdan.intake.models import DeadLetter, InboundMessage, IntakePolicy
from gongdan.intake.pipeline import create, follow_up, hooks, identity, limits, normalise, notify
from gongdan.intake.pipeline.context import IntakeContext, Rejected

log = logging.getLogger(__name__)

STEPS = [
    ("limits", limits.run),
    ("normalise", normalise.run),
    ("identity", identity.run),
    ("follow_up", follow_up.run),
    ("triage", hooks.run_triage),
    ("create", create.run),
    ("route", hooks.run_route),
    ("notify", notify.run),
]


@dataclass
class IntakeResult:
    record: InboundMessage | None
    duplicate: bool = False
    dead_letter: DeadLetter | None = None

    @property
    def outcome(self) -> str:
        return self.record.outcome if self.record else "dead_letter"

    @property
    def ticket(self):
        return self.record.ticket if self.record else None


def _existing(inbound: Inbound) -> InboundMessage | None:
    return InboundMessage.objects.filter(source=inbound.source, external_key=inbound.external_key[:300]).first()


def _run_steps(ctx: IntakeContext) -> None:
    for name, step in STEPS:
        started = time.perf_counter()
        step(ctx)
        ctx.record.step_timings[name] = round((time.perf_counter() - started) * 1000, 3)
    if ctx.notes:
        ctx.record.step_timings["_notes"] = ctx.notes


def _record_fields(inbound: Inbound) -> dict:
    return {
        "sender": inbound.sender_label[:300],
        "subject": inbound.subject[:300],
        "body": inbound.body,
        "html": inbound.html,
        "message_id": inbound.message_id[:500],
    }


def ingest(inbound: Inbound, *, meta: dict | None = None, replay_of: DeadLetter | None = None) -> IntakeResult:
    # A first delivery claims its key by inserting it: a redelivery fails that insert (unique key)
    # and gets the first outcome below, so it needs no lookup beforehand. A replay re-runs only a
    # message that is still a dead letter: if a redelivery made it a ticket meanwhile, it is a duplicate too.
    existing = _existing(inbound) if replay_of is not None else None
    if existing is not None and existing.outcome != Outcome.DEAD_LETTER:
        return IntakeResult(existing, duplicate=True)
    try:
        with transaction.atomic():
            record = existing or InboundMessage(source=inbound.source, external_key=inbound.external_key[:300])
            record.received_at = clock.now()
            for key, value in _record_fields(inbound).items():
                setattr(record, key, value)
            record.outcome, record.step_timings = "", {}
            record.save()
            ctx = IntakeContext(inbound=inbound, record=record, policy=IntakePolicy.cached())
            _run_steps(ctx)
            for key, value in _record_fields(inbound).items():
                setattr(record, key, value)
            record.save()
            health.record_intake(inbound.source)
            return IntakeResult(record)
    except IntegrityError:
        winner = _existing(inbound)
        if winner is None:
            raise
        return IntakeResult(winner, duplicate=True)
    except Rejected as exc:
        return _dead(inbound, exc.reason, exc.detail, meta, quarantine=exc.quarantine, replay_of=replay_of)
    except Exception as exc:  # nothing is lost: an unexpected failure is a dead letter, not a 500
        log.exception("intake %s %s failed", inbound.source, inbound.external_key)
        return _dead(inbound, Reason.FAILED, f"{type(exc).__name__}: {exc}", meta, replay_of=replay_of)


@transaction.atomic
def _dead(
    inbound: Inbound,
    reason: str,
    detail: str,
    meta: dict | None,
    *,
    quarantine: bool = False,
    replay_of: DeadLetter | None = None,
) -> IntakeResult:
    now = clock.now()
    record, _ = InboundMessage.objects.update_or_create(
        source=inbound.source,
        external_key=inbound.external_key[:300],
        defaults={"outcome": Outcome.DEAD_LETTER, "received_at": now, "ticket": None, **_record_fields(inbound)},
    )
    if replay_of is not None:
        DeadLetter.objects.filter(pk=replay_of.pk).update(detail=detail, reason=reason, attempts=replay_of.attempts + 1)
        replay_of.refresh_from_db()
        return IntakeResult(record, dead_letter=replay_of)
    letter = record_dead_letter(
        source=inbound.source,
        raw=inbound.raw,
        reason=reason,
        detail=detail,
        meta=meta,
        sender=inbound.sender_label,
        external_key=inbound.external_key,
        quarantine=quarantine,
        inbound=record,
    )
    return IntakeResult(record, dead_letter=letter)


def record_dead_letter(
    *,
    source: str,
    raw: bytes,
    reason: str,
    detail: str,
    meta: dict | None = None,
    sender: str = "",
    external_key: str = "",
    quarantine: bool = False,
    inbound: InboundMessage | None = None,
) -> DeadLetter:
    """Keep a refused or failed attempt with everything needed to replay it (R2.5)."""
    return DeadLetter.objects.create(
        source=source,
        external_key=external_key[:300],
        reason=reason,
        detail=detail[:5000],
        raw=raw,
        meta=meta or {},
        sender=sender[:300],
        state=DeadLetterState.QUARANTINED if quarantine else DeadLetterState.OPEN,
        created_at=clock.now(),
        inbound=inbound,
    )
