"""Template helpers shared by the workspace, the lead's board and the portal."""

from django import template
from django.utils.translation import get_language

from gongdan.tickets import rendering
from gongdan.tickets.constants import EventType

register = template.Library()

SLA_CLASSES = {
    "on_track": "text-bg-success",
    "at_risk": "text-bg-warning",
    "breached": "text-bg-danger",
    "paused": "text-bg-secondary",
    "met": "text-bg-light",
}
KIND_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "on_hold": "text-bg-secondary",
    "resolved": "text-bg-success",
    "closed": "text-bg-dark",
    "merged": "text-bg-light",
}


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


@register.filter
def bi(obj, field: str = "name") -> str:
    """The Chinese or English half of a bilingual pair (`name_zh`/`name_en`, `label_zh`/`label_en`)."""
    if obj is None:
        return ""
    for base in (field, "label", "name"):
        zh, en = getattr(obj, f"{base}_zh", None), getattr(obj, f"{base}_en", None)
        if zh is not None or en is not None:
            return (zh if _chinese() else en) or zh or en or ""
    return str(obj)


@register.filter
def sla_class(status: str) -> str:
    return SLA_CLASSES.get(status, "text-bg-light")


@register.filter
def kind_class(kind: str) -> str:
    return KIND_CLASSES.get(kind, "text-bg-light")


@register.filter
def priority_class(code: str) -> str:
    return f"prio prio-{(code or 'P2').lower()}"


@register.filter
def iso(value) -> str:
    return value.isoformat() if value else ""


@register.filter
def event_label(event_type: str) -> str:
    try:
        return EventType(event_type).label
    except ValueError:
        return event_type


@register.filter
def own_summary(event) -> str:
    """What the event says in the viewer's language (`tickets.rendering`); a typed summary unless it is
    only the automatic headline of the body (no need to say it twice)."""
    summary, body = (event.summary or "").strip(), (event.body or "").strip()
    described = rendering.describe(event)
    if described != summary:
        return described
    if not summary or (body and body.startswith(summary.rstrip("…").rstrip())):
        return ""
    return summary


@register.simple_tag
def sla_view(ticket) -> dict:
    """The queue's SLA cell: a state and a countdown that agree (`sla.selectors.shown`)."""
    from gongdan.core import clock
    from gongdan.sla import selectors
    from gongdan.tickets.constants import SlaStatus

    due = getattr(ticket, "next_due", None)
    status, due = selectors.shown(ticket.sla_status, due if due and due.year < 9000 else None, clock.now())
    return {"status": status, "label": SlaStatus(status).label if status in SlaStatus.values else status, "due": due}
