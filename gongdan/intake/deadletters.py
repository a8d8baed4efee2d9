"""Dead letters (R2.5): replay after a fix, discard by an admin. Nothing here deletes a row."""

from __future__ import annotations

from django.db import transaction

from gongdan.accounts.constants import Role
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.intake.adapters.imap import options_for
from gongdan.intake.adapters.mime import MalformedMail, parse_mail
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.adapters.webhooks import Ignored, to_inbound
from gongdan.intake.constants import DeadLetterState, Outcome, Source
from gongdan.intake.message import Inbound
from gongdan.intake.models import DeadLetter, InboundMessage, Mailbox, ThreadReference, WebhookSecret
from gongdan.intake.pipeline.runner import TAKEN, IntakeResult, ingest

FINAL = (DeadLetterState.REPLAYED, DeadLetterState.DISCARDED)


def ensure_admin(actor: Actor) -> None:
    user = actor.user
    if user is None or not user.is_active or not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied("Only administrators handle dead letters.", "只有管理员可以处理死信。")


def _parse(letter: DeadLetter) -> Inbound:
    raw = bytes(letter.raw)
    if letter.source == Source.EMAIL:
        mailbox = Mailbox.objects.filter(name=letter.meta.get("mailbox", "")).first()
        return parse_mail(raw, options_for(mailbox))
    if letter.source in (Source.API, Source.WEB):
        import json

        return message_from_json(json.loads(raw), raw, source=letter.source, key=letter.external_key)
    secret = WebhookSecret.objects.filter(name=letter.meta.get("secret", "")).first()
    return to_inbound(letter.source, secret, raw)


def replay(*, actor: Actor, letter: DeadLetter) -> IntakeResult | None:
    """Run a stored payload through the pipeline again (rate limits aside: an admin vouches)."""
    ensure_admin(actor)
    letter = DeadLetter.objects.get(pk=letter.pk)
    if letter.state in FINAL:
        raise InvalidInput(
            "This dead letter was already replayed or discarded.",
            "该死信已重放或已丢弃。",
            fields={"state": letter.state},
        )
    try:
        inbound = _parse(letter)
    except (MalformedMail, ValueError, Ignored) as exc:
        DeadLetter.objects.filter(pk=letter.pk).update(attempts=letter.attempts + 1, detail=str(exc)[:5000])
        return None
    inbound.extra["replay"] = True
    earlier = _earlier_attempt(inbound)
    result = earlier if earlier is not None else ingest(inbound, meta=letter.meta, replay_of=letter)
    if result.dead_letter is None:
        DeadLetter.objects.filter(pk=letter.pk).update(
            state=DeadLetterState.REPLAYED,
            resolved_at=clock.now(),
            resolved_by=actor.user,
            attempts=letter.attempts + 1,
            inbound=result.record,
        )
    return result


def _earlier_attempt(inbound: Inbound) -> IntakeResult | None:
    """The ticket an earlier attempt of the same (source, key) made, so a replay never makes a second.

    The inbound record says so when it took the message in; a mail we threaded onto a ticket is
    known by its Message-ID even where an older version recorded a false refusal over it (issue 24).
    """
    record = InboundMessage.objects.filter(source=inbound.source, external_key=inbound.external_key[:300]).first()
    if record is not None and record.outcome in TAKEN:
        return IntakeResult(record, duplicate=True)
    if inbound.source != Source.EMAIL or not inbound.message_id or record is None:
        return None
    ref = ThreadReference.objects.filter(message_id=inbound.message_id, outbound=False).first()
    if ref is None:
        return None
    made = not InboundMessage.objects.filter(ticket=ref.ticket, outcome=Outcome.CREATED).exists()
    outcome = Outcome.CREATED if made else Outcome.FOLLOW_UP
    InboundMessage.objects.filter(pk=record.pk).update(outcome=outcome, ticket=ref.ticket)
    record.refresh_from_db()
    return IntakeResult(record, duplicate=True)


def release(*, actor: Actor, sender: str = "", letters=None) -> int:
    """One click: replay every quarantined (flood) dead letter of a sender, or the given ones."""
    ensure_admin(actor)
    quarantined = DeadLetter.objects.filter(state=DeadLetterState.QUARANTINED).order_by("created_at", "id")
    if letters is not None:
        quarantined = quarantined.filter(pk__in=[x.pk for x in letters])
    elif sender:
        quarantined = quarantined.filter(sender=sender)
    else:
        raise InvalidInput("Name a sender or the letters to release.", "请指定发件人或要放行的死信。")
    released = 0
    for letter in quarantined:
        result = replay(actor=actor, letter=letter)
        released += bool(result and result.dead_letter is None)
    return released


@transaction.atomic
def discard(*, actor: Actor, letters) -> int:
    """Mark as discarded (kept for the record); only an admin may."""
    ensure_admin(actor)
    return (
        DeadLetter.objects.filter(pk__in=[x.pk for x in letters])
        .exclude(state__in=FINAL)
        .update(state=DeadLetterState.DISCARDED, resolved_at=clock.now(), resolved_by=actor.user)
    )
