"""Configuration changes as audit events, with the values before and after.

Configuration is edited through the Django admin and a few services; rather than thread an actor
through every admin form, post-save/post-delete receivers on the configuration models write the
event and take the actor from the request (`audit.context`). Domain behaviour never hangs on these
signals: they only append audit rows (DESIGN rule 4 is about domain side effects).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from gongdan.audit import context, services
from gongdan.audit.constants import SNAPSHOT_VALUE_LIMIT, Action
from gongdan.core.apps import CONFIG_MODELS

# Configuration beyond the cached tables: who belongs where, sign-in policy, channels, org sharing.
EXTRA_MODELS = (
    "accounts.Team",
    "customers.Organization",
    "intake.Mailbox",
    "intake.WebhookSecret",
)
# On accounts only the fields that grant access are configuration (a login or availability is not).
USER_FIELDS = ("role", "is_active", "is_staff", "is_superuser")
SECRET_NAMES = ("password", "token", "secret", "aes_key", "digest")
MASK = "••••••"


def tracked_labels() -> tuple[str, ...]:
    return CONFIG_MODELS + EXTRA_MODELS + ("accounts.User",)


def _is_secret(field: models.Field) -> bool:
    return getattr(field, "is_secret", False) or any(part in field.name for part in SECRET_NAMES)


def _plain(value):
    text = json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))
    if isinstance(text, str) and len(text) > SNAPSHOT_VALUE_LIMIT:
        return text[:SNAPSHOT_VALUE_LIMIT] + "…"
    return text


def snapshot(instance: models.Model) -> dict:
    names = USER_FIELDS if instance._meta.label == "accounts.User" else None
    data = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        if isinstance(field, models.BinaryField):
            continue
        value = field.value_from_object(instance)
        data[field.attname] = (MASK if value else "") if _is_secret(field) else _plain(value)
    return data


def _before(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def _saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        if sender._meta.label == "accounts.User" and not created:
            return
        _write(Action.CONFIG_CREATED, instance, None, after)
        return
    changed = [name for name in after if before.get(name) != after[name]]
    if changed:
        _write(Action.CONFIG_UPDATED, instance, {n: before.get(n) for n in changed}, {n: after[n] for n in changed})


def _deleted(sender, instance, **kwargs) -> None:
    _write(Action.CONFIG_DELETED, instance, snapshot(instance), None)


def _write(action: Action, instance, before, after) -> None:
    request = context.current()
    services.record(
        action=action,
        actor=request.user,
        actor_label="" if request.user is not None else "system",
        ip=request.ip,
        user_agent=request.user_agent,
        target=instance,
        before=before,
        after=after,
    )


def _teams_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Team membership is configuration too (who sees a department's tickets)."""
    if reverse or action not in ("pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"):
        return
    codes = sorted(instance.teams.values_list("code", flat=True))
    if action.startswith("pre_"):
        instance._audit_teams = codes
        return
    before = getattr(instance, "_audit_teams", None)
    if before is not None and before != codes:
        _write(Action.CONFIG_UPDATED, instance, {"teams": before}, {"teams": codes})


def install() -> None:
    for label in tracked_labels():
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid + ":pre")
        post_save.connect(_saved, sender=model, dispatch_uid=uid + ":post")
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid + ":delete")
    teams = apps.get_model("accounts.User").teams.through
    m2m_changed.connect(_teams_changed, sender=teams, dispatch_uid="audit:accounts.User.teams")
