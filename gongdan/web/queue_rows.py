"""Queue rows with their labels computed once in Python.

Per-row template logic (filters, `get_…_display`, an included SLA partial, `{% url %}`, a
`{% blocktranslate %}`) was most of the queue page's time: fifty rows × a dozen lookups each.
The view labels each ticket of the page here; the row template only prints attributes.
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gongdan.tickets.models import Ticket
from gongdan.web.templatetags.workspace import bi, kind_class, priority_class, sla_class

FORMAT = "SHORT_DATETIME_FORMAT"


def _when(value) -> tuple[str, str]:
    """(ISO, displayed) as the `iso` and `date:"SHORT_DATETIME_FORMAT"` filters would print them."""
    return value.isoformat(), formats.date_format(timezone.localtime(value), FORMAT)


def _choices(field: str) -> dict[str, str]:
    return {value: str(label) for value, label in Ticket._meta.get_field(field).flatchoices}


def label(tickets) -> list[Ticket]:
    """Set the display attributes the queue row template reads on each ticket (and return them)."""
    tickets = list(tickets)
    sla_labels, stagnation_labels = _choices("sla_status"), _choices("stagnation_level")
    prefix = reverse("web:ticket", args=["-"])[:-2]
    for t in tickets:
        t.href = f"{prefix}{t.number}/"
        t.select_label = _("Select %(number)s") % {"number": t.number}
        t.sla_label, t.sla_css = sla_labels.get(t.sla_status, t.sla_status), sla_class(t.sla_status)
        t.stagnation_label = stagnation_labels.get(t.stagnation_level, "") if t.stagnation_level else ""
        t.status_label, t.status_css = bi(t.status, "label"), kind_class(t.status.kind)
        t.priority_css = priority_class(t.priority.code)
        t.team_label = bi(t.team) if t.team_id else ""
        t.updated_iso, t.updated_text = _when(t.updated_at)
        due = getattr(t, "next_due", None)
        t.due_iso, t.due_text = _when(due) if due and due.year < 9000 else ("", "")
    return tickets
