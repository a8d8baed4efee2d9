"""What a timeline event says, in the viewer's language (issue 17).

System events are stored as a type and parameters (`old_value` / `new_value`), never as a sentence
in one language or both; `describe(event)` turns them into a line in the active language. The
`summary` column holds only what a person typed (a reply's or a status change's summary).

Apps that write their own event types (the SLA engine) register a describer for them with
`register(event_type, fn)` in their AppConfig.ready(), so `tickets` never imports them.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongdan.tickets import constants as c
from gongdan.tickets.constants import EventType

Describer = Callable[[dict, dict, str], str]  # (old, new, stored summary) -> text in the active language
_DESCRIBERS: dict[str, Describer] = {}


def register(event_type: str, describer: Describer) -> None:
    _DESCRIBERS[str(event_type)] = describer


def chinese() -> bool:
    return (get_language() or "").startswith("zh")


def pick(names: Any, fallback: str = "") -> str:
    """The current language's half of a stored `{"zh": …, "en": …}` pair (either half if one is empty)."""
    if not isinstance(names, dict):
        return str(names) if names else fallback
    first, second = ("zh", "en") if chinese() else ("en", "zh")
    return names.get(first) or names.get(second) or fallback


def names(obj, field: str = "name") -> dict[str, str] | None:
    """A model's bilingual pair as an event parameter (`name_zh`/`name_en` or `label_zh`/`label_en`)."""
    if obj is None:
        return None
    return {"zh": getattr(obj, f"{field}_zh", ""), "en": getattr(obj, f"{field}_en", "")}


def _choice(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _field_label(name: str) -> str:
    from gongdan.tickets.models import Ticket

    try:
        return str(Ticket._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the event was written
        return name


def _status(old: dict, new: dict, summary: str) -> str:
    before = pick(old.get("label"), _choice(c.StatusKind, old.get("kind", "")))
    after = pick(new.get("label"), _choice(c.StatusKind, new.get("kind", "")))
    moved = f"{before} → {after}" if before and after else ""
    return " · ".join(part for part in (moved, summary) if part)


def _assigned(old: dict, new: dict, summary: str) -> str:
    person, team = new.get("assignee_name"), pick(new.get("team_name"))
    if person:
        text = _("Assigned to %(name)s") % {"name": person}
    elif new.get("assignee") is None and old.get("assignee") is not None:
        text = _("Unassigned")
    else:
        text = ""
    if team and new.get("team") != old.get("team"):
        text = " · ".join(part for part in (text, _("Team: %(team)s") % {"team": team}) if part)
    return text or summary


def _category(old: dict, new: dict, summary: str) -> str:
    if "category_name" not in new:
        return summary
    return pick(new.get("category_name"), "—")


def _fields(old: dict, new: dict, summary: str) -> str:
    return ", ".join(_field_label(name) for name in sorted(new)) if new else summary


def _linked(old: dict, new: dict, summary: str) -> str:
    if "parent" in new:
        return _("Parent ticket: %(number)s") % {"number": new["parent"] or "—"}
    if "kind" in new:
        return f"{_choice(c.LinkKind, new['kind'])} {new.get('target', '')}".strip()
    return summary


def _external(old: dict, new: dict, summary: str) -> str:
    if "system" not in new:
        return summary
    return f"{_choice(c.ExternalSystem, new['system'])} {new.get('reference', '')}".strip()


def _merged(old: dict, new: dict, summary: str) -> str:
    if new.get("into"):
        return _("Merged into %(number)s") % {"number": new["into"]}
    if new.get("merged"):
        return _("%(number)s merged into this ticket") % {"number": new["merged"]}
    return summary


def _unmerged(old: dict, new: dict, summary: str) -> str:
    if new.get("from"):
        return _("Taken out of %(number)s") % {"number": new["from"]}
    if old.get("merged"):
        return _("%(number)s taken out of this ticket") % {"number": old["merged"]}
    return summary


def _dispatch(old: dict, new: dict, summary: str) -> str:
    job = new.get("dispatch")
    if not isinstance(job, dict):
        return summary
    if job.get("engineer"):
        return _("Field dispatch: %(name)s, %(km)s km") % {"name": job["engineer"], "km": job.get("km")}
    return _("Field dispatch: nobody within range, left to the field team lead")


def _only_typed(old: dict, new: dict, summary: str) -> str:
    return summary


_DEFAULTS: dict[str, Describer] = {
    EventType.STATUS_CHANGED: _status,
    EventType.REOPENED: _status,
    EventType.CUSTOMER_REJECTED: _status,
    EventType.CUSTOMER_CONFIRMED: _status,
    EventType.AUTO_CLOSED: _status,
    EventType.ASSIGNED: _assigned,
    EventType.CATEGORY_CHANGED: _category,
    EventType.FIELDS_CHANGED: _fields,
    EventType.LINKED: _linked,
    EventType.EXTERNAL_REF_ADDED: _external,
    EventType.MERGED: _merged,
    EventType.UNMERGED: _unmerged,
    EventType.CONFIRMATION_REQUESTED: _only_typed,
}


def describe(event) -> str:
    """The event's line in the active language: from its type and parameters, else what was typed."""
    old = event.old_value if isinstance(event.old_value, dict) else {}
    new = event.new_value if isinstance(event.new_value, dict) else {}
    summary = (event.summary or "").strip()
    if event.event_type == EventType.NOTE and "dispatch" in new:
        return _dispatch(old, new, summary)
    describer = _DESCRIBERS.get(event.event_type) or _DEFAULTS.get(event.event_type)
    return describer(old, new, summary) if describer else summary
