"""`{% sla_badge ticket %}`: the SLA stage colour and a live countdown, for queues and ticket pages."""

from django import template
from django.utils.translation import gettext_lazy as _

from gongdan.core import clock
from gongdan.sla import selectors
from gongdan.tickets.constants import SlaStatus

register = template.Library()

STYLES = {
    SlaStatus.ON_TRACK: "success",
    SlaStatus.AT_RISK: "warning",
    SlaStatus.BREACHED: "danger",
    SlaStatus.PAUSED: "secondary",
    SlaStatus.MET: "info",
}
LANE_TITLES = {
    "p0": _("P0 without effective action → duty manager"),
    "breached": _("Breached"),
    "at_risk": _("Warnings (target nearly used up)"),
    "red": _("Stagnant, red (no effective action for 120 h)"),
    "yellow": _("Stagnant, yellow (no effective action for 72 h)"),
}


def badge_context(ticket) -> dict:
    now = clock.now()
    status, due = selectors.shown(ticket.sla_status, selectors.next_due(ticket, now), now)
    return {
        "status": status,
        "label": SlaStatus(status).label if status in SlaStatus.values else status,
        "style": STYLES.get(status, "secondary"),
        "due": due,
        "stagnation": ticket.stagnation_level,
        "stagnation_label": ticket.get_stagnation_level_display() if ticket.stagnation_level else "",
        "vip": ticket.customer.is_vip,
    }


@register.inclusion_tag("sla/_badge.html")
def sla_badge(ticket) -> dict:
    return badge_context(ticket)


@register.simple_tag
def lane_title(key: str) -> str:
    return LANE_TITLES[key]
