"""Dead letters (R2.5): replay after a fix, discard by an admin. Nothing here deletes a row."""

from __future__ import annotations

from django.db import transaction

from gongdan.accounts.constants import Role
from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.intake.adapters.mime import MalformedMail, parse_mail
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.adapters.webhooks import to_inbound
from gongdan.intake.constants import DeadLetterState, Source
from gongdan.intake.message import Inbound
from gongdan.intake.models import DeadLetter, WebhookSecret
from gongdan.intake.pipeline.runner import IntakeResult, ingest

FINAL = (DeadLetterState.REPLAYED, DeadLetterState.DISCARDED)


def ensure_admin(actor: Actor) -> None:
    user = actor.user
    if user is None or not user.is_active or not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied("Only administrators handle dead letters.", "只有管理员可以处理死信。")


def _parse(letter: DeadLetter) -> Inbound:
    raw = bytes(letter.raw)
    if letter.source == Source.EMAIL:
        return parse_mail(raw)
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
    except (MalformedMail, ValueError) as exc:
        DeadLetter.objects.filter(pk=letter.pk).update(attempts=letter.attempts + 1, detail=str(exc)[:5000])
        return None
    inbound.extra["replay"] = True
    result = ingest(inbound, meta=letter.meta, replay_of=letter)
    if result.dead_letter is None:
        DeadLetter.objects.filter(pk=letter.pk).update(
            state=DeadLetterState.REPLAYED,
            resolved_at=clock.now(),
            resolved_by=actor.user,
            attempts=letter.attempts + 1,
            inbound=result.record,
        )
    return result


@transaction.atomic
def discard(*, actor: Actor, letters) -> int:
    """Mark as discarded (kept for the record); only an admin may."""
    ensure_admin(actor)
    return (
        DeadLetter.objects.filter(pk__in=[x.pk for x in letters])
        .exclude(state__in=FINAL)
        .update(state=DeadLetterState.DISCARDED, resolved_at=clock.now(), resolved_by=actor.user)
    )
