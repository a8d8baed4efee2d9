"""Timeline events written before issue 17 carried a sentence in one language or both in `summary`
("新建 → 处理中", "指派给 李娜", "首次响应已超时 / first response breached"). Move what they said into
the parameters `tickets.rendering` reads and clear those summaries, so old rows render in the
viewer's language too. Summaries a person typed are kept."""

import re

from django.db import migrations

STATUS_TYPES = {"status_changed", "reopened", "customer_rejected", "customer_confirmed", "auto_closed"}
SLA_TYPES = {"p0_alert", "sla_warning", "sla_breached", "escalated", "stagnant", "p0_breaker"}
FIXED = {"重新打开 / reopened", "客户反馈未解决 / not solved", "请客户确认解决 / confirmation sent"}
TYPES = STATUS_TYPES | SLA_TYPES | {
    "merged",
    "unmerged",
    "assigned",
    "category_changed",
    "fields_changed",
    "linked",
    "external_ref_added",
    "confirmation_requested",
    "note",
}
DISPATCHED = re.compile(r"^派工 (?P<name>.+) (?P<km>[\d.]+) km$")


class Lookups:
    def __init__(self, apps):
        self.status = {
            s.key: {"zh": s.label_zh, "en": s.label_en} for s in apps.get_model("tickets", "Status").objects.all()
        }
        self.teams = {
            t.pk: {"zh": t.name_zh, "en": t.name_en} for t in apps.get_model("accounts", "Team").objects.all()
        }
        self.categories = {
            c.code: {"zh": c.name_zh, "en": c.name_en} for c in apps.get_model("tickets", "Category").objects.all()
        }
        self.users = apps.get_model("accounts", "User").objects


def _label_statuses(old: dict, new: dict, lookups: Lookups) -> str:
    """Adds the status labels; returns the automatic summary such a move used to store."""
    for values in (old, new):
        if "status" in values and "label" not in values:
            values["label"] = lookups.status.get(values["status"])
    before, after = (old.get("label") or {}).get("zh"), (new.get("label") or {}).get("zh")
    return f"{before} → {after}" if before and after else ""


def _merge_parameters(event, summary: str, new: dict) -> bool:
    for prefix, key in (("合并到 ", "into"), ("取消合并，移出 ", "from")):
        if summary.startswith(prefix):
            new[key] = summary[len(prefix) :]
            return True
    return summary.startswith(("并入 ", "移出 "))


def _assignment_parameters(new: dict, lookups: Lookups) -> None:
    if "assignee_name" not in new:
        user = lookups.users.filter(pk=new.get("assignee")).first() if new.get("assignee") else None
        new["assignee_name"] = (user.display_name or user.username) if user else None
    new.setdefault("team_name", lookups.teams.get(new.get("team")))


def convert(event, lookups: Lookups) -> bool:
    """Rewrites one event in place; True when it changed."""
    old = dict(event.old_value) if isinstance(event.old_value, dict) else {}
    new = dict(event.new_value) if isinstance(event.new_value, dict) else {}
    summary, kind = (event.summary or "").strip(), event.event_type
    generated = summary in FIXED
    if kind in STATUS_TYPES | {"merged", "unmerged"}:
        generated = generated or (summary and summary == _label_statuses(old, new, lookups))
    if kind in ("merged", "unmerged"):
        generated = generated or _merge_parameters(event, summary, new)
    elif kind == "assigned":
        _assignment_parameters(new, lookups)
        generated = summary.startswith("指派给 ")
    elif kind == "category_changed":
        new.setdefault("category_name", lookups.categories.get(new.get("category")))
        generated = True
    elif kind in ("fields_changed", "linked", "external_ref_added"):
        generated = bool(new)
    elif kind in SLA_TYPES:
        generated = "signal" in new
    elif kind == "note":
        found = DISPATCHED.match(summary)
        if found:
            new["dispatch"] = {"engineer": found["name"], "km": float(found["km"])}
        elif summary == "派工：范围内无工程师，转组长":
            new["dispatch"] = {"engineer": None, "km": None}
        generated = "dispatch" in new
    changed = generated or old != (event.old_value or {}) or new != (event.new_value or {})
    if generated:
        event.summary = ""
    event.old_value, event.new_value = (old or event.old_value), (new or event.new_value)
    return bool(changed)


def forwards(apps, schema_editor):
    Event = apps.get_model("tickets", "TicketEvent")
    lookups = Lookups(apps)
    batch = []
    for event in Event.objects.filter(event_type__in=TYPES).order_by("pk").iterator(chunk_size=2000):
        if convert(event, lookups):
            batch.append(event)
        if len(batch) >= 1000:
            Event.objects.bulk_update(batch, ["summary", "old_value", "new_value"])
            batch = []
    if batch:
        Event.objects.bulk_update(batch, ["summary", "old_value", "new_value"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_ticket_team_status_due")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
