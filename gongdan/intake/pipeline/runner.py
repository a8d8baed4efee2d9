"""Run one inbound message through the pipeline: exactly one outcome per (source, key) (R2.4, P1).

The whole pipeline runs in one transaction that first claims (source, external_key); a concurrent
or later redelivery hits the unique constraint and gets the first outcome back. A refusal or a
failure rolls the ticket work back and records a dead letter (with the raw payload) instead, in its
own transaction. An error raised *after* the commit (an after-commit hook) changes nothing: the
committed outcome is the answer, never a false "dead letter" (issue 24).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from gongdan.core import clock
from gongdan.intake import health
from gongdan.intake.constants import DeadLetterState, Outcome, Reason
from gongdan.intake.message import Inbound, clean_json, clean_text
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


# PostgreSQL: deadlock_detected, serialization_failure.
TRANSIENT_SQLSTATES = {"40P01", "40001"}
TAKEN = (Outcome.CREATED, Outcome.FOLLOW_UP, Outcome.MERGED, Outcome.HELD, Outcome.AUTO_NOTED)


def _key(inbound: Inbound) -> str:
    return clean_text(inbound.external_key)[:300]


def _existing(inbound: Inbound) -> InboundMessage | None:
    return InboundMessage.objects.filter(source=inbound.source, external_key=_key(inbound)).first()


def _taken(inbound: Inbound) -> InboundMessage | None:
    """The committed outcome of an earlier (or this) attempt of the same (source, key), if it took it in."""
    record = _existing(inbound)
    return record if record is not None and record.outcome in TAKEN else None


def _run_steps(ctx: IntakeContext) -> None:
    for name, step in STEPS:
        started = time.perf_counter()
        step(ctx)
        ctx.record.step_timings[name] = round((time.perf_counter() - started) * 1000, 3)
        if ctx.stop:
            break
    if ctx.notes:
        ctx.record.step_timings["_notes"] = clean_json(ctx.notes)


def _record_fields(inbound: Inbound) -> dict:
    return {
        "sender": clean_text(inbound.sender_label)[:300],
        "subject": clean_text(inbound.subject),
        "body": clean_text(inbound.body),
        "html": clean_text(inbound.html),
        "message_id": clean_text(inbound.message_id)[:500],
        "auth_results": clean_json(inbound.extra.get("auth") or {}),
    }


def ingest(inbound: Inbound, *, meta: dict | None = None, replay_of: DeadLetter | None = None) -> IntakeResult:
    # A first delivery claims its key by inserting it: a redelivery fails that insert (unique key)
    # and gets the first outcome below, so it needs no lookup beforehand. A replay re-runs only a
    # message that is still a dead letter: if a redelivery made it a ticket meanwhile, it is a duplicate too.
    existing = _existing(inbound) if replay_of is not None else None
    if existing is not None and existing.outcome != Outcome.DEAD_LETTER:
        return IntakeResult(existing, duplicate=True)
    for attempt in range(2):
        try:
            result = _attempt(_fresh(inbound), existing)
        except (IntegrityError, OperationalError) as exc:
            winner = _existing(inbound) if isinstance(exc, IntegrityError) else _taken(inbound)
            if winner is not None:
                return IntakeResult(winner, duplicate=True)
            if attempt == 0 and _retryable(exc):
                log.warning("intake %s %s: %s; trying once more", inbound.source, inbound.external_key, exc)
                continue
            log.exception("intake %s %s failed", inbound.source, inbound.external_key)
            detail = f"{type(exc).__name__}: {exc}"
            return _dead_or_taken(inbound, Reason.FAILED, detail, meta, replay_of=replay_of)
        except Rejected as exc:
            return _dead(inbound, exc.reason, exc.detail, meta, quarantine=exc.quarantine, replay_of=replay_of)
        except Exception as exc:  # nothing is lost: an unexpected failure is a dead letter, not a 500
            log.exception("intake %s %s failed", inbound.source, inbound.external_key)
            return _dead_or_taken(inbound, Reason.FAILED, f"{type(exc).__name__}: {exc}", meta, replay_of=replay_of)
        _record_health(inbound.source)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _record_health(source: str) -> None:
    """After the commit, on its own: every message updates the one row of its source, and holding
    that row's lock until commit (while deferred foreign keys are checked) deadlocked concurrent
    intakes on PostgreSQL. A timestamp that fails to move is no reason to fail the message."""
    try:
        with transaction.atomic():
            health.record_intake(source)
    except DatabaseError:
        log.warning("intake %s: channel health not updated", source, exc_info=True)


def _fresh(inbound: Inbound) -> Inbound:
    """Steps change the message as they go (files set aside, text cleaned): a retry starts from the original."""
    return replace(inbound, attachments=list(inbound.attachments), extra=dict(inbound.extra))


def _retryable(exc: Exception) -> bool:
    """A deadlock or serialisation failure, or a constraint race in a hook's first-time set-up: the
    database aborted this attempt, not the message; a second attempt usually goes through."""
    state = getattr(exc.__cause__, "sqlstate", None)
    return isinstance(exc, IntegrityError) or state in TRANSIENT_SQLSTATES


def _attempt(inbound: Inbound, existing: InboundMessage | None) -> IntakeResult:
    with transaction.atomic():
        record = existing or InboundMessage(source=inbound.source, external_key=_key(inbound))
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
        return IntakeResult(record)


def _dead_or_taken(inbound: Inbound, reason: str, detail: str, meta: dict | None, *, replay_of) -> IntakeResult:
    """An exception out of the atomic block may come after its commit (an on-commit hook): then the
    committed outcome stands. Otherwise a dead letter; should even that fail, a bare one with the raw."""
    try:
        taken = _taken(inbound)
        if taken is not None:
            return IntakeResult(taken)
        return _dead(inbound, reason, detail, meta, replay_of=replay_of)
    except Exception as exc:
        log.exception("intake %s: recording the dead letter failed", inbound.source)
        letter = record_dead_letter(
            source=inbound.source,
            raw=inbound.raw,
            reason=reason,
            detail=f"{detail} (then {type(exc).__name__} while recording it)",
            meta=meta,
            external_key=inbound.external_key,
        )
        return IntakeResult(None, dead_letter=letter)


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
    taken = InboundMessage.objects.select_for_update().filter(source=inbound.source, external_key=_key(inbound))
    taken = taken.filter(outcome__in=TAKEN).first()
    if taken is not None:  # a concurrent delivery took it in meanwhile: that outcome stands
        return IntakeResult(taken, duplicate=True)
    record, _ = InboundMessage.objects.update_or_create(
        source=inbound.source,
        external_key=_key(inbound),
        defaults={"outcome": Outcome.DEAD_LETTER, "received_at": now, "ticket": None, **_record_fields(inbound)},
    )
    if replay_of is not None:
        DeadLetter.objects.filter(pk=replay_of.pk).update(
            detail=clean_text(detail)[:5000], reason=reason, attempts=replay_of.attempts + 1
        )
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
        external_key=clean_text(external_key)[:300],
        reason=reason,
        detail=clean_text(detail)[:5000],
        raw=bytes(raw or b""),
        meta=clean_json(meta or {}),
        sender=clean_text(sender)[:300],
        state=DeadLetterState.QUARANTINED if quarantine else DeadLetterState.OPEN,
        created_at=clock.now(),
        inbound=inbound,
    )
